"""rag.anchor: a rare name of the question held by the best turn makes it an answer below the cosine threshold."""

import pytest

from rag.anchor import ANCHOR_MIN_DENSE, MAX_SHARE, anchored, rare_names
from rag.answer import answer_question
from rag.quoting import MIN_DENSE
from tests.unit.ui.answers import make_retriever, make_source

N = 11795  # chunks of the 500-page index
DF = {"nba": 12, "morey": 3, "us": 5000, "xanadu": 1}


def test_rare_names_are_capitalised_and_rare_in_the_archive():
    assert rare_names("What about the NBA and the US?", DF, N) == {"nba"}  # "US" is in 42 % of the chunks
    assert rare_names("What about the nba?", DF, N) == set()  # written as a word, not a name
    assert rare_names("What about Zhurong?", DF, N) == set()  # in no chunk: nothing to hold (rag.absent says so)
    # a sentence's first word is capitalised for the sentence unless written in capitals
    assert rare_names("Xanadu pandas", DF, N) == set() and rare_names("NBA pandas", DF, N) == {"nba"}
    # the share is the archive's: one chunk in 50 is too common for a name
    assert rare_names("On Xanadu", {"xanadu": 2}, 100) == set() and MAX_SHARE * 100 < 2


def test_the_best_turn_must_hold_the_name_and_reach_the_floor():
    assert anchored("What about the NBA?", ANCHOR_MIN_DENSE, "The NBA crisis continues.", DF, N)
    assert not anchored("What about the NBA?", ANCHOR_MIN_DENSE - 0.01, "The NBA crisis continues.", DF, N)
    assert not anchored("What about the NBA?", 0.34, "Sport is sport.", DF, N)  # the turn does not name it
    assert ANCHOR_MIN_DENSE < MIN_DENSE


def _conf(i: int, answer: str):
    return make_source(f"Regular Press Conference on March {i % 28 + 1}, 2019\nAFP: A question?\nGeng Shuang: {answer}\n",
                       f"c{i:03d}.txt")


@pytest.fixture(scope="module")
def retriever():
    # 120 turns on trade and one on the Xanadu club: "Xanadu" is in under 1 % of the chunks
    return make_retriever(*[_conf(i, f"Trade talks go on as planned in round {i} with partners.") for i in range(120)],
                          _conf(200, "The Xanadu club tour is a private matter."))


def test_an_answer_below_the_threshold_is_found_when_it_holds_a_rare_name(retriever):
    """A reporter's QA: "What did Hua Chunying say about the NBA and Daryl Morey?" was "Not found" (cosine 0.31),
    her answer on the NBA first; "Morey" is in none of her turns."""
    q = "And the Xanadu club and Morey and fans and owners and sponsors?"
    res = retriever.search(q, k=3)
    assert ANCHOR_MIN_DENSE <= res.hits[0].dense < MIN_DENSE  # not found by the cosine alone
    a = answer_question(retriever, q)
    assert a.found and [c.quote for c in a.citations] == ["The Xanadu club tour is a private matter."]
    # the same words, the name written as a sentence's first word: no name to vouch, "Not found" as before
    assert not answer_question(retriever, "Xanadu club and Morey and fans and owners and sponsors?").found
