"""What the page says about the loaded index: transcript count and dates, filter choices, the header,
and example questions taken from the transcripts. ``index`` is any object with ``.sources`` (file
name -> :class:`~rag.records.Source`) and ``.date_range()``, or None when nothing is loaded.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from .assets import TITLE
from .cards import render_notice
from .escape import esc

_Q_SPLIT = re.compile(r"(?<=[.?!])\s+")
_VAGUE_END = re.compile(r"\b(this|that|it|these|those|them|so|there|here)\?$|\b(this|that|these|those|such)\s+"
                        r"(matters?|issues?|incidents?|reports?|remarks?|moves?|cases?|news|statements?|questions?|"
                        r"comments?|measures?|actions?|developments?)\b", re.I)
_Q_START = re.compile(r"(What|What’s|What's|How|Why|When|Where|Who|Which|Is|Are|Was|Were|Does|Do|Did|Will|Would|"
                      r"Can|Could|Has|Have|Should)\b")
_FUNCTION_WORDS = {"What", "What’s", "What's", "How", "Does", "Do", "Is", "Are", "Can", "Could", "Will", "Would",
                   "Why", "When", "Where", "Who", "Which", "Has", "Have", "Did", "Should", "China", "China’s",
                   "China's", "Chinese", "I", "We", "And", "But", "Any", "Also", "Given", "In", "On", "Some"}


def example_questions(index: Any, n: int = 4) -> list[str]:
    """Short, self-contained questions journalists actually asked, taken from the loaded transcripts:
    the last question sentence of a turn, kept when it names something (a capitalised word other
    than the question word or "China") and does not point back at context ("...on this?")."""
    if index is None:
        return []
    cands: list[tuple[str, str, str]] = []  # (date, source, question)
    for src in index.sources.values():
        for t in src.turns:
            if not t.question:
                continue
            sents = [s.strip() for s in _Q_SPLIT.split(t.question.strip()) if s.strip().endswith("?")]
            if not sents:
                continue
            q = sents[-1].strip("“”\"' ")
            if not 25 <= len(q) <= 110 or not _Q_START.match(q) or _VAGUE_END.search(q) or "\n" in q:
                continue
            words = re.findall(r"[A-Z][\w’'-]*", q)
            if not [w for w in words[1:] if w not in _FUNCTION_WORDS]:
                continue
            cands.append((src.date or "", src.source, q))
    cands.sort(key=lambda x: (x[0], x[1]), reverse=True)  # newest first
    picked, seen_src, seen_q = [], set(), set()
    for rounds in range(2):  # one per transcript first, then fill
        for _date, source, q in cands:
            if len(picked) >= n:
                break
            if q.lower() in seen_q or (rounds == 0 and source in seen_src):
                continue
            picked.append(q)
            seen_src.add(source)
            seen_q.add(q.lower())
    return picked


def corpus_facts(index: Any) -> dict:
    """Transcript count, coverage and the filter choices of an index.

    ``outlets`` are ``(label, value)`` pairs for the dropdown: one canonical name per outlet
    (:func:`rag.sources.outlets.canonical_outlet`) with the number of questions it asked, e.g.
    ``("AFP (52)", "AFP")``.
    """
    from ..coverage import Coverage
    from ..sources.outlets import canonical_outlet, outlet_parts

    if index is None:
        return {"sources": 0, "since": None, "until": None, "undated": 0, "spokespersons": [], "outlets": [],
                "coverage": Coverage(())}
    spk: Counter[str] = Counter()
    outlets: Counter[str] = Counter()
    for src in index.sources.values():
        for t in src.turns:
            if t.spokesperson:
                spk[t.spokesperson] += 1
            if t.outlet and t.question:
                for o in outlet_parts(canonical_outlet(t.outlet)):  # "ITN & BBC" counts for both
                    outlets[o] += 1
        if src.spokesperson and src.spokesperson not in spk:
            spk[src.spokesperson] += 1
    lo, hi = index.date_range()
    zh = getattr(index, "zh", None)
    if zh is not None:  # the Chinese transcripts' spokespersons filter Chinese questions too
        for src in zh.sources.values():
            if src.spokesperson and src.spokesperson not in spk:
                spk[src.spokesperson] += 1
    return {"sources": len(index.sources), "since": lo, "until": hi,
            "zh_sources": len(zh.sources) if zh is not None else 0,
            "zh_coverage": Coverage.from_dates(s.date for s in zh.sources.values()) if zh is not None else None,
            "undated": sum(1 for s in index.sources.values() if not s.date),
            "spokespersons": sorted(spk, key=str.lower),
            "outlets": [(f"{o} ({n})", o) for o, n in sorted(outlets.items(), key=lambda x: x[0].lower())],
            "coverage": Coverage.of_index(index)}


def month_chart(cov: Any) -> str:
    """A bar per month from the first transcript to the last (height = transcripts that month)."""
    months = cov.months()
    if len(months) < 2:
        return ""
    top = max(n for _, n in months) or 1
    bars = "".join(f'<span title="{m}: {n} transcript{"s" if n != 1 else ""}" class="ss-zero"></span>' if n == 0 else
                   f'<span title="{m}: {n} transcript{"s" if n != 1 else ""}" style="height:{max(2, round(26 * n / top))}px">'
                   '</span>' for m, n in months)
    return (f'<div class="ss-chart" role="img" aria-label="Transcripts per month, {months[0][0]} to '
            f'{months[-1][0]}">{bars}</div>')


def header_html(facts: dict, problem: str | None, index_dir: Path) -> str:
    """The page header: title, what the page does, and what is searched (or how to build an index)."""
    if problem:
        return (f'<div class="ss-header"><h1>{esc(TITLE)}</h1>'
                '<p class="ss-sub">Exact quotes from the Chinese Foreign Ministry spokesperson, with citations.</p>'
                + render_notice(problem, "setup", build_command(index_dir)) + "</div>")
    cov = facts["coverage"]
    span = f": {cov.describe()}" if cov.dates else (f" ({facts['undated']} undated)" if facts["undated"] else "")
    n = facts["sources"]
    spk = ", ".join(facts["spokespersons"][:6]) + (" and others" if len(facts["spokespersons"]) > 6 else "")
    who = f" · Spokespersons: {spk}" if spk else ""
    return (f'<div class="ss-header"><h1>{esc(TITLE)}</h1>'
            '<p class="ss-sub">Ask in plain English; get back what the Chinese Foreign Ministry spokesperson '
            'actually said, as exact quotes with press-ready citations.</p>'
            f'<p class="ss-corpus">Searching {n} transcript{"s" if n != 1 else ""}{esc(span)}{esc(who)}</p>'
            f'{month_chart(cov)}{_zh_line(facts)}{_freshness(facts, index_dir)}'
            '<p class="ss-coverage">Nothing outside these dates is in the archive; a question about another '
            'period is answered “not in the archive”.</p></div>')


def _freshness(facts: dict, index_dir: Path) -> str:
    """The newest transcript searched, and when ``rag sync`` last ran (``INDEX/sync.json``, if it ever did)."""
    import json

    from ..cite import human_date

    zh_dates = getattr(facts.get("zh_coverage"), "dates", ()) or ()
    dates = [d for d in (facts.get("until"), zh_dates[-1] if zh_dates else None) if isinstance(d, str)]

    parts = [f"Newest transcript: {human_date(max(dates))}"] if dates else []
    try:
        info = json.loads((Path(index_dir) / "sync.json").read_text(encoding="utf-8"))
        when = str(info.get("last_sync") or "")[:16].replace("T", " ")
        if when:
            parts.append(f"last sync: {when} UTC" + ("" if info.get("ok", True) else " (with failures)"))
    except (OSError, ValueError, AttributeError):
        parts.append("never synced from the ministry's site (rag sync)")
    return f'<p class="ss-corpus ss-fresh">{esc(" · ".join(parts))}</p>' if parts else ""


def _zh_line(facts: dict) -> str:
    """What Chinese transcripts the index holds, and that a question in Chinese searches them."""
    n = facts.get("zh_sources") or 0
    if not n:
        return ""
    cov = facts["zh_coverage"]
    span = f": {cov.describe()}" if cov is not None and cov.dates else ""
    return (f'<p class="ss-corpus ss-corpus-zh">用中文提问，检索中文记录 · Ask in Chinese to search {n} Chinese '
            f'transcript{"s" if n != 1 else ""}{esc(span)}</p>')


def build_command(index_dir: Path) -> str:
    """The commands that build an index at ``index_dir`` (shown when there is nothing to search)."""
    return (f"rag ingest seeds/ --index {index_dir}        # or: make index\n"
            f"rag ingest /path/to/transcripts/ --index {index_dir}\n"
            "then restart: python app.py" + (f" --index {index_dir}" if str(index_dir) != "index" else ""))
