"""Attribution text, written once: who said a quote, where and when, answering whom.

Both the answer paragraph's lead (``At the regular press conference on 26 July 2023,
answering CCTV, spokesperson Mao Ning said: ``) and the press-ready line that the page
copies (``“…,” Foreign Ministry Spokesperson Mao Ning said at …``) are built here from a
:class:`~rag.records.Citation`, so a new field (an inferred date, an after-conference
question) is handled in one place. Unknown fields are left out, never filled in.

    >>> human_date("2023-07-26")
    '26 July 2023'
    >>> press_quote("We noted it.")
    '“We noted it,”'
"""

from __future__ import annotations

import datetime as _dt
import re

from .records import Citation

OPEN, CLOSE = "\u201c", "\u201d"  # “ ”


def human_date(iso: str | None) -> str | None:
    if not iso:
        return None
    d = _dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def safe_url(url: str | None) -> str | None:
    """``url`` if it is a plain http(s) URL, else None (javascript:, data:, relative... are never links)."""
    if not url or not isinstance(url, str):
        return None
    u = url.strip()
    if not re.match(r"^https?://[^\s/]", u, re.I) or any(ch in u for ch in "\"'<>\\ \t\r\n"):
        return None
    return u


def press_quote(quote: str) -> str:
    """``“quote,”`` in press style: a closing full stop becomes a comma; ? and ! stay."""
    q = quote.strip()
    if q.endswith("."):
        q = q[:-1] + ","
    elif not q.endswith(("?", "!", ",")):
        q += ","
    return f"{OPEN}{q}{CLOSE}"


def context_span(canonical: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The paragraph(s) of ``canonical`` around ``[start, end)``, kept inside ``[lo, hi)`` (the turn).

    >>> text = "Q?\\n\\nFirst. The quote. More.\\n\\nNext paragraph."
    >>> s = text.index("The quote")
    >>> text[slice(*context_span(text, s, s + 10))]
    'First. The quote. More.'
    """
    hi = len(canonical) if hi is None else hi
    lo, hi = max(0, min(lo, start)), min(len(canonical), max(hi, end))
    ps = canonical.rfind("\n\n", lo, start)
    ps = lo if ps < 0 else ps + 2
    pe = canonical.find("\n\n", end, hi)
    pe = hi if pe < 0 else pe
    return ps, pe


def lead(c: Citation) -> str:
    """The framing in front of a turn's quotes in the answer text (metadata only, no quoted text)."""
    who = f"spokesperson {c.spokesperson}" if c.spokesperson else "the spokesperson"
    when = human_date(c.date)
    where = f"the regular press conference on {when}" if when else "a regular press conference (date unknown)"
    if c.source_kind == "remarks":
        where = f"remarks published on {when}" if when else "published remarks (date unknown)"
    if c.turn_kind == "statement":
        return f"In an opening statement at {where}, {who} said: "
    if c.after_conference:
        asker = f"a question from {c.outlet}" if c.outlet else "a question"
        return f"At {where}, answering {asker} raised after the press conference, {who} said: "
    asker = c.outlet if c.outlet else "a journalist"
    return f"At {where}, answering {asker}, {who} said: "


def citation_line(quote: str, *, spokesperson: str | None = None, date: str | None = None,
                  outlet: str | None = None, url: str | None = None, kind: str | None = "conference",
                  statement: bool = False, after_conference: bool = False) -> str:
    """One press-ready attribution line; unknown fields are left out, never filled in.

    >>> citation_line("China is a natural member of the Global South.", spokesperson="Mao Ning",
    ...               date="2023-07-26", outlet="CCTV", url="https://www.mfa.gov.cn/x.html")
    '“China is a natural member of the Global South,” Foreign Ministry Spokesperson Mao Ning said at the regular press conference on 26 July 2023, answering CCTV. Source: https://www.mfa.gov.cn/x.html'
    """
    who = f"Foreign Ministry Spokesperson {spokesperson}" if spokesperson else "a Foreign Ministry spokesperson"
    when = human_date(date)
    if kind == "remarks":
        where = f"in remarks published on {when}" if when else "in published remarks"
    else:
        where = f"the regular press conference on {when}" if when else "a regular press conference"
        where = f"in an opening statement at {where}" if statement else f"at {where}"
    line = f"{press_quote(quote)} {who} said {where}"
    if outlet and not statement:
        line += f", answering {outlet}" + (" after the press conference" if after_conference else "")
    line += "."
    if not when:
        line += " (Date not established — check before publishing.)"
    link = safe_url(url)
    if link:
        line += f" Source: {link}"
    return line


def citation_line_for(c: Citation, *, with_url: bool = True) -> str:
    """:func:`citation_line` for a citation record."""
    return citation_line(c.quote, spokesperson=c.spokesperson, date=c.date, outlet=c.outlet,
                         url=c.url if with_url else None, kind=c.source_kind or "conference",
                         statement=c.turn_kind == "statement", after_conference=c.after_conference)
