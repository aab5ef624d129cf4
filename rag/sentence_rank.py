"""Score every sentence of a turn against the question, with no model call at ask time.

Each sentence unit (see :mod:`rag.sentences`) gets a row of features (:data:`FEATURES`) followed by
its 384-number MiniLM vector (pooled at index time), and the learned head
(:mod:`rag.sentence_head`) turns the row into the score that ranks the turn's sentences:

* ``cos``: cosine of the question vector and the sentence's stored vector;
* ``lex``: the question's stemmed terms found in the sentence, weighted by their IDF over the chunks
  (a rare name or number counts far more than "China" or "said"), as a share of the question's;
* ``pos``: relative position in the turn (0 first, 1 last);
* ``procedural``: greetings, referrals, "no information", "we noted the reports", questions back
  (:mod:`rag.procedural`), which a reporter never wants as the first quote;
* ``chunk``: cosine of the question and the sentence's chunk (its neighbourhood, question included);
* ``stance``: words that state a position ("opposes", "urges", "firmly", ...), up to three, as a share;
* ``local``: ``lex`` with each term also weighted by how few of the turn's sentences hold it (words
  every sentence repeats do not tell them apart);
* ``restates``: share of the sentence's terms found in the journalist's question;
* ``announces`` / ``after_announcement``: "Our position is consistent and clear." and the sentence after it;
* ``short`` (fewer than eight words) and ``first`` (the turn's first sentence).

Why a learned head: the hand-weighted sum of the first six (:data:`HAND`, the previous ranker)
found a gold sentence of a relevant turn 0.61 of the time on the paraphrase dev set, a blind careful
reader 0.97; the sentence's own vector says what an answer looks like. Numbers:
``eval/results/sentence_head.md``.

    >>> stance("China firmly opposes it and urges the US to stop.")
    1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .records import chunks_by_turn
from .sentence_flags import announces_position, flags_of, stance  # noqa: F401 - stance, announces: API
from .sentence_head import SentenceHead, load_head
from .text import bm25_doc_freq, bm25_idf, bm25_tokens

FEATURES = ("cos", "lex", "pos", "procedural", "chunk", "stance", "local", "restates", "announces",
            "after_announcement", "short", "first")
# The hand-weighted sum that ranked sentences before the head; kept as the evaluation's baseline and
# to set the head's score scale (rag.sentence_head.scaled).
HAND = {"cos": 1.0, "lex": 0.7, "pos": -0.05, "procedural": -0.3, "chunk": 0.3, "stance": 0.3}


def hand_score(x: np.ndarray) -> np.ndarray:
    """The hand-weighted sum (:data:`HAND`) of feature rows laid out as :data:`FEATURES`.

    >>> float(hand_score(np.array([[0.6, 0.5] + [0.0] * 10]))[0]) == 1.0 * 0.6 + 0.7 * 0.5
    True
    """
    return sum(w * x[:, FEATURES.index(k)] for k, w in HAND.items())


@dataclass(frozen=True)
class ScoredUnit:
    start: int
    end: int
    score: float
    words: int
    procedural: bool
    announces: bool = False  # only announces the position the next unit states (see announces_position)
    starts_paragraph: bool = False  # a line break lies between it and the unit before (never joined across)


class SentenceRanker:
    """Ranks the sentence units of a turn for one question. Built once per loaded index; thread-safe."""

    def __init__(self, index, head: SentenceHead | None = None,  # noqa: ANN001 - store.Index
                 turn_chunks: dict[str, list[int]] | None = None) -> None:
        """``turn_chunks``: :func:`rag.records.chunks_by_turn` of the index when the caller already has it."""
        self.index = index
        self.table = index.sentences
        self.head = load_head() if head is None else head
        self._turn_chunks = chunks_by_turn(index.chunks) if turn_chunks is None else turn_chunks
        self._idf = _idf_table(index)
        self._idf_unseen = bm25_idf(len(index.chunks), 0)

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._idf_unseen)

    def features(self, turn_id: str, question: str, qvec: np.ndarray | None, qterms: list[str] | None = None,
                 ) -> tuple[list[ScoredUnit], np.ndarray]:
        """The turn's sentence units in reading order (score 0.0) and their feature rows: :data:`FEATURES`,
        then the sentence vector. The head is trained on exactly these rows (``eval/sentence_head.py``)."""
        rows = self.table.rows_of(self._turn_chunks.get(turn_id, []))
        dims = len(FEATURES) + self.table.vectors.shape[1]
        if len(rows) == 0:
            return [], np.zeros((0, dims), dtype=np.float32)
        canon = self.index.sources[self.index.chunks[int(self.table.chunk[rows[0]])].source].canonical
        turn = self.index.turns.get(turn_id)
        asked = set(bm25_tokens(turn.question)) if turn is not None and turn.question else set()
        terms = set(bm25_tokens(question) if qterms is None else qterms)
        n = len(rows)
        texts = [canon[int(self.table.start[r]):int(self.table.end[r])] for r in rows]
        toks = [set(bm25_tokens(t)) for t in texts]
        df = {t: sum(1 for ts in toks if t in ts) for t in terms}
        total = sum(self.idf(t) for t in terms) or 1.0
        local_total = sum(self.idf(t) * math.log((n + 1) / 0.5) for t in terms) or 1.0
        vecs = self.table.vectors[rows].astype(np.float32)
        cos = vecs @ qvec if qvec is not None else np.zeros(n, dtype=np.float32)
        ccos = self.index.vectors[self.table.chunk[rows]] @ qvec if qvec is not None else np.zeros(n, dtype=np.float32)
        flags = self.flags(rows, texts)
        announces = [bool(a) for a in flags[:, 1]]
        units, feats = [], []
        for k, r in enumerate(rows):
            text, ts = texts[k], toks[k]
            hit = terms & ts
            proc = bool(flags[k, 0])
            words = len(text.split())
            feats.append([float(cos[k]), sum(self.idf(t) for t in hit) / total, k / (n - 1) if n > 1 else 0.0,
                          float(proc), float(ccos[k]), int(flags[k, 2]) / 3,
                          sum(self.idf(t) * math.log((n + 1) / (df[t] + 0.5)) for t in hit) / local_total,
                          len(ts & asked) / max(len(ts), 1), float(announces[k]), float(k > 0 and announces[k - 1]),
                          float(words < 8), float(k == 0)])
            start = int(self.table.start[r])
            para = k > 0 and "\n" in canon[int(self.table.end[rows[k - 1]]):start]
            units.append(ScoredUnit(start, int(self.table.end[r]), 0.0, words, proc, announces[k], para))
        return units, np.hstack([np.asarray(feats, dtype=np.float32), vecs])

    def flags(self, rows: np.ndarray, texts: list[str]) -> np.ndarray:
        """:func:`rag.sentence_flags.flags_of` of the units ``rows`` (their ``texts``): stored by the index when it
        was built with today's patterns, computed otherwise (an older index: the same numbers, ~10 ms more an answer)."""
        stored = self.table.flags_of_rows(rows)
        return flags_of(texts) if stored is None else stored

    def units(self, turn_id: str, question: str, qvec: np.ndarray | None,
              qterms: list[str] | None = None) -> list[ScoredUnit]:
        """Every sentence unit of the turn in reading order, each with the head's score."""
        units, x = self.features(turn_id, question, qvec, qterms)
        if not units:
            return []
        return [replace(u, score=round(float(v), 6)) for u, v in zip(units, self.head.score(x, qvec), strict=True)]


def _idf_table(index) -> dict[str, float]:  # noqa: ANN001
    """IDF of every BM25 term over the chunks."""
    n = len(index.chunks)
    return {t: bm25_idf(n, df) for t, df in bm25_doc_freq(index.bm25).items()}
