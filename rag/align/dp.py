"""The dynamic programme both alignments share: best monotonic path, and each unit's best alternatives.

Two sequences (English units ``0..n-1``, Chinese units ``0..m-1``: turns, or sentences of a turn) are
aligned by :class:`Step` s: English units ``[i, i + di)`` go with Chinese units ``[j, j + dj)`` (either
range may be empty: a unit without counterpart), at a log score. A path from ``(0, 0)`` to ``(n, m)``
is an alignment; its score is the sum of its steps'.

:func:`best` runs the forward and backward passes and returns, for every English unit, the best
path's score *per target* its step gives it: the best target is the best path's, and the margin
over the runner-up is the log odds the confidence is made of (what any other answer for that unit
would cost).

    >>> steps = [Step(0, 0, 1, 1, 2.0, "a"), Step(0, 0, 1, 0, -1.0, None, -1.0), Step(0, 1, 1, 0, -1.0, None, -1.0)]
    >>> steps += [Step(0, 0, 0, 1, -1.0, None, -1.0), Step(1, 0, 0, 1, -1.0, None, -1.0)]
    >>> best(steps, 1, 1)
    {0: {'a': (2.0, 2.0), None: (-2.0, 0.0)}}
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """English units ``[i, i + di)`` with Chinese units ``[j, j + dj)``, scored ``score``; ``target``
    is what the English units get (a Chinese index, a range, or None for no counterpart)."""

    i: int
    j: int
    di: int
    dj: int
    score: float
    target: Hashable
    prior: float = 0.0  # the part of ``score`` that is the shape's prior, not evidence


def best(steps: list[Step], n: int, m: int) -> dict[int, dict[Hashable, tuple[float, float]]]:
    """For every English unit and each of its possible targets: the score of the best path giving it
    that target, and the evidence (score less prior) of that path's step for the unit.

    ``steps`` must be ordered by their start ``(i, j)`` (then any order): each start cell is then
    final before a step leaves it, in the forward pass and (reversed) in the backward one.
    """
    neg = -math.inf
    fwd = [[neg] * (m + 1) for _ in range(n + 1)]
    bwd = [[neg] * (m + 1) for _ in range(n + 1)]
    fwd[0][0] = 0.0
    bwd[n][m] = 0.0
    for s in steps:
        if fwd[s.i][s.j] > neg:
            v = fwd[s.i][s.j] + s.score
            if v > fwd[s.i + s.di][s.j + s.dj]:
                fwd[s.i + s.di][s.j + s.dj] = v
    for s in reversed(steps):
        v = bwd[s.i + s.di][s.j + s.dj] + s.score
        if v > bwd[s.i][s.j]:
            bwd[s.i][s.j] = v
    per_unit: dict[int, dict[Hashable, tuple[float, float]]] = {i: {} for i in range(n)}
    for s in steps:
        if s.di == 0 or fwd[s.i][s.j] == neg:
            continue
        through = fwd[s.i][s.j] + s.score + bwd[s.i + s.di][s.j + s.dj]
        for i in range(s.i, s.i + s.di):
            if through > per_unit[i].get(s.target, (neg, 0.0))[0]:
                per_unit[i][s.target] = (through, s.score - s.prior)
    return per_unit


def confidence(options: dict[Hashable, tuple[float, float]]) -> tuple[Hashable, float]:
    """The best target of a unit (from :func:`best`) and how sure: ``1 / (1 + exp(-(best - runner-up)))``.

    >>> confidence({"a": (5.0, 1.0), None: (2.0, 0.0)})
    ('a', 0.9526)
    """
    ranked = sorted(options.items(), key=lambda kv: -kv[1][0])
    target, (top, _) = ranked[0]
    margin = top - ranked[1][1][0] if len(ranked) > 1 else math.inf
    return target, round(1.0 / (1.0 + math.exp(-margin)) if margin < 50 else 1.0, 4)
