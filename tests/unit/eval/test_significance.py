"""Paired randomization and t-tests over per-query scores."""

from __future__ import annotations

import pytest

from rag.eval.significance import paired_randomization, paired_ttest, significance


def test_paired_tests():
    a = [1.0] * 30
    assert paired_randomization(a, a) == 1.0
    assert paired_ttest(a, a) == 1.0
    b = [0.0] * 30
    assert paired_randomization(a, b) < 0.001
    sig = significance({"hybrid": {str(i): {"MRR@10": 1.0, "nDCG@10": 1.0} for i in range(5)},
                        "bm25": {str(i): {"MRR@10": 0.5, "nDCG@10": 1.0} for i in range(5)}})
    by = {s["metric"]: s for s in sig}
    assert by["MRR@10"]["diff"] == pytest.approx(0.5) and by["MRR@10"]["wins"] == 5
    assert by["nDCG@10"]["p_randomization"] == 1.0


def test_significance_against_another_base():
    # per-query differences 1, 1, 1, -1 (base minus other): mean 0.5, 3 wins, 1 loss
    per = {"first": {"a": {"m": 0.0}, "b": {"m": 0.0}, "c": {"m": 0.0}, "d": {"m": 1.0}},
           "sentence": {"a": {"m": 1.0}, "b": {"m": 1.0}, "c": {"m": 1.0}, "d": {"m": 0.0}}}
    (row,) = significance(per, base="sentence", metrics=("m",))
    assert (row["a"], row["b"]) == ("sentence", "first")
    assert row["mean_a"] == pytest.approx(3 / 4) and row["mean_b"] == pytest.approx(1 / 4)
    assert row["diff"] == pytest.approx((1 + 1 + 1 - 1) / 4)
    assert (row["wins"], row["losses"]) == (3, 1)
    # 16 equally likely sign patterns of (1, 1, 1, -1); |mean| >= 0.5 for 10 of them (sums +-2, +-4)
    assert row["p_randomization"] == pytest.approx(10 / 16, abs=0.02)
    assert significance(per, base="chunk", metrics=("m",)) == []
