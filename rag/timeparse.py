"""Turn unambiguous time phrases in a question into a date range.

Only phrases with one reading are used ("in June 2018", "early 2019", "spring 2019",
"in 2019", "July 26, 2023", "since March 2020", "before 2019"). Relative or
ambiguous phrases ("last year", "winter 2019") are ignored rather than guessed.

    >>> parse_time_phrase("What was said about Huawei in June 2018?")
    ('2018-06-01', '2018-06-30', 'June 2018')
    >>> parse_time_phrase("trade talks early 2019")
    ('2019-01-01', '2019-04-30', 'early 2019')
    >>> parse_time_phrase("Taiwan drills") is None
    True
"""

from __future__ import annotations

import calendar
import datetime
import re

from .sources.lexicon import MONTHS

_M = "|".join(m.capitalize() for m in MONTHS) + "|" + "|".join(
    m.capitalize()[:3] for m in MONTHS if len(m) > 3) + "|Sept"
_Y = r"(19[89]\d|20\d\d)"
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
_PARTS = {"early": (1, 4), "mid": (5, 8), "middle of": (5, 8), "late": (9, 12), "end of": (11, 12),
          "beginning of": (1, 2), "start of": (1, 2),
          "first half of": (1, 6), "second half of": (7, 12), "the first half of": (1, 6),
          "the second half of": (7, 12),
          # quarters: "Q1 2020", "the second quarter of 2019" (a QA reader's searched the whole archive)
          "q1": (1, 3), "q2": (4, 6), "q3": (7, 9), "q4": (10, 12)}
for _i, _nth in enumerate(("first", "second", "third", "fourth")):
    _PARTS[f"{_nth} quarter of"] = _PARTS[f"the {_nth} quarter of"] = (3 * _i + 1, 3 * _i + 3)


def _month(name: str) -> int:
    name = name.lower()
    if name == "sept":
        return 9
    for full, i in MONTHS.items():
        if full.startswith(name[:3]):
            return i
    raise ValueError(name)


def _last_day(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"


def parse_time_phrase(question: str) -> tuple[str | None, str | None, str] | None:
    """``(since, until, phrase)`` for the first unambiguous time phrase, or None.

    >>> parse_time_phrase("trade talks between March and May 2019")
    ('2019-03-01', '2019-05-31', 'between March and May 2019')
    >>> parse_time_phrase("Hong Kong in late June 2020")
    ('2020-06-21', '2020-06-30', 'late June 2020')
    """
    q = question
    span = _range(q)
    if span:
        return span
    # A bound with a third of a month, or "by" a month: "since late June 2020" (from 21 June), "before early July
    # 2020" (up to 30 June), "by late March 2020" (up to 31 March), "by March 2020" (up to 31 March).
    m = re.search(rf"\b(since|after|from|before|until|till|through|up to|by|prior to)\s+(?:the\s+)?(?:({_PART_WORDS})[\s-]+)?"
                  rf"({_M})\.?,?\s+(?:of\s+)?{_Y}\b", q, re.I)
    if m and (m.group(2) or m.group(1).lower() == "by"):
        return _one_side(m.group(1), *_third(int(m.group(4)), _month(m.group(3)), m.group(2)), m.group(0))
    # "since"/"after" and "before"/"until" bound one side only. "until", "till" and "through" take in the month or
    # year named ("until March 2020": up to 31 March, as "by March 2020" and "until the end of March 2020"); "before"
    # stops short of it.
    m = re.search(rf"\b(since|after|from|before|until|till|through|up to|prior to)\s+(?:({_M})\.?\s+)?{_Y}\b", q, re.I)
    if m:
        year, mo = int(m.group(3)), _month(m.group(2)) if m.group(2) else None
        first, last = (f"{year:04d}-01-01", f"{year:04d}-12-31") if mo is None else \
            (f"{year:04d}-{mo:02d}-01", _last_day(year, mo))
        return _one_side(m.group(1), first, last, m.group(0))  # "after 2019" starts in 2020, "after March" in April
    # Exact day: "July 26, 2023", "26 July 2023" (groups: month, day, year in either order).
    for pattern, (mi, di) in ((rf"\b({_M})\.?\s+(\d{{1,2}}),?\s+{_Y}\b", (1, 2)),
                              (rf"\b(\d{{1,2}})\s+({_M})\.?,?\s+{_Y}\b", (2, 1))):
        m = re.search(pattern, q, re.I)
        if m:
            try:
                d = f"{int(m.group(3)):04d}-{_month(m.group(mi)):02d}-{int(m.group(di)):02d}"
                _valid(d)
                return (d, d, m.group(0))
            except ValueError:
                pass
    # Part of a year or season: "early 2019", "first half of 2020", "spring 2019".
    parts = "|".join(sorted((re.escape(p) for p in _PARTS), key=len, reverse=True))
    m = re.search(rf"\b({parts})[\s-]+(?:of\s+)?{_Y}\b", q, re.I)
    if m:
        a, b = _PARTS[m.group(1).lower()]
        y = int(m.group(2))
        return _bound(q, m.start(), f"{y:04d}-{a:02d}-01", _last_day(y, b), m.group(0))
    m = re.search(rf"\b(spring|summer|autumn|fall)\s+(?:of\s+)?{_Y}\b", q, re.I)
    if m:
        a, b = _SEASONS[m.group(1).lower()]
        y = int(m.group(2))
        return _bound(q, m.start(), f"{y:04d}-{a:02d}-01", _last_day(y, b), m.group(0))
    # Part of a month: "late June 2020", "mid-March 2019" (thirds of the month).
    m = re.search(rf"\b({_PART_WORDS})[\s-]+({_M})\.?,?\s+(?:of\s+)?{_Y}\b", q, re.I)
    if m:
        return (*_third(int(m.group(3)), _month(m.group(2)), m.group(1)), m.group(0))
    # A month of a year: "June 2018", "in Sept. 2019".
    m = re.search(rf"\b({_M})\.?,?\s+(?:of\s+)?{_Y}\b", q, re.I)
    if m:
        y, mo = int(m.group(2)), _month(m.group(1))
        return (f"{y:04d}-{mo:02d}-01", _last_day(y, mo), m.group(0))
    # A whole year, only with a preposition ("in 2019"): a bare number may be a name.
    m = re.search(rf"\b(?:in|during|throughout)\s+{_Y}\b", q, re.I)
    if m:
        y = int(m.group(1))
        return (f"{y:04d}-01-01", f"{y:04d}-12-31", m.group(0))
    return None


_BOUND = re.compile(r"\b(since|after|from|before|prior to|until|till|through|up to|by)\s+(?:the\s+)?$", re.I)


def _bound(q: str, start: int, since: str, until: str, phrase: str) -> tuple[str | None, str | None, str]:
    """The span ``since``–``until`` of the ``phrase`` found at ``start`` of ``q``, or one side of it when a bound
    word comes before: "since the start of 2020" is from 1 January 2020 on, not January–April alone.

    >>> _bound("Huawei since the start of 2020", 17, "2020-01-01", "2020-04-30", "start of 2020")
    ('2020-01-01', None, 'since the start of 2020')
    >>> _bound("before summer 2019", 7, "2019-06-01", "2019-08-31", "summer 2019")
    (None, '2019-05-31', 'before summer 2019')
    """
    m = _BOUND.search(q[:start])
    if not m:
        return (since, until, phrase)
    end = start + len(phrase)
    to = re.match(r"\s*(?:to|until|till|through|-|\u2013)\s+(?:the\s+)?", q[end:]) if m.group(1).lower() == "from" else None
    if to:  # "from the start of 2020 to the end of 2021": a range, its end read as a phrase of its own
        tail = parse_time_phrase(q[end + to.end():])
        if tail and tail[1] and tail[1] >= since and q[end + to.end():].startswith(tail[2]):
            return (since, tail[1], q[m.start():end + to.end() + len(tail[2])])
        return (since, until, phrase)
    return _one_side(m.group(1), since, until, q[m.start():start] + phrase)


def _one_side(word: str, first: str, last: str, phrase: str) -> tuple[str | None, str | None, str]:
    """The one side a bound ``word`` makes of the period ``first``–``last``: "since"/"from" it on, "after" it,
    "before"/"prior to" it, "until"/"till"/"through"/"up to"/"by" the end of it (the period taken in).

    >>> _one_side("after", "2020-03-01", "2020-03-31", "after March 2020")
    ('2020-04-01', None, 'after March 2020')
    """
    word = word.lower()
    if word in ("since", "from"):
        return (first, None, phrase)
    if word == "after":
        return ((datetime.date.fromisoformat(last) + datetime.timedelta(days=1)).isoformat(), None, phrase)
    if word in ("before", "prior to"):
        return (None, (datetime.date.fromisoformat(first) - datetime.timedelta(days=1)).isoformat(), phrase)
    return (None, last, phrase)


# Thirds of a month: first and last day (None: the month's last).
_THIRDS = {"early": (1, 10), "beginning of": (1, 10), "start of": (1, 10), "mid": (11, 20), "middle of": (11, 20),
           "late": (21, None), "end of": (21, None)}
_PART_WORDS = "early|beginning of|start of|mid|middle of|late|end of"


def _third(y: int, mo: int, part: str | None) -> tuple[str, str]:
    """First and last day of the third of month ``mo`` of ``y`` that ``part`` names ("late"), or of the whole
    month when ``part`` is None.

    >>> _third(2020, 2, "late"), _third(2020, 6, None)
    (('2020-02-21', '2020-02-29'), ('2020-06-01', '2020-06-30'))
    """
    a, b = _THIRDS[part.lower()] if part else (1, None)
    return f"{y:04d}-{mo:02d}-{a:02d}", _last_day(y, mo) if b is None else f"{y:04d}-{mo:02d}-{b:02d}"
_TO = r"(?:and|or|to|until|till|through|-|\u2013)"


def _range(q: str) -> tuple[str, str, str] | None:
    """Two months or two years as one range: "between March and May 2019", "from March 2019 to May 2019",
    "March-May 2019", "from December 2018 to February 2019", "between 2018 and 2019". The first month takes the
    second's year when it has none (the year before when it comes later in the calendar: "from November to
    February 2020" starts in November 2019). None when the range runs backwards.

    >>> _range("from December to February 2020"), _range("between 2018 and 2019")
    (('2019-12-01', '2020-02-29', 'from December to February 2020'), ('2018-01-01', '2019-12-31', 'between 2018 and 2019'))
    """
    part = rf"(?:({_PART_WORDS})[\s-]+)?"
    m = re.search(rf"\b(?:(?:between|from)\s+)?(?:the\s+)?{part}({_M})\.?(?:,?\s+{_Y})?\s*{_TO}\s*(?:the\s+)?{part}"
                  rf"({_M})\.?,?\s+{_Y}\b", q, re.I)
    if m and (m.group(0).lower().startswith(("between", "from")) or " and " not in m.group(0).lower()):
        p1, m1, p2, m2, y2 = m.group(1), _month(m.group(2)), m.group(4), _month(m.group(5)), int(m.group(6))
        # the first month without a year is the second's year, or the year before across a new year (at most
        # four months: "from November to February 2020"; "between May and March 2019" is no range)
        y1 = int(m.group(3)) if m.group(3) else (y2 - 1 if m1 > m2 and (m2 - m1) % 12 <= 4 else y2)
        if (y1, m1) <= (y2, m2):
            return (_third(y1, m1, p1)[0], _third(y2, m2, p2)[1], m.group(0))
    # two seasons of one year: "between spring and autumn 2019" (a QA reader's read as autumn alone)
    m = re.search(rf"\b(?:between|from)\s+(spring|summer|autumn|fall)\s*{_TO}\s*(spring|summer|autumn|fall)\s+"
                  rf"(?:of\s+)?{_Y}\b", q, re.I)
    if m and _SEASONS[m.group(1).lower()][0] <= _SEASONS[m.group(2).lower()][0]:
        y = int(m.group(3))
        return (f"{y:04d}-{_SEASONS[m.group(1).lower()][0]:02d}-01", _last_day(y, _SEASONS[m.group(2).lower()][1]),
                m.group(0))
    m = re.search(rf"\b(?:between|from)\s+{_Y}\s*{_TO}\s*{_Y}\b", q, re.I)
    if m and int(m.group(1)) <= int(m.group(2)):
        return (f"{int(m.group(1)):04d}-01-01", f"{int(m.group(2)):04d}-12-31", m.group(0))
    return None


def _valid(d: str) -> None:
    datetime.date.fromisoformat(d)
