"""rag.named: the turns that name every word of a short question (the timeline's rule for names)."""

import numpy as np
import pytest

from rag import named
from rag.named import MAX_SHARE, MAX_WORDS, key_words, naming_turns


def test_key_words_drop_stop_and_asking_words_and_keep_the_first_spelling():
    assert key_words("What did China say about Kovrig?") == [("Kovrig", "kovrig")]
    assert key_words("Kovrig and Spavor, kovrig again") == [("Kovrig", "kovrig"), ("Spavor", "spavor"),
                                                            ("kovrig again", "again")]
    assert key_words("WHO") == [("WHO", "who")]  # a name, not an asking word
    assert key_words("What did the spokesperson say?") == []


TEXTS = ["Kovrig is suspected of crimes. Spavor too.", "Kovrig's family visited.", "Pandas in zoos."]


def test_a_turn_holds_a_word_anywhere_in_its_question_or_answer():
    words = named.TurnWords(TEXTS)
    assert naming_turns(words, ["kovrig", "spavor"], max_share=1.0).tolist() == [True, False, False]
    assert naming_turns(words, ["kovrig"], max_share=None).tolist() == [True, True, False]
    assert naming_turns(words, ["skripal"]).tolist() == [False, False, False]  # not in the archive
    allowed = np.array([False, True, True])  # the filters
    assert naming_turns(words, ["kovrig"], allowed=allowed, max_share=None).tolist() == [False, True, False]


def test_the_rule_is_off_for_long_or_common_questions():
    words = named.TurnWords(TEXTS)
    assert naming_turns(words, []) is None
    assert naming_turns(words, ["kovrig"] * (MAX_WORDS + 1)) is None
    # one turn of three holds "spavor": a share of 1/3 > MAX_SHARE, a word running through this archive
    assert 1 / 3 > MAX_SHARE and naming_turns(words, ["spavor"]) is None
    # the same turn among 1 / MAX_SHARE turns is specific enough
    many = named.TurnWords(TEXTS + ["Pandas."] * (round(1 / MAX_SHARE) - 3))
    assert naming_turns(many, ["spavor"]).sum() == 1


def test_words_written_together_must_be_together_in_the_turn():
    assert named.phrases("the trade war and Meng Wanzhou") == [("trade", "war"), ("meng", "wanzhou")]
    assert named.phrases("Kovrig and Spavor") == [] and named.phrases("COVID-19 cases") == [("covid", "19", "case")]
    assert named.phrases("What did China say about the trade war?") == [("trade", "war")]
    words = named.TurnWords(TEXTS)
    # "Kovrig Spavor" (together in the question) is not together in turn 0
    assert naming_turns(words, ["kovrig", "spavor"], [("kovrig", "spavor")], max_share=1.0).sum() == 0
    assert naming_turns(words, ["kovrig"], [("kovrig", "famili")], max_share=1.0).tolist() == [False, True, False]


def test_capitals_are_matched_as_written():
    """A QA reader: "WHO" was counted in every turn saying "who" (738), the WHO is named in 222."""
    words = named.TurnWords(["The WHO said so.", "Those who said so.", "Kim Jong Un met the UN chief."])
    assert named.acronyms("WHO and the UN") == ["WHO", "UN"]
    assert naming_turns(words, ["who"], exact=["WHO"], max_share=1.0).tolist() == [True, False, False]
    assert naming_turns(words, ["un"], exact=["UN"], max_share=1.0).tolist() == [False, False, True]


def test_time_words_and_years_are_filters_not_names():
    """A reporter's QA: "Kovrig and Spavor in 2019" required the word "2019", "Huawei last summer" "last" and
    "summer", "Huawei in the first half of 2019" "first", "June 4" the number 4."""
    assert key_words("Kovrig and Spavor in 2019") == [("Kovrig", "kovrig"), ("Spavor", "spavor")]
    assert key_words("Huawei last summer") == [("Huawei", "huawei")]
    for q in ("Huawei in the first half of 2019", "Huawei from early 2019 to late 2019", "Huawei up to mid-2019",
              "Huawei two years ago", "Huawei in Q1 2020"):
        assert key_words(q) == [("Huawei", "huawei")], q
    assert key_words("June 4") == []
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
    words = named.TurnWords(texts)
    # 2 of 20 turns hold both words (10 % > MAX_SHARE), 1 holds the phrase (5 %): counted, that one
    assert 2 / 20 > MAX_SHARE >= 1 / 20
    assert naming_turns(words, ["trade", "talk"], [("trade", "talk")]).tolist() == [True] + [False] * 19
    assert naming_turns(words, ["trade", "talk"]) is None  # without the phrase: too common
