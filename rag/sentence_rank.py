"""Score every sentence of a turn against the question, with no model call at ask time.

The score of a sentence unit (see :mod:`rag.sentences`) is a weighted sum of

* ``cos``: cosine of the question vector and the sentence's stored vector (pooled at index time);
* ``lex``: the question's stemmed terms found in the sentence, weighted by their IDF over the chunks
  (so a rare name or number counts far more than "China" or "said"), as a share of the question's;
* ``pos``: the sentence's relative position in the turn (0 first, 1 last): a weak prior, because
  answers often open with scene-setting and state the position after it;
* ``procedural``: 1 for greetings, referrals, "no information", "we noted the reports" and questions
  back (:mod:`rag.procedural`), which a reporter never wants as the first quote;
* ``chunk``: cosine of the question and the sentence's chunk (its neighbourhood, question included);
* ``stance``: words that state a position ("opposes", "urges", "firmly", "should", "never", ...), up
  to three, as a share of three. Without it the best-matching sentence is often the one that
  *restates* the question ("Ross held trade talks in Beijing…") rather than the one that answers it.

Why these weights: on the 261 (query, relevant turn) pairs of the paraphrase set with gold sentences,
the best-scored sentence is a gold one for 0.57 of pairs in 2-fold cross-validation (cosine alone
0.52, first sentence 0.34); a pairwise logistic regression over twelve features did no better
(0.56), so the short hand-tuned sum is kept. Numbers: ``eval/results/sentences.md``.

    >>> w = SentenceWeights()
    >>> score_row(0.6, 0.5, 0.0, False, w) == w.cos * 0.6 + w.lex * 0.5
    True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .procedural import is_procedural
from .text import bm25_tokens

_STANCE = re.compile(
    r"\b(oppose[sd]?|urge[sd]?|hope[sd]?|believe[sd]?|welcome[sd]?|support[sd]?|firmly|never|always|should|must"
    r"|stand ready|call on|reject[sd]?|condemn[sd]?|demand[sd]?|consistent|clear-cut|resolutely|strongly|will not"
    r"|won't|cannot|no one|nobody|groundless|totally|completely)\b", re.IGNORECASE)


# A sentence that only announces that there is a position ("Our position on Kashmir is consistent and
# clear.", "I would like to stress three points:") is not the position: the sentence after it is, so
# the two are quoted together (rag.quoting). 234 such sentences in the 500 English pages; in a random
# 25 of them the next sentence stated the position (or its first point) 21 times (the rest: two
# referrals, "The relevant companies know it very well.", nothing after it).
_ANNOUNCES = re.compile(
    r"\b(position|stance|attitude)\b[^.;:]{0,80}\b(is|are|remains?|has (always )?been)\s+(very |also |always |both )?"
    r"(clear|consistent|firm|unchanged|clear-cut|unequivocal|clear and consistent|consistent and clear|firm and clear)"
    r"\s*[.!]?\s*$"
    r"|\b(consistent|clear|firm)( and (clear|consistent|firm))? (position|stance)( (on|regarding|towards?) [^.;:]{0,50})?"
    r"[.!]?\s*$"
    r"|:\s*$", re.IGNORECASE)


def announces_position(text: str) -> bool:
    """Whether ``text`` only announces a position that the next sentence states.

    >>> announces_position("China's position on the issue of Kashmir is consistent and clear.")
    True
    >>> announces_position("China's position is clear: we oppose unilateral sanctions.")
    False
    """
    return bool(_ANNOUNCES.search(text.strip()))


def stance(text: str) -> float:
    """Share of three position-stating words found in ``text`` (0, 1/3, 2/3 or 1).

    >>> stance("China firmly opposes it and urges the US to stop.")
    1.0
    """
    return min(len(_STANCE.findall(text)), 3) / 3


@dataclass(frozen=True)
class SentenceWeights:
    cos: float = 1.0
    lex: float = 0.7
    pos: float = 0.05
    procedural: float = 0.3
    chunk: float = 0.3
    stance: float = 0.3


def score_row(cos: float, lex: float, pos: float, procedural: bool, w: SentenceWeights, chunk: float = 0.0,
              stance_share: float = 0.0) -> float:
    return (w.cos * cos + w.lex * lex - w.pos * pos - w.procedural * float(procedural) + w.chunk * chunk
            + w.stance * stance_share)


@dataclass(frozen=True)
class ScoredUnit:
    start: int
    end: int
    score: float
    words: int
    procedural: bool
    announces: bool = False  # only announces the position the next unit states (see announces_position)


class SentenceRanker:
    """Ranks the sentence units of a turn for one question. Built once per loaded index; thread-safe."""

    def __init__(self, index, weights: SentenceWeights = SentenceWeights()) -> None:  # noqa: ANN001 - store.Index
        self.index = index
        self.table = index.sentences
        self.weights = weights
        self._turn_chunks: dict[str, list[int]] = {}
        for c in index.chunks:
            self._turn_chunks.setdefault(c.turn_id, []).append(c.chunk_id)
        self._idf = _idf_table(index)
        self._idf_unseen = _idf(len(index.chunks), 0)

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._idf_unseen)

    def units(self, turn_id: str, question: str, qvec: np.ndarray | None,
              qterms: list[str] | None = None) -> list[ScoredUnit]:
        """Every sentence unit of the turn in reading order, each with its score."""
        rows = self.table.rows_of(self._turn_chunks.get(turn_id, []))
        if len(rows) == 0:
            return []
        src = self.index.sources[self.index.chunks[int(self.table.chunk[rows[0]])].source]
        canon = src.canonical
        terms = set(bm25_tokens(question) if qterms is None else qterms)
        total = sum(self.idf(t) for t in terms) or 1.0
        cos = (self.table.vectors[rows].astype(np.float32) @ qvec) if qvec is not None else np.zeros(len(rows))
        chunk_ids = self.table.chunk[rows]
        ccos = (self.index.vectors[chunk_ids] @ qvec) if qvec is not None else np.zeros(len(rows))
        out = []
        n = len(rows)
        for k, r in enumerate(rows):
            s, e = int(self.table.start[r]), int(self.table.end[r])
            text = canon[s:e]
            lex = sum(self.idf(t) for t in terms & set(bm25_tokens(text))) / total
            proc = is_procedural(text)
            pos = k / (n - 1) if n > 1 else 0.0
            score = score_row(float(cos[k]), lex, pos, proc, self.weights, float(ccos[k]), stance(text))
            out.append(ScoredUnit(s, e, score, len(text.split()), proc, announces_position(text)))
        return out


def _idf_table(index) -> dict[str, float]:  # noqa: ANN001
    """IDF of every BM25 term over the chunks, from the bm25s index's own postings (no re-tokenising)."""
    bm = index.bm25
    vocab = getattr(bm, "vocab_dict", None) or {}
    indptr = np.asarray(bm.scores["indptr"])
    df = np.diff(indptr)
    n = len(index.chunks)
    return {t: _idf(n, int(df[i])) for t, i in vocab.items() if i < len(df)}


def _idf(n: int, df: int) -> float:
    """BM25's IDF of a term found in ``df`` of ``n`` chunks."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
