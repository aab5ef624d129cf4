"""rag.answer: follow-ups through the ask path, and the order of an answer's statements."""

from __future__ import annotations

import pytest

from rag.answer import answer_question, reorder, to_json
from rag.errors import QueryError
from tests.unit.ui.answers import make_retriever, make_source


def _conf(date: str, answer: str, name: str):
    y, m, d = date.split("-")
    month = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"][int(m) - 1]
    return make_source(f"Regular Press Conference on {month} {int(d)}, {y}\nAFP: What about the pandas loan?\n"
                       f"Geng Shuang: {answer}\n", name)


@pytest.fixture(scope="module")
def retriever():
    return make_retriever(_conf("2019-03-04", "The pandas loan to Xanadu zoo is a sign of friendship in 2019.", "a.txt"),
                          _conf("2020-05-06", "The pandas loan to Xanadu zoo goes on in 2020 as planned.", "b.txt"),
                          _conf("2020-06-08", "Pandas loan news: the Xanadu zoo pandas are healthy.", "c.txt"))


def test_followup_is_searched_with_the_threads_topic(retriever):
    a = answer_question(retriever, "And in 2020?", context=["What about the pandas loan to Xanadu zoo?"])
    out = to_json(a)
    assert out["followup"] is True and out["question"] == "And in 2020?"
    assert out["understood_as"] == "What about the pandas loan to Xanadu zoo? in 2020"
    assert out["filters"]["since"] == "2020-01-01" and a.found
    assert {c["date"][:4] for c in out["citations"]} == {"2020"}
    alone = to_json(answer_question(retriever, "And in 2020?"))
    assert alone["followup"] is False and alone["understood_as"] == "And in 2020?"


def test_earlier_narrows_to_before_the_topics_best_answer(retriever):
    a = answer_question(retriever, "Anything earlier?", context=["What about the pandas loan to Xanadu zoo in 2020?"])
    best = answer_question(retriever, "What about the pandas loan to Xanadu zoo in 2020?").hits[0].date
    assert a.followup and a.filters["until"] < best


def test_reorder_by_date_renumbers_and_recomposes(retriever):
    a = answer_question(retriever, "pandas loan Xanadu zoo")
    assert len(a.citations) >= 2
    newest, oldest = reorder(a, "newest"), reorder(a, "oldest")
    dates = [c.date for c in newest.citations]
    assert dates == sorted(dates, reverse=True) and [c.date for c in oldest.citations] == sorted(dates)
    assert [c.n for c in newest.citations] == list(range(1, len(dates) + 1))
    for c in newest.citations:
        assert f"\u201c{c.quote}\u201d [{c.n}]" in newest.text
    assert {c.quote for c in newest.citations} == {c.quote for c in a.citations}
    assert reorder(a, "relevance") is a
    with pytest.raises(QueryError):
        reorder(a, "random")
