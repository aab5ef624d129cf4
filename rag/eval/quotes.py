"""The quote check: run the ``rag ask`` path for every query and check its citations.

``quote_verbatim``: share of all citations whose quote equals the canonical text at its
offsets (must be 1.0). ``quote_top_relevant``: share of queries whose first citation overlaps
the answer span of a judged-relevant turn (queries without citations count as misses).
``quote_found``: share of queries that got any citation.
"""

from __future__ import annotations

from collections.abc import Callable

from .datasets import Dataset

QUOTE_K = 10


def quote_check(retriever, dataset: Dataset, mode: str, *, k: int = QUOTE_K,  # noqa: ANN001
                ask: Callable[..., dict] | None = None) -> tuple[dict, dict[str, dict]]:
    """``(summary, {query id: details})`` of :func:`rag.answer.ask` (or ``ask``) over ``dataset``."""
    if ask is None:
        from ..answer import ask

    index = retriever.index
    n_cit = n_ok = n_top = n_found = 0
    per: dict[str, dict] = {}
    bad: list[str] = []
    for q in dataset.queries:
        out = ask(retriever, q.text, k=k, filters=q.filters(), mode=mode)
        cits = out["citations"]
        ok_all = True
        for c in cits:
            n_cit += 1
            src = index.sources.get(c["source"])
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
                t = index.turns.get(tid)
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
