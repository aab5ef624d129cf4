"""A turn's best sentence as a lift to its search score.

The hybrid search scores a turn by its best *chunk*: the chunk's cosine with the question (a chunk of up
to a few hundred tokens, often with the journalist's question before it) plus its BM25 share. A turn
whose one sentence says exactly what was asked can lose to a turn that is about the topic in general.
The index already stores a vector for every sentence (pooled from the chunks' forward passes, no model
call here), so the top turns are re-sorted by

    fused score + LIFT × (the best cosine between the question and one of the turn's sentences)

Chosen on the 3,643 training queries (``eval/sentences_train``, no dev set; sentence_head.md §21):
the labelled turn first 0.652 → 0.659 (44 queries won, 18 lost), MRR@10 0.744 → 0.749 at LIFT = 0.2;
0.1 / 0.3 won 22 / 53 and lost 7 / 30.

>>> import numpy as np
>>> lift([1.0, 0.98], [np.array([0.3, 0.4]), np.array([0.6])])  # 1.0 + 0.2 × 0.4 < 0.98 + 0.2 × 0.6
[(1, 1.1), (0, 1.08)]
"""

from __future__ import annotations

import numpy as np

LIFT = 0.2
DEPTH = 10  # only the top turns are re-sorted: the lift reorders near neighbours, it does not search


def best_cosines(table, chunk_ids: list[list[int]], qvec: np.ndarray) -> list[np.ndarray]:  # noqa: ANN001
    """Cosines of ``qvec`` with the stored sentence vectors of each turn (its chunks' ``chunk_ids``);
    an empty array for a turn without sentences. ``table``: a :class:`rag.sentences.SentenceTable`."""
    q = np.asarray(qvec, dtype=np.float32)
    return [table.vectors[table.rows_of(ids)].astype(np.float32) @ q for ids in chunk_ids]


def lift(scores: list[float], cosines: list[np.ndarray], weight: float = LIFT) -> list[tuple[int, float]]:
    """``[(index, score + weight × max(cosines)), ...]`` best first (a turn without sentences gets no lift;
    ties keep the given order)."""
    lifted = [s + weight * (float(c.max()) if len(c) else 0.0) for s, c in zip(scores, cosines, strict=True)]
    return sorted(enumerate(lifted), key=lambda x: (-x[1], x[0]))
