"""Compose the extractive answer and the JSON contract of ``rag ask``.

The framing is built only from metadata (date, spokesperson, outlet); the only
text in quotation marks is verbatim quotes, each followed by its ``[n]`` marker.

    >>> human_date("2023-07-26")
    '26 July 2023'
"""

from __future__ import annotations

import datetime as _dt

from .quoting import Quote, is_found, select_quotes
from .retrieval import Filters, Retriever, SearchResult

OPEN, CLOSE = "\u201c", "\u201d"  # “ ”


def human_date(iso: str | None) -> str | None:
    if not iso:
        return None
    d = _dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _lead(q: Quote) -> str:
    t, src = q.hit.turn, q.hit.source
    who = f"spokesperson {t.spokesperson}" if t.spokesperson else "the spokesperson"
    when = human_date(src.date)
    where = f"the regular press conference on {when}" if when else "a regular press conference (date unknown)"
    if src.kind == "remarks":
        where = f"remarks published on {when}" if when else "published remarks (date unknown)"
    if t.kind == "statement":
        return f"In an opening statement at {where}, {who} said: "
    if t.after_conference:
        asker = f"a question from {t.outlet}" if t.outlet else "a question"
        return f"At {where}, answering {asker} raised after the press conference, {who} said: "
    asker = t.outlet if t.outlet else "a journalist"
    return f"At {where}, answering {asker}, {who} said: "


def compose(result: SearchResult, quotes: list[Quote]) -> str:
    """The answer text: one paragraph per cited turn, quotes in “…” with [n] markers."""
    scope = _scope(result)
    if not quotes:
        return (f"Not found: nothing in the {result.searched_sources} transcript(s) searched "
                f"{scope} answers this closely enough. Try other words or widen the filters.")
    paras: list[str] = []
    by_turn: dict[str, list[Quote]] = {}
    for q in quotes:
        by_turn.setdefault(q.hit.turn.turn_id, []).append(q)
    for qs in by_turn.values():
        paras.append(_lead(qs[0]) + " ".join(f"{OPEN}{q.text}{CLOSE} [{q.n}]" for q in qs))
    note = f"Searched {result.searched_sources} transcript(s) {scope}."
    return "\n\n".join(paras) + "\n\n" + note


def _scope(result: SearchResult) -> str:
    f = result.filters
    lo, hi = f.since or result.date_range[0], f.until or result.date_range[1]
    parts = [f"dated {lo} to {hi}" if lo else "with no known date"]
    undated = result.extra.get("undated", 0)
    if undated and not (f.since or f.until):
        parts.append(f"(plus {undated} undated)" if lo else "")
    if result.time_phrase:
        parts.append(f"(time phrase in the question: {result.time_phrase})")
    if f.spokesperson:
        parts.append(f"for spokesperson {f.spokesperson}")
    if f.outlet:
        parts.append(f"for questions from {f.outlet}")
    return " ".join(p for p in parts if p)


def _meta(hit) -> dict:  # noqa: ANN001
    t, s = hit.turn, hit.source
    return {"source": s.source, "url": s.url, "date": s.date, "spokesperson": t.spokesperson,
            "outlet": t.outlet, "question": t.question}


def to_json(result: SearchResult, quotes: list[Quote], found: bool) -> dict:
    """The ``rag ask --json`` object (exact keys; see README)."""
    return {
        "question": result.question,
        "answer": compose(result, quotes),
        "found": found,
        "filters": result.filters.to_dict(),
        "citations": [
            {"n": q.n, "quote": q.text, **_meta(q.hit), "start": q.start, "end": q.end} for q in quotes
        ],
        "hits": [
            {"rank": h.rank, "score": round(h.score, 6), "text": h.chunk.text, "turn_id": h.turn.turn_id, **_meta(h),
             "start": h.chunk.start, "end": h.chunk.end}
            for h in result.hits
        ],
    }


def ask(retriever: Retriever, question: str, *, k: int = 10, filters: Filters = Filters(),
        mode: str = "hybrid") -> dict:
    """Search, pick quotes, compose: the whole ask path as one JSON-ready dict."""
    result = retriever.search(question, k=k, filters=filters, mode=mode)
    found = is_found(result)
    quotes = select_quotes(result, retriever.encoder if mode != "bm25" else None) if found else []
    return to_json(result, quotes, bool(quotes))
