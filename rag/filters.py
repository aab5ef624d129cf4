"""Search filters: dates, spokesperson, outlet. Validated once (:func:`make_filters`), applied as a
row mask inside both searches (:func:`filter_mask`), so a filtered top-k is filled with matching rows.

    >>> make_filters("2019-01-01", "2019-12-31", "Geng Shuang").to_dict()
    {'since': '2019-01-01', 'until': '2019-12-31', 'spokesperson': 'Geng Shuang', 'outlet': None}
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import QueryError


@dataclass(frozen=True)
class Filters:
    since: str | None = None
    until: str | None = None
    spokesperson: str | None = None
    outlet: str | None = None

    def to_dict(self) -> dict:
        return {"since": self.since, "until": self.until, "spokesperson": self.spokesperson, "outlet": self.outlet}

    def active(self) -> bool:
        return any(self.to_dict().values())


def make_filters(since: str | None = None, until: str | None = None, spokesperson: str | None = None,
                 outlet: str | None = None) -> Filters:
    """Validated filters; raises QueryError with the expected format."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value != "":
            try:
                _dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                raise QueryError(f"the {name} date must look like 2019-06-30 (YYYY-MM-DD), not {value!r}") from None
            if len(value) != 10:
                raise QueryError(f"the {name} date must look like 2019-06-30 (YYYY-MM-DD), not {value!r}")
    if since and until and since > until:
        raise QueryError(f"the since date ({since}) is after the until date ({until})")
    for name, value in (("spokesperson", spokesperson), ("outlet", outlet)):
        if value is not None and len(value) > 200:
            raise QueryError(f"{name} filter is too long (at most 200 characters)")
    spokesperson = (spokesperson or "").strip()
    if spokesperson:  # a Chinese name ("华春莹") filters as its romanised form, which the turns carry
        from .sources.lexicon import SPOKESPERSONS_ZH

        spokesperson = SPOKESPERSONS_ZH.get(spokesperson, spokesperson)
    return Filters(since or None, until or None, spokesperson or None, (outlet or "").strip() or None)


def filter_mask(f: Filters, dates: Sequence[str], spokespeople: Sequence[str] | None = None,
                outlets: Sequence[str] | None = None) -> np.ndarray | None:
    """Boolean mask of the rows that pass ``f``; None when no filter applies.

    Rows are described by parallel columns: ISO dates ("" = undated, which no date filter
    passes) and lower-cased spokesperson names (a filter matches whole words: "Hua" keeps Hua Chunying,
    not Geng Shuang) and canonical outlet
    names (:func:`rag.sources.outlets.canonical_outlet`; a filter matches the outlet under any of its
    names, e.g. "Agence France-Presse" finds AFP's questions). A column left out is not filtered on
    (the naive baseline's pages have no single outlet).

    >>> filter_mask(Filters(since="2023-01-01"), ["2022-12-31", "2023-01-02", ""]).tolist()
    [False, True, False]
    >>> filter_mask(Filters(outlet="AFP"), ["2023-01-02"]) is None
    True
    """
    use_spk = bool(f.spokesperson) and spokespeople is not None
    use_outlet = bool(f.outlet) and outlets is not None
    if not (f.since or f.until or use_spk or use_outlet):
        return None
    m = np.ones(len(dates), dtype=bool)
    if f.since or f.until:
        m &= np.array([d != "" for d in dates], dtype=bool)
        if f.since:
            m &= np.array([d >= f.since for d in dates], dtype=bool)
        if f.until:
            m &= np.array([d != "" and d <= f.until for d in dates], dtype=bool)
    if use_spk:
        # whole words: "Hua" is Hua Chunying, not Geng Shuang
        rx = re.compile(rf"(?<!\w){re.escape(' '.join(f.spokesperson.lower().split()))}(?!\w)")
        m &= np.array([bool(rx.search(x)) for x in spokespeople], dtype=bool)
    if use_outlet:
        from .sources.outlets import canonical_outlet

        o = canonical_outlet(f.outlet).lower()
        # a joint question ("ITN & BBC") belongs to each of its outlets
        m &= np.array([o == x or o in x.split(" & ") for x in outlets], dtype=bool)
    return m


def check_names(f: Filters, spokespersons: Iterable[str], outlets: Iterable[str]) -> None:
    """Raise QueryError when ``f``'s spokesperson names none of ``spokespersons`` (whole words, as
    :func:`filter_mask`), or its outlet is neither known (:data:`rag.sources.outlets.OUTLETS`) nor one of
    ``outlets`` (the labels of the index's questions, read only then): a misspelt name ("Geng Shaung") would
    otherwise answer "nothing in the 0 transcripts searched", as if the archive were silent. A known outlet that
    the period searched does not label is a warning of the search, not an error.

    >>> check_names(Filters(spokesperson="Hua"), ["Hua Chunying"], [])
    >>> check_names(Filters(spokesperson="Hua Chunyin"), ["Hua Chunying", "Geng Shuang"], [])
    Traceback (most recent call last):
    rag.errors.QueryError: no spokesperson named 'Hua Chunyin' in this index; its spokespersons are Geng Shuang, Hua Chunying
    """
    names = sorted(set(spokespersons))
    if f.spokesperson and not filter_mask(Filters(spokesperson=f.spokesperson), [""] * len(names),
                                          [n.lower() for n in names]).any():
        raise QueryError(f"no spokesperson named {f.spokesperson!r} in this index; its spokespersons are "
                         f"{', '.join(names) or 'none'}")
    if f.outlet:
        from .sources.outlets import OUTLETS, canonical_outlet, outlet_parts

        if all(p in OUTLETS for p in outlet_parts(canonical_outlet(f.outlet))):
            return
        asked = Counter(canonical_outlet(o) for o in outlets if o)
        if not filter_mask(Filters(outlet=f.outlet), [""] * len(asked), None, [a.lower() for a in asked]).any():
            raise QueryError(f"no outlet named {f.outlet!r} is known or asks in this index; the outlets asking most "
                             f"are {', '.join(o for o, _ in asked.most_common(12)) or 'none'}")


def outlet_label_warning(outlet: str, labelled_turns: int, outlets_since: str | None, earlier: bool) -> str | None:
    """What a reader must know about an outlet filter: the period searched records no outlet at all, or records
    them only from ``outlets_since`` while ``earlier`` transcripts were searched too (the ministry's older pages
    name no outlet), so earlier questions cannot match.

    >>> outlet_label_warning("Reuters", 120, "2020-03-24", True)[:72]
    'The transcripts record which outlet asked a question only from 24 March '
    >>> outlet_label_warning("Reuters", 120, "2020-03-24", False) is None
    True
    """
    from .cite import human_date

    if labelled_turns == 0:
        since_txt = f" (the ministry's pages name it from {human_date(outlets_since)})" if outlets_since else ""
        return (f"The transcripts of the period searched do not record which outlet asked a question{since_txt}, so "
                f"the outlet filter ({outlet}) matches nothing there.")
    if outlets_since and earlier:
        return (f"The transcripts record which outlet asked a question only from {human_date(outlets_since)}: "
                f"earlier questions by {outlet} cannot match the outlet filter.")
    return None


def asked_outlet_warning(outlet: str, outlets_since: str) -> str:
    """The same for an outlet the question makes the asker ("what did they tell Reuters"): a preference, not a
    filter, so the earlier answers are there, ranked by their topic alone."""
    from .cite import human_date

    return (f"The transcripts record which outlet asked a question only from {human_date(outlets_since)}: "
            f"earlier answers cannot be tied to {outlet} and are ranked by their topic alone.")
