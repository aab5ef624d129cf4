"""Corpus facts and example questions (rag/ui/facts.py), taken from the index."""

from __future__ import annotations

from types import SimpleNamespace

from rag.records import Source, Turn
from rag.ui.facts import corpus_facts, example_questions


def _corpus(questions: list[str]) -> SimpleNamespace:
    turns = tuple(Turn(turn_id=f"s:{i}", source="s.txt", n=i, kind="answer", spokesperson="Lin Jian",
                       outlet="AFP", question=q, question_start=None, question_end=None, start=0, end=1, text="x")
                  for i, q in enumerate(questions, start=1))
    src = Source(source="s.txt", canonical="x", title=None, date="2024-05-01", date_inferred=False,
                 spokesperson="Lin Jian", url=None, kind="conference", turns=turns)
    return SimpleNamespace(sources={"s.txt": src}, date_range=lambda: ("2024-05-01", "2024-05-01"))


def test_example_questions_come_from_the_index():
    idx = _corpus([
        "Yesterday a report came out. Do you have more to share on this?",  # points back at context
        "The SCO summit opens next week. What's China's expectation of the SCO meeting?",
        "What is China's comment?",  # names nothing
        "Will Premier Li Qiang attend the G20 summit in Rio de Janeiro?",
    ])
    assert example_questions(idx) == ["What's China's expectation of the SCO meeting?",
                                      "Will Premier Li Qiang attend the G20 summit in Rio de Janeiro?"]
    assert example_questions(None) == []
    facts = corpus_facts(idx)
    assert facts["spokespersons"] == ["Lin Jian"] and facts["outlets"] == [("AFP (4)", "AFP")] and facts["sources"] == 1
