"""Hybrid retrieval: dense (FAISS) + BM25 (bm25s), fused, filtered, folded to turns.

Filters are applied *inside* both searches (a FAISS ID selector and a BM25
weight mask), so the top-k is filled with matching turns rather than being a
post-filter of a global top-k. Chunk scores are folded to their turn (best
chunk wins), so several chunks of one long answer never crowd out other turns.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .embedding import Encoder
from .errors import QueryError
from .records import Chunk, Source, Turn
from .store import Index
from .text import bm25_tokens
from .timeparse import parse_time_phrase

MAX_QUESTION_CHARS = 2000
MAX_K = 100


@dataclass(frozen=True)
class Filters:
    since: str | None = None
    until: str | None = None
    spokesperson: str | None = None
    outlet: str | None = None

    def to_dict(self) -> dict:
        return {"since": self.since, "until": self.until, "spokesperson": self.spokesperson, "outlet": self.outlet}

    def active(self) -> bool:
        return any(self.to_dict().values())


def make_filters(since: str | None = None, until: str | None = None, spokesperson: str | None = None,
                 outlet: str | None = None) -> Filters:
    """Validated filters; raises QueryError with the expected format."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value != "":
            try:
                _dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                raise QueryError(f"the {name} date must look like 2019-06-30 (YYYY-MM-DD), not {value!r}") from None
            if len(value) != 10:
                raise QueryError(f"the {name} date must look like 2019-06-30 (YYYY-MM-DD), not {value!r}")
    if since and until and since > until:
        raise QueryError(f"the since date ({since}) is after the until date ({until})")
    for name, value in (("spokesperson", spokesperson), ("outlet", outlet)):
        if value is not None and len(value) > 200:
            raise QueryError(f"{name} filter is too long (at most 200 characters)")
    return Filters(since or None, until or None, (spokesperson or "").strip() or None, (outlet or "").strip() or None)


def filter_mask(f: Filters, dates: Sequence[str], spokespeople: Sequence[str] | None = None,
                outlets: Sequence[str] | None = None) -> np.ndarray | None:
    """Boolean mask of the rows that pass ``f``; None when no filter applies.

    Rows are described by parallel columns: ISO dates ("" = undated, which no date filter
    passes) and lower-cased spokesperson and outlet names (a filter matches a substring). A
    column left out is not filtered on (the naive baseline's pages have no single outlet).

    >>> filter_mask(Filters(since="2023-01-01"), ["2022-12-31", "2023-01-02", ""]).tolist()
    [False, True, False]
    >>> filter_mask(Filters(outlet="AFP"), ["2023-01-02"]) is None
    True
    """
    use_spk = bool(f.spokesperson) and spokespeople is not None
    use_outlet = bool(f.outlet) and outlets is not None
    if not (f.since or f.until or use_spk or use_outlet):
        return None
    m = np.ones(len(dates), dtype=bool)
    if f.since or f.until:
        m &= np.array([d != "" for d in dates], dtype=bool)
        if f.since:
            m &= np.array([d >= f.since for d in dates], dtype=bool)
        if f.until:
            m &= np.array([d != "" and d <= f.until for d in dates], dtype=bool)
    if use_spk:
        s = f.spokesperson.lower()
        m &= np.array([s in x for x in spokespeople], dtype=bool)
    if use_outlet:
        o = f.outlet.lower()
        m &= np.array([o in x for x in outlets], dtype=bool)
    return m


def dense_search(index, qvec: np.ndarray, n: int, mask: np.ndarray | None) -> dict[int, float]:  # noqa: ANN001
    """The ``n`` rows of a FAISS inner-product ``index`` nearest to ``qvec``: ``{row: score}``, best first.

    ``mask`` (rows allowed) is applied inside the search by an ID selector, so the top ``n``
    is filled with allowed rows rather than being a post-filter of a global top ``n``.
    """
    import faiss

    params = None
    if mask is not None:
        bits = np.packbits(mask, bitorder="little")
        params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits)))
    scores, ids = index.search(qvec[None, :].astype(np.float32), n, params=params)
    return {int(i): float(s) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0}


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    chunk: Chunk
    turn: Turn
    source: Source
    dense: float = 0.0  # cosine of the best chunk
    bm25: float = 0.0
    passage: tuple[int, int] | None = None  # span shown for this turn; None: the best chunk's span


@dataclass(frozen=True)
class FusionParams:
    # Weighted (cosine + 0.3 x BM25/best BM25) beat RRF on the paraphrase dev set:
    # MRR@10 0.898 vs 0.875 with the chunking defaults below (eval/results/tuning/).
    method: str = "weighted"  # "weighted" or "rrf"
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 0.3
    candidates: int = 200  # chunks taken from each retriever before fusion


def fuse(dense: dict[int, float], bm25: dict[int, float], mode: str, params: FusionParams = FusionParams()
         ) -> dict[int, float]:
    """Fused score per chunk row from one query's dense (cosine) and BM25 scores.

    ``mode`` "dense" or "bm25" returns that list's scores as they are; "hybrid" combines both by
    ``params.method``, a chunk missing from one list getting nothing from it:

    - "weighted": ``dense_weight * cosine + bm25_weight * bm25 / (best bm25 of this query)``;
    - "rrf": the sum over both lists of ``weight / (rrf_k + rank)``, ranks from 1 by descending score.

        >>> fuse({1: 0.8}, {1: 4.0, 2: 2.0}, "hybrid", FusionParams(bm25_weight=0.5))
        {1: 1.3, 2: 0.25}
    """
    if mode == "dense":
        return dict(dense)
    if mode == "bm25":
        return dict(bm25)
    f = params
    fused: dict[int, float] = {}
    if f.method == "rrf":
        for w, scores in ((f.dense_weight, dense), (f.bm25_weight, bm25)):
            for r, i in enumerate(sorted(scores, key=scores.get, reverse=True)):
                fused[i] = fused.get(i, 0.0) + w / (f.rrf_k + r + 1)
        return fused
    # weighted: cosine plus BM25 scaled by its best score in this query
    top_b = max(bm25.values(), default=0.0) or 1.0
    for i in set(dense) | set(bm25):
        fused[i] = f.dense_weight * dense.get(i, 0.0) + f.bm25_weight * bm25.get(i, 0.0) / top_b
    return fused


@dataclass
class SearchResult:
    question: str
    filters: Filters
    time_phrase: str | None
    hits: list[Hit]
    query_vector: np.ndarray | None = None
    searched_sources: int = 0
    date_range: tuple[str | None, str | None] = (None, None)
    extra: dict = field(default_factory=dict)


class Retriever:
    """Search one loaded :class:`~rag.store.Index`. Safe to share between threads."""

    def __init__(self, index: Index, encoder: Encoder | None, fusion: FusionParams = FusionParams()) -> None:
        self.index = index
        self.encoder = encoder
        self.fusion = fusion
        n = len(index.chunks)
        turns = index.turns
        srcs = index.sources
        self._chunk_turn = [turns[c.turn_id] for c in index.chunks]
        self._date = np.array([srcs[c.source].date or "" for c in index.chunks], dtype=object)
        self._spk = np.array([(t.spokesperson or "").lower() for t in self._chunk_turn], dtype=object)
        self._outlet = np.array([(t.outlet or "").lower() for t in self._chunk_turn], dtype=object)
        self._n = n
        self._undated = sum(1 for s in srcs.values() if not s.date)
        vocab = getattr(index.bm25, "vocab_dict", None) or {}
        self._vocab = vocab
        self._ranker = None
        self._ranker_lock = threading.Lock()

    def sentence_ranker(self):  # noqa: ANN201 - rag.sentence_rank.SentenceRanker
        """The index's sentence ranker, built on first use (it reads the BM25 postings once)."""
        with self._ranker_lock:
            if self._ranker is None:
                from .sentence_rank import SentenceRanker

                self._ranker = SentenceRanker(self.index)
            return self._ranker

    # -- filters -------------------------------------------------------------

    def mask(self, f: Filters) -> np.ndarray | None:
        """Boolean mask of chunks that pass ``f`` (None when nothing is filtered)."""
        return filter_mask(f, self._date, self._spk, self._outlet)

    # -- search --------------------------------------------------------------

    def search(self, question: str, k: int = 10, filters: Filters = Filters(), *,
               parse_time: bool = True, mode: str = "hybrid") -> SearchResult:
        """Top-``k`` turns for ``question``. ``mode`` is "hybrid", "dense" or "bm25"."""
        question = check_question(question)
        if not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise QueryError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
        phrase = None
        if parse_time and not (filters.since or filters.until):
            parsed = parse_time_phrase(question)
            if parsed:
                filters = replace(filters, since=parsed[0], until=parsed[1])
                phrase = parsed[2]
        mask = self.mask(filters)
        result = SearchResult(question, filters, phrase, [], date_range=self.index.date_range(),
                              searched_sources=self._count_sources(mask),
                              extra={"undated": self._undated})
        if self._n == 0 or (mask is not None and not mask.any()):
            return result
        n_cand = max(self.fusion.candidates, k * 5)
        dense: dict[int, float] = {}
        bm25: dict[int, float] = {}
        qvec = None
        if mode in ("hybrid", "dense"):
            qvec = self.encoder.encode([question])[0]
            dense = self._dense(qvec, n_cand, mask)
        if mode in ("hybrid", "bm25"):
            bm25 = self._bm25(question, n_cand, mask)
        fused = fuse(dense, bm25, mode, self.fusion)
        result.query_vector = qvec
        result.hits = self._fold(fused, dense, bm25, k)
        return result

    def _count_sources(self, mask: np.ndarray | None) -> int:
        if mask is None:
            return len(self.index.sources)
        return len({self.index.chunks[i].source for i in np.flatnonzero(mask)})

    def _dense(self, qvec: np.ndarray, n: int, mask: np.ndarray | None) -> dict[int, float]:
        return dense_search(self.index.dense, qvec, min(n, self._n), mask)

    def _bm25(self, question: str, n: int, mask: np.ndarray | None) -> dict[int, float]:
        toks = [t for t in bm25_tokens(question) if t in self._vocab]
        if not toks:
            return {}
        scores = self.index.bm25.get_scores(toks)
        scores = np.asarray(scores, dtype=np.float32)[: self._n]
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, self._n)
        top = np.argpartition(-scores, n - 1)[:n] if n < self._n else np.arange(self._n)
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def _fold(self, fused: dict[int, float], dense: dict[int, float], bm25: dict[int, float], k: int) -> list[Hit]:
        best: dict[str, tuple[float, int]] = {}
        for i, s in fused.items():
            tid = self.index.chunks[i].turn_id
            if tid not in best or s > best[tid][0]:
                best[tid] = (s, i)
        ranked = sorted(best.values(), key=lambda x: (-x[0], x[1]))[:k]
        hits = []
        for r, (s, i) in enumerate(ranked, start=1):
            c = self.index.chunks[i]
            hits.append(Hit(rank=r, score=s, chunk=c, turn=self._chunk_turn[i], source=self.index.sources[c.source],
                            dense=dense.get(i, 0.0), bm25=bm25.get(i, 0.0)))
        return hits


def check_question(question: str) -> str:
    """Validate a question (empty or too long -> QueryError); return it whitespace-normalised."""
    if not isinstance(question, str) or not question.strip():
        raise QueryError("the question is empty: type what you want to find, e.g. 'What did China say about the SCO?'")
    if len(question) > MAX_QUESTION_CHARS:
        raise QueryError(f"the question is too long ({len(question)} characters; at most {MAX_QUESTION_CHARS})")
    return " ".join(question.split())
