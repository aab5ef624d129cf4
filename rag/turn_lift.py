"""A turn's best sentence as a lift to its search score.

The hybrid search scores a turn by its best *chunk*: the chunk's cosine with the question (a chunk of up
to a few hundred tokens, often with the journalist's question before it) plus its BM25 share. A turn
whose one sentence says exactly what was asked can lose to a turn that is about the topic in general.
The index already stores a vector for every sentence (pooled from the chunks' forward passes, no model
call here), so the top turns are re-sorted by

    fused score + LIFT × (the best cosine between the question and one of the turn's sentences)

Chosen on the 3,643 training queries (``eval/sentences_train``, no dev set; sentence_head.md §21):
the labelled turn first 0.652 → 0.659 (44 queries won, 18 lost), MRR@10 0.744 → 0.749 at LIFT = 0.2;
0.1 / 0.3 won 22 / 53 and lost 7 / 30. (A best cosine below 0 would lower a score; it counts as 0.)

>>> import numpy as np
>>> lift([1.0, 0.98], [np.array([0.3, 0.4]), np.array([0.6])])  # 1.0 + 0.2 × 0.4 < 0.98 + 0.2 × 0.6
[(1, 1.1), (0, 1.08)]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .errors import RagError

if TYPE_CHECKING:
    from .sentences import SentenceTable

LIFT = 0.2
# Only the top turns are re-sorted, whatever the k asked for: the lift reorders near neighbours, it does not
# search, and ``search(q, k)`` stays a prefix of ``search(q, k + 1)``.
DEPTH = 10


def check_weight(weight: float) -> float:
    """``weight`` if it is a finite number ≥ 0 (0 turns the lift off), else a RagError."""
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight) or weight < 0:
        raise RagError(f"the turn lift must be a finite number >= 0 (0: off), not {weight!r}")
    return float(weight)


def best_cosines(table: SentenceTable, chunk_ids: list[list[int]], qvec: np.ndarray) -> list[np.ndarray]:
    """Cosines of ``qvec`` with the stored sentence vectors of each turn (the rows of its chunks ``chunk_ids``),
    one array per turn (empty for a turn without sentences); one matrix product for all of them."""
    if not chunk_ids:
        return []
    rows = [table.rows_of(ids) for ids in chunk_ids]
    cos = table.vectors[np.concatenate(rows)].astype(np.float32) @ np.asarray(qvec, dtype=np.float32)
    return np.split(cos, np.cumsum([len(r) for r in rows])[:-1])


def lift(scores: list[float], cosines: list[np.ndarray], weight: float = LIFT) -> list[tuple[int, float]]:
    """``[(index, score + weight × max(0, best cosine)), ...]`` best first (a turn without sentences gets no
    lift; ties keep the given order). A score is never lowered, so turns below the lifted ones stay below."""
    lifted = [s + weight * max(0.0, float(c.max()) if len(c) else 0.0) for s, c in zip(scores, cosines, strict=True)]
    return sorted(enumerate(lifted), key=lambda x: (-x[1], x[0]))
