"""Running the systems over a set's queries, and writing TREC runs.

Every system returns ``RUN_K`` turns per query (chunk scores folded to their turn), with
strictly decreasing scores so no evaluator can reorder them.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from pathlib import Path

from .datasets import Query

RUN_K = 100
# Smallest relative gap kept between consecutive scores of a run. trec_eval (and so pytrec_eval)
# reads scores as single-precision floats (~7 digits): closer scores are ties to it.
SCORE_GAP = 1e-5


@dataclass
class QueryRun:
    qid: str
    ranking: list[tuple[str, float]]  # (turn id, score), best first, strictly decreasing scores
    time_phrase: str | None = None
    filters: dict | None = None
    seconds: float = 0.0


def strictly_decreasing(scores: list[float]) -> list[float]:
    """Scores nudged so no evaluator can reorder the system's ranking.

    ``trec_eval``/``pytrec_eval`` sort by score in single precision and break ties by document
    id, which would not be the system's order. A score that is not at least ``SCORE_GAP``
    (relative) below the previous one is lowered to that; over 100 hits this moves scores by
    at most ~0.1 % and never changes the order.

    >>> strictly_decreasing([2.0, 2.0, 1.0])
    [2.0, 1.99998, 1.0]
    """
    out: list[float] = []
    for s in scores:
        s = float(s)
        if out:
            step = max(abs(out[-1]), 1e-6) * SCORE_GAP
            if s > out[-1] - step:
                s = out[-1] - step
        out.append(s)
    return out


def run_retriever(retriever, queries: list[Query], mode: str, *, k: int = RUN_K,  # noqa: ANN001
                  parse_time: bool = True, use_context: bool = True) -> dict[str, QueryRun]:
    """``{query id: QueryRun}`` of a :class:`rag.retrieval.Retriever` in ``mode`` (bm25, dense or hybrid).

    A query with ``context`` (a thread's earlier questions) is searched as the ask path does
    (:func:`rag.followup.in_thread`) unless ``use_context`` is False (the follow-up alone).
    """
    from ..followup import focus, in_thread
    from ..zh.tokens import is_chinese

    runs: dict[str, QueryRun] = {}
    for q in queries:
        t0 = time.perf_counter()
        text, filters = q.text, q.filters()
        if is_chinese(q.text) or mode in ZH_SYSTEMS:
            runs[q.qid] = _run_zh(retriever, q, mode, k, parse_time, t0)
            continue
        understood = None
        if q.context and use_context and parse_time:
            text, filters, understood = in_thread(retriever, q.text, q.context, filters, mode)
        res = focus(retriever.search(text, k=k, filters=filters, parse_time=parse_time, mode=mode), understood)
        ids = [h.turn.turn_id for h in res.hits]
        scores = strictly_decreasing([h.score for h in res.hits])
        runs[q.qid] = QueryRun(q.qid, list(zip(ids, scores, strict=True)), res.time_phrase, res.filters.to_dict(),
                               time.perf_counter() - t0)
    return runs


# Systems of a Chinese question: "zh" is what the ask path does (BM25 over the index's own Chinese tokens,
# rag.zh.index.TOKENIZER; the model is English-only, so there is no dense part); "jieba" and "bigram" are the
# same BM25 over jieba words alone or character bigrams alone, built over the same turns once per run, to
# compare. An English system (hybrid, ...) given a Chinese query runs "zh", as the ask path would.
ZH_SYSTEMS = ("zh", "jieba", "bigram")


def _run_zh(retriever, q: Query, mode: str, k: int, parse_time: bool, t0: float) -> QueryRun:  # noqa: ANN001
    from ..zh.index import build_zh
    from ..zh.search import search_question

    zi = getattr(retriever.index, "zh", None)
    if zi is None:
        return QueryRun(q.qid, [], None, q.filters().to_dict(), time.perf_counter() - t0)
    if mode in ("jieba", "bigram") and zi.tokenizer != mode:
        built = retriever.__dict__.setdefault("_zh_baselines", {})
        if mode not in built:
            built[mode] = build_zh(zi.sources, mode)
        zi = built[mode]
    hits, filters, phrase = search_question(zi, q.text, q.filters(), k=k, read_question=parse_time)
    scores = strictly_decreasing([h.score for h in hits])
    return QueryRun(q.qid, [(h.turn_id, s) for h, s in zip(hits, scores, strict=True)], phrase, filters.to_dict(),
                    time.perf_counter() - t0)


def run_naive(naive, queries: list[Query], *, k: int = RUN_K) -> dict[str, QueryRun]:  # noqa: ANN001
    """``{query id: QueryRun}`` of a :class:`rag.eval.naive.NaiveRetriever` (no time-phrase parsing)."""
    runs: dict[str, QueryRun] = {}
    for q in queries:
        t0 = time.perf_counter()
        f = q.filters()
        hits = naive.search(q.text, k=k, filters=f)
        scores = strictly_decreasing([h.score for h in hits])
        runs[q.qid] = QueryRun(q.qid, [(h.turn.turn_id, s) for h, s in zip(hits, scores, strict=True)], None,
                               f.to_dict(), time.perf_counter() - t0)
    return runs


def write_run(path: Path, runs: dict[str, QueryRun], tag: str) -> None:
    """TREC run: ``qid Q0 turn_id rank score tag`` (gzipped when ``path`` ends in ``.gz``)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as fh:  # type: ignore[operator]
        for qid, r in runs.items():
            for rank, (doc, score) in enumerate(r.ranking, start=1):
                fh.write(f"{qid} Q0 {doc} {rank} {score!r} {tag}\n")
