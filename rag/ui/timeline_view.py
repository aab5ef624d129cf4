"""The page's view of a timeline (:mod:`rag.timeline`): a bar per month or quarter of how often the
spokesperson addressed the topic, and under it each period's statements as citations (date,
spokesperson, the turn's best sentence verbatim, a copy button). Hovering a bar gives its count and
statements; clicking it opens that period's list (``COPY_JS`` in :mod:`rag.ui.assets`).
"""

from __future__ import annotations

from ..cite import CLOSE, OPEN, citation_line, human_date
from ..coverage import span_words
from ..timeline import common_note, quoted_words
from .cards import copy_button, new_uid
from .escape import esc, md_escape
from .phrase_view import HEIGHTS

PER_PERIOD = 8  # statements listed per period (best first)


def render_timeline(t, index, uid: str | None = None) -> str:  # noqa: ANN001 - rag.timeline.Timeline, Index
    """The HTML of one timeline."""
    uid = uid or new_uid()
    f = t.filters
    scope = span_words(f.since, f.until) if (f.since or f.until) else "the whole archive"
    who = f", spokesperson {f.spokesperson}" if f.spokesperson else ""
    named = f" or it names {quoted_words(t.named_words)}" if t.named_words else ""
    head = (f'<p class="ss-phrase-head">Timeline of {esc(OPEN + t.question + CLOSE)}: {t.total} statement'
            f'{"s" if t.total != 1 else ""} address it ({esc(scope + who)}; per {esc(t.unit)}; a statement counts '
            f'when its score is at least {t.threshold:.2f}{esc(named)}, see eval/results/timeline).</p>')
    warns = "".join(f'<p class="ss-warn">{esc(w)}</p>' for w in (*t.warnings, *([common_note(t)] if t.common_words
                                                                                 else [])))
    top = max((b.count for b in t.buckets), default=0) or 1
    bars, sections = [], []
    for b in t.buckets:
        h = 0 if b.count == 0 else max(1, round(HEIGHTS * b.count / top))
        said = "; ".join(f"{s.date} {s.spokesperson or '?'}" for s in (t.statement(i) for i in b.turn_ids[:5]))
        gap = " (no transcripts)" if b.transcripts == 0 else ""
        bars.append(f'<span class="ss-bar ss-tl-bar ss-h{h}" title="{esc(b.period)}: {b.count}{gap}'
                    f'{esc(" — " + said) if said else ""}"></span>')
        if b.count:
            items = []
            for tid in b.turn_ids[:PER_PERIOD]:
                s = t.statement(tid)
                src = index.sources[s.source]
                line = citation_line(s.quote, spokesperson=s.spokesperson, date=s.date, outlet=s.outlet, url=src.url)
                items.append(f'<li><span class="ss-date">{esc(human_date(s.date) or "Date not established")}</span>'
                             f' · <span class="ss-who">{esc(s.spokesperson or "Spokesperson not recorded")}</span>'
                             f'<blockquote class="ss-quote">{esc(OPEN + s.quote + CLOSE)}</blockquote>'
                             f'{copy_button("Copy citation", line)}</li>')
            more = f"<p class='ss-note'>{b.count - PER_PERIOD} more in {esc(b.period)}.</p>" \
                if b.count > PER_PERIOD else ""
            sections.append(f'<details class="ss-period" id="ss-{uid}-p-{esc(b.period)}"><summary>{esc(b.period)}: '
                            f'{b.count} statement{"s" if b.count != 1 else ""}</summary><ol class="ss-occs">'
                            f'{"".join(items)}</ol>{more}</details>')
    chart = (f'<div class="ss-bars" role="img" aria-label="Statements per {esc(t.unit)}">{"".join(bars)}</div>'
             if t.buckets else "")
    undated = f'<p class="ss-note">{len(t.undated)} undated statement(s) are in no bar.</p>' if t.undated else ""
    return (f'<div class="ss-answer ss-timeline">{head}{warns}{chart}{"".join(sections)}{undated}</div>')


def timeline_markdown(t) -> str:  # noqa: ANN001 - rag.timeline.Timeline
    """The timeline as Markdown for the conversation export: one line per period with statements."""
    lines = [f"### Timeline: {md_escape(t.question)}", "", f"{t.total} statements, per {t.unit}:", ""]
    for b in t.buckets:
        if b.count:
            lines.append(f"- {b.period}: {b.count}")
    return "\n".join(lines).rstrip() + "\n"
