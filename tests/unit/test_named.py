"""rag.named: the turns that name every word of a short question (the timeline's rule for names)."""

import numpy as np
import pytest

from rag import named, store
from rag.named import MAX_SHARE, MAX_WORDS, key_words, naming_turns


def test_key_words_drop_stop_and_asking_words_and_keep_the_first_spelling():
    assert key_words("What did China say about Kovrig?") == [("Kovrig", "kovrig")]
    assert key_words("Kovrig and Spavor, kovrig again") == [("Kovrig", "kovrig"), ("Spavor", "spavor"),
                                                            ("again", "again")]
    assert key_words("WHO") == [("WHO", "who")]  # a name, not an asking word
    assert key_words("What did the spokesperson say?") == []


@pytest.fixture(scope="module")
def postings():
    # chunk rows 0..3 belong to turns 0, 0, 1, 2; turn 0 names Kovrig in one chunk and Spavor in the other
    texts = ["Kovrig is suspected of crimes.", "Spavor too.", "Kovrig's family visited.", "Pandas in zoos."]
    return store.bm25_from_texts(texts), np.array([0, 0, 1, 2])


def test_a_turn_holds_a_word_when_any_of_its_chunks_does(postings):
    bm, chunk_turn = postings
    assert naming_turns(bm, chunk_turn, 3, ["kovrig", "spavor"], max_share=1.0).tolist() == [True, False, False]
    assert naming_turns(bm, chunk_turn, 3, ["kovrig"], max_share=None).tolist() == [True, True, False]
    assert naming_turns(bm, chunk_turn, 3, ["skripal"]).tolist() == [False, False, False]  # not in the archive


def test_the_rule_is_off_for_long_or_common_questions(postings):
    bm, chunk_turn = postings
    assert naming_turns(bm, chunk_turn, 3, []) is None
    assert naming_turns(bm, chunk_turn, 3, ["kovrig"] * (MAX_WORDS + 1)) is None
    # one turn of three holds "spavor": a share of 1/3 > MAX_SHARE, a word running through this archive
    assert 1 / 3 > MAX_SHARE and naming_turns(bm, chunk_turn, 3, ["spavor"]) is None
    # the same turn among 1 / MAX_SHARE turns is specific enough
    assert naming_turns(bm, chunk_turn, round(1 / MAX_SHARE), ["spavor"]).sum() == 1


def test_words_written_together_must_be_together_in_the_turn(postings):
    assert named.phrases("the trade war and Meng Wanzhou") == [("trade", "war"), ("meng", "wanzhou")]
    assert named.phrases("Kovrig and Spavor") == [] and named.phrases("COVID-19 cases") == [("covid", "19", "case")]
    assert named.phrases("What did China say about the trade war?") == [("trade", "war")]
    bm, chunk_turn = postings
    texts = {0: "Kovrig is suspected of crimes. Spavor too.", 1: "Kovrig's family visited.", 2: "Pandas in zoos."}
    # "Kovrig Spavor" (together in the question) is not together in turn 0
    assert naming_turns(bm, chunk_turn, 3, ["kovrig", "spavor"], [("kovrig", "spavor")], texts.get,
                        max_share=1.0).sum() == 0
    assert naming_turns(bm, chunk_turn, 3, ["kovrig"], [("kovrig", "famili")], texts.get,
                        max_share=1.0).tolist() == [False, True, False]


def test_time_words_and_years_are_filters_not_names():
    """A reporter's QA: "Kovrig and Spavor in 2019" required the word "2019", "Huawei last summer" "last" and "summer"."""
    assert key_words("Kovrig and Spavor in 2019") == [("Kovrig", "kovrig"), ("Spavor", "spavor")]
    assert key_words("Huawei last summer") == [("Huawei", "huawei")]
    assert named.shown_words("Meng Wanzhou and Kovrig's family in June 2019") == ("Meng Wanzhou", "Kovrig's family")
