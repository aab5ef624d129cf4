"""Pick the sentences of the top turns that best answer the question, as verbatim spans.

A :class:`Quote` is only ever made from offsets into a source's canonical text:
``quote.text == source.canonical[quote.start:quote.end]`` by construction, and
:func:`check_verbatim` re-checks it before anything is returned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import RagError
from .retrieval import Hit, SearchResult
from .text import bm25_tokens, sentence_spans

# Below this cosine the best hit is not an answer. Measured on the 500-page index: 10 off-topic
# questions (recipes, sport, code) top out at 0.11-0.30; 10 on-topic ones start at 0.60.
MIN_DENSE = 0.35


@dataclass(frozen=True)
class Quote:
    n: int
    start: int
    end: int
    text: str
    hit: Hit
    score: float | None = None  # the selector's score for this quote (None: the selector gives none)


def check_verbatim(q: Quote) -> None:
    """Raise if a quote is not exactly its source's canonical text at its offsets."""
    if q.hit.source.canonical[q.start:q.end] != q.text or not q.text:
        raise RagError(f"internal error: quote [{q.n}] is not verbatim in {q.hit.source.source}")


def is_found(result: SearchResult, min_dense: float = MIN_DENSE) -> bool:
    """Whether the best hit is close enough to count as an answer."""
    if not result.hits:
        return False
    top = result.hits[0]
    if result.query_vector is None:  # BM25 only: any lexical match counts
        return top.bm25 > 0
    return top.dense >= min_dense


SELECTORS = ("chunk", "first")


def select_quotes(result: SearchResult, encoder=None, *, max_turns: int = 3,  # noqa: ANN001
                  max_per_turn: int = 2, min_dense: float = MIN_DENSE, selector: str = "chunk") -> list[Quote]:
    """Verbatim quotes from the best hits, numbered from 1 in reading order.

    ``selector``: ``"chunk"`` ranks the sentences of each turn's best chunk; ``"first"`` quotes the
    first sentence of each turn (the baseline the evaluation compares against).
    """
    if selector not in SELECTORS:
        raise RagError(f"unknown quote selector {selector!r} (one of {', '.join(SELECTORS)})")
    if not is_found(result, min_dense):
        return []
    top = result.hits[0]
    chosen = [top] + [
        h for h in result.hits[1:max_turns]
        # Keep further turns only when they are nearly as relevant as the best one.
        if h.turn.turn_id != top.turn.turn_id and (result.query_vector is None or h.dense >= max(min_dense, top.dense - 0.08))
    ]
    if selector == "first":
        return _number([_first_sentence(h) for h in chosen])
    cands: list[tuple[int, int, int]] = []  # (hit index, start, end)
    for hi, h in enumerate(chosen):
        for s, e in sentence_spans(h.chunk.text, h.chunk.start):
            cands.append((hi, s, e))
    texts = [chosen[hi].source.canonical[s:e] for hi, s, e in cands]
    # Embedding sentences is the slow part of an answer (~4 ms each here), so only the best turn's
    # candidates are embedded; the other turns' sentences are ranked by term overlap and position.
    # Scores are only compared within a turn, so a best turn of one sentence needs no embedding.
    dense_mask = np.array([hi == 0 for hi, _, _ in cands], dtype=bool)
    if dense_mask.sum() < 2:
        dense_mask[:] = False
    first = np.array([i == 0 or cands[i - 1][0] != cands[i][0] for i in range(len(cands))], dtype=bool)
    scores = _score(result, texts, encoder, dense_mask, first)
    quotes: list[Quote] = []
    for hi, h in enumerate(chosen):
        idx = [i for i, c in enumerate(cands) if c[0] == hi]
        if not idx:
            continue
        order = sorted(idx, key=lambda i: -scores[i])
        pick = [order[0]]
        for i in order[1:max_per_turn]:
            # A second sentence only if it is nearly as good, or the best one is too short to stand alone.
            if scores[i] >= scores[order[0]] - 0.05 or len(texts[order[0]].split()) < 12:
                pick.append(i)
        pick.sort()
        for span in _merge([(cands[i][1], cands[i][2]) for i in pick], h.source.canonical):
            quotes.append(Quote(0, span[0], span[1], h.source.canonical[span[0]:span[1]], h))
    return _number(quotes)


def _number(quotes: list[Quote]) -> list[Quote]:
    numbered = [Quote(n, q.start, q.end, q.text, q.hit, q.score) for n, q in enumerate(quotes, start=1)]
    for q in numbered:
        check_verbatim(q)
    return numbered


def _first_sentence(h: Hit) -> Quote:
    canon, t = h.source.canonical, h.turn
    s, e = sentence_spans(canon[t.start:t.end], t.start)[0]
    return Quote(0, s, e, canon[s:e], h)


def _score(result: SearchResult, texts: list[str], encoder, dense_mask: np.ndarray,  # noqa: ANN001
           first: np.ndarray) -> np.ndarray:
    """Cosine to the question (where ``dense_mask`` and an encoder allow) plus term overlap,
    plus a small bonus for the first sentence of a chunk (where answers usually state the position)."""
    qtok = set(bm25_tokens(result.question))
    lex = np.array([len(qtok & set(bm25_tokens(t))) / max(len(qtok), 1) for t in texts], dtype=np.float32)
    sims = np.zeros(len(texts), dtype=np.float32)
    if encoder is not None and result.query_vector is not None and dense_mask.any():
        idx = np.flatnonzero(dense_mask)
        sims[idx] = encoder.encode([texts[i] for i in idx]) @ result.query_vector
    return sims + 0.3 * lex + 0.03 * first


def _merge(spans: list[tuple[int, int]], canonical: str) -> list[tuple[int, int]]:
    """Join sentence spans that are adjacent in the text (only whitespace between them)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and canonical[out[-1][1]:s].strip() == "" and "\n" not in canonical[out[-1][1]:s]:
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]
