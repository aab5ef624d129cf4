"""What the archive covers: periods of transcripts, a per-month count, and what is *not* there.

A reporter must not mistake silence for absence. The header states coverage as periods, not as a
first-to-last range (an index of May 2018 – July 2020 plus one 2023 transcript does not cover
2021), and a question whose dates fall where there are no transcripts is answered "not in the
archive", with the nearest covered period.

Transcripts less than :data:`GAP_DAYS` apart belong to one period: the ministry holds its press
conference every working day, with breaks of up to about three weeks (summer, Spring Festival).

    >>> cov = Coverage.from_dates(["2018-05-11", "2018-05-14", "2020-07-03", "2023-07-26", None])
    >>> cov.describe()
    '11 May 2018 – 14 May 2018; 3 July 2020; 26 July 2023 (plus 1 undated)'
    >>> cov.count("2022-01-01", "2022-12-31"), cov.count("2020-01-01", None)
    (0, 2)
    >>> cov.nearest("2022-01-01", "2022-12-31").label
    '26 July 2023'
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .cite import human_date

GAP_DAYS = 60
# A stretch of the dates asked longer than this outside the covered periods is said ("Of July 2020, the archive
# covers 1 July 2020 – 3 July 2020 only: ..."): longer than the ministry's usual breaks.
PART_DAYS = 21


def _d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


@dataclass(frozen=True)
class Period:
    """Consecutive transcripts with no gap longer than :data:`GAP_DAYS` between them."""

    start: str  # YYYY-MM-DD of the first transcript
    end: str  # YYYY-MM-DD of the last
    transcripts: int

    @property
    def label(self) -> str:
        a, b = human_date(self.start), human_date(self.end)
        return a if a == b else f"{a} – {b}"

    def distance(self, since: str | None, until: str | None) -> int:
        """Days between this period and the range ``[since, until]`` (0 when they overlap)."""
        lo, hi = _d(since) if since else dt.date.min, _d(until) if until else dt.date.max
        if _d(self.end) < lo:
            return (lo - _d(self.end)).days
        if _d(self.start) > hi:
            return (_d(self.start) - hi).days
        return 0


@dataclass(frozen=True)
class Coverage:
    """The sorted transcript dates of an index, with the periods they form."""

    dates: tuple[str, ...]  # sorted ISO dates, one per dated transcript
    undated: int = 0

    @classmethod
    def from_dates(cls, dates: Iterable[str | None]) -> Coverage:
        ds = list(dates)
        return cls(tuple(sorted(d for d in ds if d)), sum(1 for d in ds if not d))

    @classmethod
    def of_index(cls, index) -> Coverage:  # noqa: ANN001 - anything with .sources {name: Source}
        return cls.from_dates(s.date for s in index.sources.values())

    @property
    def periods(self) -> tuple[Period, ...]:
        out: list[Period] = []
        start = prev = None
        n = 0
        for d in self.dates:
            if prev is not None and (_d(d) - _d(prev)).days > GAP_DAYS:
                out.append(Period(start, prev, n))
                start, n = None, 0
            start = start or d
            prev, n = d, n + 1
        if prev is not None:
            out.append(Period(start, prev, n))
        return tuple(out)

    def count(self, since: str | None, until: str | None) -> int:
        """How many dated transcripts fall in ``[since, until]`` (either end open when None)."""
        lo = bisect_left(self.dates, since) if since else 0
        hi = bisect_right(self.dates, until) if until else len(self.dates)
        return max(0, hi - lo)

    def nearest(self, since: str | None, until: str | None) -> Period | None:
        """The covered period closest to ``[since, until]`` (the later one on a tie)."""
        ps = self.periods
        if not ps:
            return None
        return min(reversed(ps), key=lambda p: p.distance(since, until))

    def partly(self, since: str | None, until: str | None) -> str | None:
        """The covered parts of ``[since, until]`` in words when more than :data:`PART_DAYS` days of it at one stretch
        lie outside every covered period (None otherwise, or when nothing of it is covered: that is "not in the
        archive"). Both ends must be given; a gap inside a period (a holiday break) is covered.

        >>> cov = Coverage.from_dates(["2020-06-01", "2020-06-29", "2020-07-03", "2023-07-26"])
        >>> cov.partly("2020-07-01", "2020-07-31"), cov.partly("2020-06-01", "2020-07-10")
        ('1 July 2020 – 3 July 2020', None)
        >>> cov.partly("2020-01-01", "2023-12-31")
        '1 June 2020 – 3 July 2020; 26 July 2023'
        """
        if not (since and until) or not self.count(since, until):
            return None
        lo, hi = _d(since), _d(until)
        # each covered period, cut to the range (a period's own breaks count as covered)
        inside = [(max(_d(p.start), lo), min(_d(p.end), hi)) for p in self.periods if p.distance(since, until) == 0]
        edges = [lo - dt.timedelta(days=1)] + [d for a, b in inside for d in (a, b)] + [hi + dt.timedelta(days=1)]
        gaps = [(edges[i + 1] - edges[i]).days - 1 for i in range(0, len(edges), 2)]
        if max(gaps) <= PART_DAYS:
            return None
        return "; ".join(Period(a.isoformat(), b.isoformat(), 0).label for a, b in inside)

    def months(self) -> list[tuple[str, int]]:
        """``[("2018-05", n), ...]`` for every month from the first to the last transcript (zeros kept)."""
        if not self.dates:
            return []
        counts = Counter(d[:7] for d in self.dates)
        y, m = int(self.dates[0][:4]), int(self.dates[0][5:7])
        last = self.dates[-1][:7]
        out = []
        while True:
            key = f"{y:04d}-{m:02d}"
            out.append((key, counts.get(key, 0)))
            if key >= last:
                return out
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    def describe(self) -> str:
        """The periods in words, e.g. ``"11 May 2018 – 3 July 2020; 26 July 2023"``."""
        text = "; ".join(p.label for p in self.periods) or "no dated transcripts"
        return text + (f" (plus {self.undated} undated)" if self.undated else "")


def span_words(since: str | None, until: str | None) -> str:
    """A date range in words, whole years and months said as such.

    >>> span_words("2022-01-01", "2022-12-31"), span_words("2022-02-01", "2022-02-28")
    ('2022', 'February 2022')
    >>> span_words("2021-03-05", None)
    'from 5 March 2021'
    """
    if since and until:
        a, b = _d(since), _d(until)
        if a.month == 1 and a.day == 1 and b.month == 12 and b.day == 31:
            return str(a.year) if a.year == b.year else f"{a.year}–{b.year}"
        nxt = (b + dt.timedelta(days=1))
        if a.day == 1 and nxt.day == 1 and (a.year, a.month) == (b.year, b.month):
            return f"{a.strftime('%B')} {a.year}"
        return f"{human_date(since)} – {human_date(until)}" if since != until else human_date(since)
    if since:
        return f"from {human_date(since)}"
    return f"before {human_date(until)}" if until else "any date"
