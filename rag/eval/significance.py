"""Paired significance tests over per-query scores: randomization (sign flips) and the t-test.

    >>> paired_randomization([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    1.0
"""

from __future__ import annotations

import math

SIG_METRICS = ("MRR@10", "nDCG@10")
SIG_PERMUTATIONS = 10000


def paired_randomization(a: list[float], b: list[float], *, n: int = SIG_PERMUTATIONS, seed: int = 0) -> float:
    """Two-sided paired randomization (sign-flip) test of mean(a - b) == 0; returns the p-value."""
    import numpy as np

    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if not len(d) or not np.any(d):
        return 1.0
    obs = abs(d.mean())
    rng = np.random.default_rng(seed)
    signs = rng.choice(np.array([-1.0, 1.0]), size=(n, len(d)))
    means = np.abs((signs * d).mean(axis=1))
    return float((np.sum(means >= obs - 1e-12) + 1) / (n + 1))


def paired_ttest(a: list[float], b: list[float]) -> float:
    """Two-sided paired t-test (scipy ``ttest_rel``) p-value; 1.0 when a == b, 0.0 for a constant difference."""
    from scipy import stats

    d = [x - y for x, y in zip(a, b, strict=True)]
    if not any(d):
        return 1.0
    if max(d) == min(d):  # the same non-zero difference on every query: t is infinite
        return 0.0
    p = float(stats.ttest_rel(a, b).pvalue)
    return 1.0 if math.isnan(p) else p


def significance(per_query: dict[str, dict[str, dict[str, float]]], base: str = "hybrid",
                 metrics: tuple[str, ...] = SIG_METRICS) -> list[dict]:
    """``base`` vs every other entry of ``per_query`` (``{name: {query id: {metric: score}}}``).

    One row per (other, metric): means, mean difference, wins/losses (queries where ``base``
    scores higher/lower) and both p-values. Only the query ids of ``base`` are compared.
    """
    out: list[dict] = []
    if base not in per_query:
        return out
    qids = sorted(per_query[base])
    for other in per_query:
        if other == base:
            continue
        for m in metrics:
            a = [per_query[base][q][m] for q in qids]
            b = [per_query[other][q][m] for q in qids]
            wins = sum(x > y for x, y in zip(a, b, strict=True))
            losses = sum(x < y for x, y in zip(a, b, strict=True))
            out.append({"a": base, "b": other, "metric": m, "mean_a": sum(a) / len(a), "mean_b": sum(b) / len(b),
                        "diff": (sum(a) - sum(b)) / len(a), "wins": wins, "losses": losses,
                        "p_randomization": paired_randomization(a, b), "p_ttest": paired_ttest(a, b)})
    return out
