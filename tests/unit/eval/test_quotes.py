"""Sentence-level quote metrics against their formulas, with small synthetic answers and a fake ``ask``."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from rag.errors import RagError
from rag.eval.datasets import Dataset, GoldSentence, Query
from rag.eval.metrics import SENTENCE_METRICS
from rag.eval.quotes import contains, sentence_check, sentence_metrics

# Two sources; gold sentences are spans of them.
A = "Opening words. We oppose unilateral sanctions. The talks were useful. Next question."
B = "Answer about trade. Tariffs hurt both sides. More words here."


def _span(text: str, part: str) -> tuple[int, int]:
    i = text.index(part)
    return i, i + len(part)


def _gold(qid: str, source: str, text: str, part: str) -> GoldSentence:
    s, e = _span(text, part)
    return GoldSentence(qid, f"{source.split('.')[0]}:1", source, s, e, part)


def _cite(source: str, text: str, part: str, n: int = 1) -> dict:
    s, e = _span(text, part)
    return {"n": n, "source": source, "start": s, "end": e, "quote": part}


G_SANCTIONS = _gold("q1", "a.txt", A, "We oppose unilateral sanctions.")
G_TARIFFS = _gold("q2", "b.txt", B, "Tariffs hurt both sides.")


def test_contains_needs_the_same_source_and_both_ends_inside():
    g = G_SANCTIONS
    assert contains({"source": "a.txt", "start": g.start, "end": g.end}, g)  # exactly the sentence
    assert contains({"source": "a.txt", "start": 0, "end": len(A)}, g)  # a wider span
    assert not contains({"source": "a.txt", "start": g.start, "end": g.end - 1}, g)  # cut short
    assert not contains({"source": "a.txt", "start": g.start + 1, "end": g.end}, g)
    assert not contains({"source": "b.txt", "start": g.start, "end": g.end}, g)  # same offsets, other source


def test_sentence_metrics_match_their_formulas():
    # q1: first citation wrong, second right, top passage covers the gold sentence
    # q2: no citation contains the gold, top passage is in the wrong source
    # q3: first citation right (of two gold sentences, one suffices), no hits at all
    # q4: no citations, no hits
    g3 = [G_SANCTIONS, _gold("q3", "a.txt", A, "The talks were useful.")]
    cases = {
        "q1": ({"citations": [_cite("a.txt", A, "Opening words."), _cite("a.txt", A, "We oppose unilateral sanctions.")],
                "hits": [{"source": "a.txt", "start": 0, "end": len(A)}]}, [G_SANCTIONS]),
        "q2": ({"citations": [_cite("b.txt", B, "Answer about trade."), _cite("b.txt", B, "More words here.")],
                "hits": [{"source": "a.txt", "start": 0, "end": len(A)}]}, [G_TARIFFS]),
        "q3": ({"citations": [_cite("a.txt", A, "The talks were useful.")], "hits": []}, g3),
        "q4": ({"citations": [], "hits": []}, [G_TARIFFS]),
    }
    per = {q: sentence_metrics(answer, gold) for q, (answer, gold) in cases.items()}
    assert per["q1"] == {"quote_first_hit": 0.0, "quote_any_hit": 1.0, "passage_hit@1": 1.0}
    assert per["q2"] == {"quote_first_hit": 0.0, "quote_any_hit": 0.0, "passage_hit@1": 0.0}
    assert per["q3"] == {"quote_first_hit": 1.0, "quote_any_hit": 1.0, "passage_hit@1": 0.0}
    assert per["q4"] == dict.fromkeys(SENTENCE_METRICS, 0.0)

    # the same as formulas over the cases: [first citation contains some gold], [any citation does], [hits[0] does]
    def inside(x, g):
        return x["source"] == g.source and x["start"] <= g.start and g.end <= x["end"]

    for q, (answer, gold) in cases.items():
        cits, hits = answer["citations"], answer["hits"]
        assert per[q]["quote_first_hit"] == float(len(cits) > 0 and any(inside(cits[0], g) for g in gold))
        assert per[q]["quote_any_hit"] == float(any(inside(c, g) for c in cits for g in gold))
        assert per[q]["passage_hit@1"] == float(len(hits) > 0 and any(inside(hits[0], g) for g in gold))


def _dataset(sentences: dict[str, list[GoldSentence]]) -> Dataset:
    queries = [Query("q1", "sanctions?"), Query("q2", "tariffs?"), Query("q3", "unlabelled question")]
    return Dataset("synthetic", Path("."), queries, {q.qid: {"a:1": 1} for q in queries}, sentences=sentences)


RETRIEVER = SimpleNamespace(index=SimpleNamespace(sources={"a.txt": SimpleNamespace(canonical=A),
                                                           "b.txt": SimpleNamespace(canonical=B)}))
PASSAGE_A = {"source": "a.txt", "start": 0, "end": len(A), "text": A, "turn_id": "a:1"}
PASSAGE_B = {"source": "b.txt", "start": 0, "end": len(B), "text": B, "turn_id": "b:1"}
# What each selector answers to each question: (citations, top hit)
ANSWERS = {
    ("first", "sanctions?"): ([_cite("a.txt", A, "Opening words.")], PASSAGE_A),
    ("first", "tariffs?"): ([_cite("b.txt", B, "Answer about trade.")], PASSAGE_B),
    ("chunk", "sanctions?"): ([_cite("a.txt", A, "The talks were useful."),
                               _cite("a.txt", A, "We oppose unilateral sanctions.", 2)], PASSAGE_A),
    ("chunk", "tariffs?"): ([_cite("b.txt", B, "More words here.")], PASSAGE_A),
    ("sentence", "sanctions?"): ([_cite("a.txt", A, "We oppose unilateral sanctions.")], PASSAGE_A),
    ("sentence", "tariffs?"): ([_cite("b.txt", B, "Tariffs hurt both sides.")], PASSAGE_B),
}


def fake_ask(retriever, question, *, k, filters, mode, selector="chunk"):
    fake_ask.calls.append((selector, question, k, mode))
    cits, top = ANSWERS[(selector, question)]
    return {"question": question, "citations": cits, "hits": [top]}


def test_sentence_check_averages_over_labelled_queries_only():
    fake_ask.calls = []
    ds = _dataset({"q1": [G_SANCTIONS], "q2": [G_TARIFFS]})
    summary, per, unavailable, bad = sentence_check(RETRIEVER, ds, ["first", "chunk", "sentence"], ask=fake_ask)
    assert not unavailable and not bad
    # hybrid, k=10, the unlabelled q3 never asked
    assert {(m, k) for _s, _q, k, m in fake_ask.calls} == {("hybrid", 10)}
    assert len(fake_ask.calls) == 3 * 2 and "unlabelled question" not in {q for _s, q, _k, _m in fake_ask.calls}
    # per selector: mean over q1, q2 of each indicator
    assert summary["first"] == {"quote_first_hit": (0 + 0) / 2, "quote_any_hit": (0 + 0) / 2,
                                "passage_hit@1": (1 + 1) / 2}
    assert summary["chunk"] == {"quote_first_hit": (0 + 0) / 2, "quote_any_hit": (1 + 0) / 2,
                                "passage_hit@1": (1 + 0) / 2}
    assert summary["sentence"] == {"quote_first_hit": (1 + 1) / 2, "quote_any_hit": (1 + 1) / 2,
                                   "passage_hit@1": (1 + 1) / 2}
    assert set(per["chunk"]) == {"q1", "q2"}
    assert per["chunk"]["q1"]["citations"][1] == {"source": "a.txt", "start": G_SANCTIONS.start,
                                                  "end": G_SANCTIONS.end}
    assert per["chunk"]["q2"]["passage"] == {"source": "a.txt", "start": 0, "end": len(A)}


def test_sentence_check_reports_quotes_that_are_not_verbatim():
    def shifted_ask(retriever, question, *, k, filters, mode, selector):
        c = dict(_cite("a.txt", A, "We oppose unilateral sanctions."), start=1)  # offsets off by one
        return {"citations": [c], "hits": [PASSAGE_A]}

    ds = _dataset({"q1": [G_SANCTIONS]})
    _summary, _per, _unavailable, bad = sentence_check(RETRIEVER, ds, ["sentence"], ask=shifted_ask)
    assert bad == [f"sentence q1: [1] a.txt 1-{G_SANCTIONS.end}"]


def test_a_selector_ask_does_not_offer_is_skipped_by_default_and_refused_when_asked_for(capsys):
    def ask_without_sentence(retriever, question, *, k, filters, mode, selector="chunk"):
        if selector == "sentence":
            raise RagError("unknown quote selector 'sentence' (one of chunk, first)")
        return fake_ask(retriever, question, k=k, filters=filters, mode=mode, selector=selector)

    def ask_before_selectors(retriever, question, *, k, filters, mode):  # the ask of before issue 9
        return fake_ask(retriever, question, k=k, filters=filters, mode=mode)

    fake_ask.calls = []
    ds = _dataset({"q1": [G_SANCTIONS], "q2": [G_TARIFFS]})
    summary, per, unavailable, _ = sentence_check(RETRIEVER, ds, ["first", "chunk", "sentence"],
                                                  ask=ask_without_sentence, strict=False)
    assert list(summary) == list(per) == ["first", "chunk"] and "unknown quote selector" in unavailable["sentence"]
    assert "quote selector 'sentence' skipped" in capsys.readouterr().err
    with pytest.raises(RagError, match="'sentence' is not available"):
        sentence_check(RETRIEVER, ds, ["sentence"], ask=ask_without_sentence, strict=True)
    summary, _, unavailable, _ = sentence_check(RETRIEVER, ds, ["first", "sentence"], ask=ask_before_selectors,
                                                strict=False)
    assert summary == {} and set(unavailable) == {"first", "sentence"}
