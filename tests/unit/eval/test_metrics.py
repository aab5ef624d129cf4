"""Turn-level metrics (ir-measures) against the textbook formulas; ties; ``--min`` parsing."""

from __future__ import annotations

import math

import pytest

from rag.errors import QueryError
from rag.eval.metrics import check_thresholds, evaluate_run, first_relevant_rank, parse_min
from rag.eval.runs import QueryRun, strictly_decreasing


def _runs(rankings: dict[str, list[str]]) -> dict[str, QueryRun]:
    return {q: QueryRun(q, list(zip(docs, strictly_decreasing([10.0 - i for i in range(len(docs))]), strict=True)))
            for q, docs in rankings.items()}


def test_metrics_match_their_formulas():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1, "c": 1}, "q3": {"z": 1}, "q4": {"d": 1}}
    rankings = {"q1": ["x", "y", "a"], "q2": ["b", "x", "c"], "q3": ["x", "y"], "q4": []}
    agg, per = evaluate_run(qrels, _runs(rankings))

    def first_rank(q):
        return next((i + 1 for i, d in enumerate(rankings[q]) if d in qrels[q]), None)

    # MRR@10 = mean over queries of 1/rank of the first relevant turn (0 if none in the top 10)
    mrr = sum(1 / r if (r := first_rank(q)) and r <= 10 else 0 for q in qrels) / len(qrels)
    assert agg["MRR@10"] == pytest.approx(mrr) == pytest.approx((1 / 3 + 1 + 0 + 0) / 4)

    # R@k = mean of |relevant in top k| / |relevant|
    def recall(k):
        return sum(len(set(rankings[q][:k]) & set(qrels[q])) / len(qrels[q]) for q in qrels) / len(qrels)

    for k in (1, 10, 100):
        assert agg[f"R@{k}"] == pytest.approx(recall(k))
    assert agg["R@1"] == pytest.approx((0 + 0.5 + 0 + 0) / 4)

    # nDCG@10 with binary gains: sum 1/log2(rank+1) over relevant hits / ideal
    def ndcg(q):
        dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(rankings[q][:10]) if d in qrels[q])
        idcg = sum(1 / math.log2(i + 2) for i in range(min(len(qrels[q]), 10)))
        return dcg / idcg

    assert agg["nDCG@10"] == pytest.approx(sum(ndcg(q) for q in qrels) / len(qrels))

    # AP = mean of precision at each relevant hit, divided by |relevant|
    def ap(q):
        hits, total = 0, 0.0
        for i, d in enumerate(rankings[q]):
            if d in qrels[q]:
                hits += 1
                total += hits / (i + 1)
        return total / len(qrels[q])

    assert agg["MAP"] == pytest.approx(sum(ap(q) for q in qrels) / len(qrels))
    assert per["q4"]["MRR@10"] == 0.0 and per["q2"]["R@1"] == 0.5
    runs = _runs(rankings)
    assert [first_relevant_rank(runs[q].ranking, qrels[q]) for q in qrels] == [first_rank(q) for q in qrels]


def test_ties_keep_the_systems_order():
    # Equal (or, in single precision, indistinguishable) scores would be re-sorted by doc id inside
    # trec_eval; the nudged scores keep our order for every provider ir-measures picks.
    scores = strictly_decreasing([0.0325224748, 0.0325224747, 0.0325224747, 0.5e-2])
    assert all(a > b for a, b in zip(scores, scores[1:], strict=False))
    assert scores[-1] == 0.5e-2
    run = {"q": QueryRun("q", list(zip(["aa", "zz", "mm", "bb"], scores, strict=True)))}
    agg, _ = evaluate_run({"q": {"zz": 1}}, run)
    assert agg["MRR@10"] == pytest.approx(1 / 2)  # RR@10 is computed by the msmarco provider
    assert agg["Success@1"] == 0.0 and agg["R@1"] == 0.0  # ... these by pytrec_eval: same ranking
    assert agg["nDCG@10"] == pytest.approx(1 / math.log2(3))


def test_min_spec_parsing():
    assert parse_min("MRR@10=0.8", ["hybrid"]) == (None, "MRR@10", 0.8)
    assert parse_min("bm25:rr@10=0.5", ["bm25", "hybrid"]) == ("bm25", "MRR@10", 0.5)
    assert parse_min("map=0.1", ["hybrid"]) == (None, "MAP", 0.1)
    for bad in ("MRR@10", "foo=1", "MRR@10=x", "dense:MRR@10=1"):
        with pytest.raises(QueryError):
            parse_min(bad, ["hybrid"])


def test_sentence_thresholds_name_a_selector():
    assert parse_min("sentence:quote_first_hit=0.75", ["hybrid"]) == ("sentence", "quote_first_hit", 0.75)
    assert parse_min("chunk:passage_hit=0.5", ["hybrid"]) == ("chunk", "passage_hit@1", 0.5)
    assert parse_min("quote_any_hit=0.9", ["bm25"]) == (None, "quote_any_hit", 0.9)
    for bad in ("hybrid:quote_first_hit=0.5", "nonsense:quote_any_hit=1", "sentence:MRR@10=0.5"):
        with pytest.raises(QueryError):
            parse_min(bad, ["hybrid"])

    results = {"hybrid": {"metrics": {"MRR@10": 0.9}, "quote": None}}
    sentences = {"system": "hybrid", "selectors": {"first": {"quote_first_hit": 0.4},
                                                   "sentence": {"quote_first_hit": 0.8}}}
    mins = [(None, "quote_first_hit", 0.75), ("first", "quote_first_hit", 0.75), (None, "MRR@10", 0.8)]
    got = check_thresholds(results, mins, sentences)
    assert [(t.get("selector"), t["value"], t["ok"]) for t in got] == [("sentence", 0.8, True), ("first", 0.4, False),
                                                                      (None, 0.9, True)]
    assert got[0]["system"] == "hybrid"
    with pytest.raises(QueryError, match="not measured"):
        check_thresholds(results, [("chunk", "quote_first_hit", 0.5)], sentences)
    with pytest.raises(QueryError, match="not measured"):
        check_thresholds(results, [(None, "quote_any_hit", 0.5)], None)
