"""Chinese time phrases in a question to a date range, read like the English ones (:mod:`rag.timeparse`).

Only phrases with one reading are used: a day, a month, a year, a half year, and "since"/"before"
a year or month. Relative phrases (去年, 上个月) are ignored rather than guessed.

    >>> parse_zh_time("2022年8月 佩洛西 访台")
    ('2022-08-01', '2022-08-31', '2022年8月')
    >>> parse_zh_time("2023年以来中方对半导体出口管制怎么说")
    ('2023-01-01', None, '2023年以来')
    >>> parse_zh_time("2024年4月3日例行记者会"), parse_zh_time("台湾问题") is None
    (('2024-04-03', '2024-04-03', '2024年4月3日'), True)
"""

from __future__ import annotations

import calendar
import re

_Y = r"(19[89]\d|20\d\d)\s*年"
_M = r"\s*(1[0-2]|0?[1-9])\s*月"
_D = r"\s*(3[01]|[12]\d|0?[1-9])\s*[日号]"
_SINCE = r"(?:以来|之后|以后|起)"
_UNTIL = r"(?:以前|之前|前)"
_PATTERNS = (  # longest first: a day before its month, a month before its year
    ("day", re.compile(_Y + _M + _D)),
    ("month", re.compile(_Y + _M + rf"(?:\s*({_SINCE}|{_UNTIL}))?")),
    ("half", re.compile(_Y + r"\s*([上下])半年")),
    ("year", re.compile(_Y + rf"(?:\s*({_SINCE}|{_UNTIL}))?")),
)


def parse_zh_time(text: str) -> tuple[str | None, str | None, str] | None:
    """``(since, until, phrase)`` of the first Chinese time phrase in ``text``, or None."""
    for kind, rx in _PATTERNS:
        m = rx.search(text)
        if not m:
            continue
        y = int(m.group(1))
        if kind == "day":
            mo, d = int(m.group(2)), int(m.group(3))
            if d > calendar.monthrange(y, mo)[1]:
                return None
            day = f"{y:04d}-{mo:02d}-{d:02d}"
            return day, day, m.group(0)
        if kind == "half":
            lo, hi = ((1, 6) if m.group(2) == "上" else (7, 12))
            return f"{y:04d}-{lo:02d}-01", f"{y:04d}-{hi:02d}-{calendar.monthrange(y, hi)[1]:02d}", m.group(0)
        mo = int(m.group(2)) if kind == "month" else None
        rel = m.group(3) if kind == "month" else m.group(2)
        first = f"{y:04d}-{mo or 1:02d}-01"
        last_m = mo or 12
        last = f"{y:04d}-{last_m:02d}-{calendar.monthrange(y, last_m)[1]:02d}"
        if rel and re.fullmatch(_SINCE, rel):
            return first, None, m.group(0)
        if rel and re.fullmatch(_UNTIL, rel):
            return None, _day_before(first), m.group(0)
        return first, last, m.group(0)
    return None


def _day_before(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()
