"""The page's view of an exact-phrase search (``"owes no one"`` in double quotes in a question): counts,
first and latest use, by year and by spokesperson, a bar per month, and the occurrences as citations.

Every occurrence is shown inside its sentence with the phrase highlighted; the highlighted text is
``canonical[start:end]`` of its source, and the copied line quotes only that verbatim phrase.
"""

from __future__ import annotations

from ..cite import CLOSE, OPEN, citation_line, human_date
from ..coverage import Coverage
from ..phrases import PhraseReport
from ..text import sentence_spans
from .cards import copy_button
from .escape import esc, md_escape

SHOWN = 30  # occurrences listed on the page (newest first); the CLI's --json lists them all
HEIGHTS = 8  # bar height classes ss-h0..ss-h8 (the chat's sanitizer drops inline styles)


def bars(counts: list[tuple[str, int]], label: str) -> str:
    """A bar per period, height by count (classes, no inline style), the count in each bar's title."""
    if not counts:
        return ""
    top = max(n for _, n in counts) or 1
    out = "".join(f'<span class="ss-bar ss-h{0 if n == 0 else max(1, round(HEIGHTS * n / top))}" '
                  f'title="{esc(p)}: {n}"></span>' for p, n in counts)
    return f'<div class="ss-bars" role="img" aria-label="{esc(label)}">{out}</div>'


def months(dates: list[str]) -> list[tuple[str, int]]:
    """Counts per month from the first to the last date, empty months kept.

    >>> months(["2019-11-05", "2020-01-02"])
    [('2019-11', 1), ('2019-12', 0), ('2020-01', 1)]
    """
    return Coverage.from_dates(dates).months()


def render_phrase(report: PhraseReport, index) -> str:  # noqa: ANN001 - rag.store.Index
    """The HTML of one phrase search."""
    p = report.phrase
    head = (f'<p class="ss-phrase-head"><b>{esc(OPEN + p + CLOSE)}</b>: {report.count} time'
            f'{"s" if report.count != 1 else ""} in the spokespersons\' answers at {report.conferences} '
            f'conference{"s" if report.conferences != 1 else ""}; {report.in_questions} more in journalists\' '
            'questions (not counted).</p>')
    if not report.count:
        return f'<div class="ss-answer ss-phrase">{head}</div>'
    first, last = report.first, report.last
    when = (f'<p class="ss-note">First: {esc(human_date(first.date) or "undated")}, {esc(first.spokesperson or "?")}'
            f' · Latest: {esc(human_date(last.date) or "undated")}, {esc(last.spokesperson or "?")}</p>')
    table = ('<table class="ss-table"><tr><th>Year</th>' + "".join(f"<th>{esc(y)}</th>" for y in report.by_year)
             + '</tr><tr><td>Uses</td>' + "".join(f"<td>{n}</td>" for n in report.by_year.values()) + "</tr></table>"
             '<table class="ss-table"><tr><th>Spokesperson</th><th>Uses</th></tr>'
             + "".join(f"<tr><td>{esc(s)}</td><td>{n}</td></tr>" for s, n in report.by_spokesperson.items())
             + "</table>")
    chart = bars(months([o.date for o in report.occurrences if o.date]), f"Uses of {p} per month")
    items = []
    for o in sorted(report.occurrences, key=lambda o: o.date or "", reverse=True)[:SHOWN]:
        canon = index.sources[o.source].canonical
        t = index.turns[o.turn_id]
        s, e = next(((s, e) for s, e in sentence_spans(canon[t.start:t.end], t.start) if s <= o.start < e),
                    (o.start, o.end))
        s, e = min(s, o.start), max(e, o.end)
        line = citation_line(o.quote, spokesperson=o.spokesperson, date=o.date, outlet=o.outlet,
                             url=index.sources[o.source].url)
        items.append(f'<li class="ss-occ"><span class="ss-date">{esc(human_date(o.date) or "Date not established")}'
                     f'</span> · <span class="ss-who">{esc(o.spokesperson or "Spokesperson not recorded")}</span>'
                     f'<div class="ss-para">{esc(canon[s:o.start])}<mark class="ss-hl">{esc(o.quote)}</mark>'
                     f'{esc(canon[o.end:e])}</div>{copy_button("Copy citation", line)}</li>')
    more = (f'<p class="ss-note">{report.count - SHOWN} more: <code>rag phrase "{esc(p)}" --json</code> lists '
            'them all.</p>') if report.count > SHOWN else ""
    return (f'<div class="ss-answer ss-phrase">{head}{when}{chart}{table}'
            f'<ol class="ss-occs">{"".join(items)}</ol>{more}</div>')


def phrase_markdown(report: PhraseReport) -> str:
    """The phrase search as Markdown for the conversation export."""
    lines = [f"### {md_escape(OPEN + report.phrase + CLOSE)}", "",
             f"{report.count} uses in answers at {report.conferences} conferences; {report.in_questions} in questions.",
             "", "By year: " + ", ".join(f"{y}: {n}" for y, n in report.by_year.items()),
             "", "By spokesperson: " + ", ".join(f"{md_escape(s)}: {n}" for s, n in report.by_spokesperson.items()),
             ""]
    for o in report.occurrences:
        lines.append(f"- {o.date or 'undated'}, {md_escape(o.spokesperson or '?')}: {md_escape(o.source)} "
                     f"characters {o.start}–{o.end}")
    return "\n".join(lines).rstrip() + "\n"
