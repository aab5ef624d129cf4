"""The filter notes shown above an answer (rag/ui/chips.py)."""

from __future__ import annotations

import dataclasses

from rag.answer import CLOSE, OPEN, answer_question
from rag.retrieval import make_filters
from rag.ui.cards import render_answer
from rag.ui.chips import filter_notes
from tests.unit.ui.answers import make_retriever, make_source


def test_filter_notes_and_time_phrase():
    r = make_retriever(make_source())
    a = answer_question(r, "What about Huawei in June 2018?")
    assert a.time_phrase == "June 2018"
    assert filter_notes(a, {}) == [f"Dates 1 June 2018 to 30 June 2018 (from {OPEN}June 2018{CLOSE} in the question)"]
    assert filter_notes(dataclasses.replace(a, time_phrase=None)) == [
        "Dates 1 June 2018 to 30 June 2018 (from a time phrase in the question)"]
    a = answer_question(r, "x", filters=make_filters("2018-06-01", "2018-06-30", "Mao Ning", "CCTV"))
    assert filter_notes(a, {"since": "2018-06-01"}) == [
        "Dates 1 June 2018 to 30 June 2018", "Spokesperson: Mao Ning", "Outlet: CCTV"]
    a = answer_question(r, "Global South", filters=make_filters("2020-01-01"))
    assert filter_notes(a, {"since": "2020-01-01"}) == ["Dates 1 January 2020 to the latest transcript"]
    assert filter_notes(answer_question(r, "Global South")) == []
    html_out, md = render_answer(answer_question(r, "What about Huawei in June 2018?"), {})
    assert f"from {OPEN}June 2018{CLOSE} in the question" in html_out and "June 2018" in md
