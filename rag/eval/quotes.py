"""The quote checks: run the ``rag ask`` path for every query and check its citations.

Turn level (every query, each retrieval mode): ``quote_verbatim``: share of all citations
whose quote equals the canonical text at its offsets (must be 1.0). ``quote_top_relevant``:
share of queries whose first citation overlaps the answer span of a judged-relevant turn
(queries without citations count as misses). ``quote_found``: share of queries that got any
citation.

Sentence level (queries with gold sentences, hybrid, k=10, once per quote selector): a span
*contains* a gold sentence when it is in the same source and ``start <= gold.start`` and
``gold.end <= end``. ``quote_first_hit``: the first citation contains a gold sentence;
``quote_any_hit``: some citation does; ``passage_hit@1``: the top hit's passage
(``hits[0]``'s span) does. Each is 0 or 1 per query and averaged over the labelled queries.

    >>> gold = [GoldSentence("q1", "a:1", "a.txt", 10, 20, "x" * 10)]
    >>> sentence_metrics({"citations": [{"source": "a.txt", "start": 0, "end": 9},
    ...                                 {"source": "a.txt", "start": 5, "end": 25}],
    ...                   "hits": [{"source": "a.txt", "start": 0, "end": 40}]}, gold)
    {'quote_first_hit': 0.0, 'quote_any_hit': 1.0, 'passage_hit@1': 1.0}
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

from ..errors import RagError
from .datasets import Dataset, GoldSentence, Query, all_sources, all_turns
from .metrics import SENTENCE_METRICS

QUOTE_K = 10


def quote_check(retriever, dataset: Dataset, mode: str, *, k: int = QUOTE_K, use_context: bool = True,  # noqa: ANN001
                ask: Callable[..., dict] | None = None) -> tuple[dict, dict[str, dict]]:
    """``(summary, {query id: details})`` of :func:`rag.answer.ask` (or ``ask``) over ``dataset``."""
    if ask is None:
        from ..answer import ask

    index = retriever.index
    sources, turns = all_sources(index), all_turns(index)
    n_cit = n_ok = n_top = n_found = 0
    per: dict[str, dict] = {}
    bad: list[str] = []
    for q in dataset.queries:
        out = ask(retriever, q.text, k=k, filters=q.filters(), mode=mode, **_thread(q, use_context))
        cits = out["citations"]
        ok_all = True
        for c in cits:
            n_cit += 1
            src = sources.get(c["source"])
            if src is not None and c["quote"] and src.canonical[c["start"]:c["end"]] == c["quote"]:
                n_ok += 1
            else:
                ok_all = False
                bad.append(f"{q.qid}: [{c['n']}] {c['source']} {c['start']}-{c['end']}")
        top_rel = False
        if cits:
            n_found += 1
            c = cits[0]
            for tid, g in dataset.qrels[q.qid].items():
                t = turns.get(tid)
                if g > 0 and t is not None and t.source == c["source"] and c["start"] < t.end and t.start < c["end"]:
                    top_rel = True
                    break
        n_top += top_rel
        per[q.qid] = {"citations": len(cits), "verbatim": ok_all, "top_citation_relevant": top_rel,
                      "top_citation": ({"source": cits[0]["source"], "start": cits[0]["start"],
                                        "end": cits[0]["end"]} if cits else None)}
    n = len(dataset.queries)
    summary = {"quote_verbatim": (n_ok / n_cit) if n_cit else 1.0, "quote_top_relevant": n_top / n,
               "quote_found": n_found / n, "citations": n_cit, "not_verbatim": bad[:20]}
    return summary, per


def verbatim_ok(results: dict[str, dict]) -> bool:
    """Whether every system's citations were verbatim (systems without a quote check pass)."""
    return all((r.get("quote") or {}).get("quote_verbatim", 1.0) == 1.0 for r in results.values())


# ---------------------------------------------------------------------------
# Sentence level


def contains(span: Mapping, gold: GoldSentence) -> bool:
    """Whether a citation or hit (``source``, ``start``, ``end``) contains the gold sentence."""
    return span["source"] == gold.source and span["start"] <= gold.start and gold.end <= span["end"]


def sentence_metrics(answer: Mapping, gold: list[GoldSentence]) -> dict[str, float]:
    """The three sentence-level metrics (0.0 or 1.0) of one ``rag ask --json`` answer."""
    cits, hits = answer.get("citations") or [], answer.get("hits") or []
    return {"quote_first_hit": float(bool(cits) and any(contains(cits[0], g) for g in gold)),
            "quote_any_hit": float(any(contains(c, g) for c in cits for g in gold)),
            "passage_hit@1": float(bool(hits) and any(contains(hits[0], g) for g in gold))}


def _span(x: Mapping) -> dict:
    return {"source": x["source"], "start": x["start"], "end": x["end"]}


def sentence_check(retriever, dataset: Dataset, selectors: list[str], *, k: int = QUOTE_K, use_context: bool = True,  # noqa: ANN001
                   ask: Callable[..., dict] | None = None, strict: bool = True,
                   ) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict]], dict[str, str], list[str]]:
    """Ask every labelled query with each selector (hybrid) and score the answers against the gold sentences.

    Returns ``(summary, per_query, unavailable, not_verbatim)``: ``summary[selector][metric]`` is
    the mean over the labelled queries; ``per_query[selector][query id]`` holds the metrics and
    the spans cited; ``unavailable[selector]`` says why a selector was skipped (``ask`` refused
    it on the first query and ``strict`` is False; with ``strict`` that raises RagError);
    ``not_verbatim`` lists citations whose quote is not the canonical text at its offsets.
    """
    if ask is None:
        from ..answer import ask

    labelled = [q for q in dataset.queries if dataset.sentences.get(q.qid)]
    sources = all_sources(retriever.index)
    summary: dict[str, dict[str, float]] = {}
    per: dict[str, dict[str, dict]] = {}
    unavailable: dict[str, str] = {}
    bad: list[str] = []
    for sel in selectors:
        rows: dict[str, dict] = {}
        for i, q in enumerate(labelled):
            try:
                out = ask(retriever, q.text, k=k, filters=q.filters(), mode="hybrid", selector=sel, **_thread(q, use_context))
            except (TypeError, RagError) as e:
                if i > 0:  # the selector worked before: a real error
                    raise
                if strict:
                    raise RagError(f"quote selector {sel!r} is not available in rag.answer.ask ({e})") from None
                print(f"rag eval: warning: quote selector {sel!r} skipped: {e}", file=sys.stderr)
                unavailable[sel] = str(e)
                break
            gold = dataset.sentences[q.qid]
            for c in out["citations"]:
                src = sources.get(c["source"])
                if src is None or not c["quote"] or src.canonical[c["start"]:c["end"]] != c["quote"]:
                    bad.append(f"{sel} {q.qid}: [{c['n']}] {c['source']} {c['start']}-{c['end']}")
            rows[q.qid] = {"metrics": sentence_metrics(out, gold),
                           "citations": [_span(c) for c in out["citations"]],
                           "passage": _span(out["hits"][0]) if out["hits"] else None}
        if sel in unavailable:
            continue
        per[sel] = rows
        n = len(rows)
        summary[sel] = {m: (sum(r["metrics"][m] for r in rows.values()) / n if n else 0.0) for m in SENTENCE_METRICS}
    return summary, per, unavailable, bad


def _thread(q: Query, use_context: bool = True) -> dict:
    """``{"context": ...}`` for a follow-up query (an ``ask`` without threads is called as before)."""
    return {"context": q.context} if q.context and use_context else {}
