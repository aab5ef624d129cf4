"""rag.named: the turns that name every word of a short question (the timeline's rule for names)."""

import numpy as np
import pytest

from rag import named, store
from rag.named import MAX_SHARE, MAX_WORDS, key_words, naming_turns


def test_key_words_drop_stop_and_asking_words_and_keep_the_first_spelling():
    assert key_words("What did China say about Kovrig?") == [("Kovrig", "kovrig")]
    assert key_words("Kovrig and Spavor, kovrig again") == [("Kovrig", "kovrig"), ("Spavor", "spavor"),
                                                            ("kovrig again", "again")]
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
    tokens_of = {i: named.turn_tokens(t) for i, t in texts.items()}.get
    # "Kovrig Spavor" (together in the question) is not together in turn 0
    assert naming_turns(bm, chunk_turn, 3, ["kovrig", "spavor"], [("kovrig", "spavor")], tokens_of,
                        max_share=1.0).sum() == 0
    assert naming_turns(bm, chunk_turn, 3, ["kovrig"], [("kovrig", "famili")], tokens_of,
                        max_share=1.0).tolist() == [False, True, False]


def test_time_words_and_years_are_filters_not_names():
    """A reporter's QA: "Kovrig and Spavor in 2019" required the word "2019", "Huawei last summer" "last" and "summer"."""
    assert key_words("Kovrig and Spavor in 2019") == [("Kovrig", "kovrig"), ("Spavor", "spavor")]
    assert key_words("Huawei last summer") == [("Huawei", "huawei")]
    assert named.shown_words("Meng Wanzhou and Kovrig's family in June 2019") == ("Meng Wanzhou", "Kovrig", "family")


@pytest.mark.parametrize("question, tokens, runs", [
    # a time word or "China" inside a name of capitalised words is part of the name (a review: "East China Sea" was
    # read as "East" and "Sea", counting the South China Sea)
    ("East China Sea", ["east", "china", "sea"], [("east", "china", "sea")]),
    ("Spring Festival", ["spring", "festiv"], [("spring", "festiv")]),
    ("the 2022 Winter Olympics", ["winter", "olymp"], [("winter", "olymp")]),
    ("What did China say about Kovrig?", ["kovrig"], []),
    # a possessive is not a word, and a name and a common noun need not stand together
    ("Meng Wanzhou's extradition", ["meng", "wanzhou", "extradit"], [("meng", "wanzhou")]),
    ("COVID-19 cases", ["covid", "19", "case"], [("covid", "19", "case")]),
    ("O'Brien", ["o", "brien"], [("o", "brien")]),
])
def test_names_keep_their_words(question, tokens, runs):
    assert [t for _, t in key_words(question)] == tokens and named.phrases(question) == runs


def test_the_share_is_measured_after_the_words_written_together():
    """A review: "trade talks" is held by 284 turns as two words but by 166 as the phrase; the share is the phrase's."""
    texts = ["The trade talks resumed.", "Trade is up; the peace talks stalled."] + [f"Pandas {i}." for i in range(18)]
    bm = store.bm25_from_texts(texts)
    chunk_turn = np.arange(20)
    tokens_of = {i: named.turn_tokens(t) for i, t in enumerate(texts)}.get
    # 2 of 20 turns hold both words (10 % > MAX_SHARE), 1 holds the phrase (5 %): counted, that one
    assert 2 / 20 > MAX_SHARE >= 1 / 20
    assert naming_turns(bm, chunk_turn, 20, ["trade", "talk"], [("trade", "talk")], tokens_of).tolist() == \
        [True] + [False] * 19
    assert naming_turns(bm, chunk_turn, 20, ["trade", "talk"]) is None  # without the phrase: too common
