"""Read the Chinese Foreign Ministry's English press-conference pages (fmprc.gov.cn).

A page holds its title in ``<h2 class="title">`` (and ``<title>``) and the transcript in
``<div class="content">`` as ``<p>`` paragraphs, sometimes several per ``<p>`` split by
``<br>``. This module turns the page into cleaned :class:`~rag.sources.segment.Para` objects
and leaves the cutting into turns to the shared :func:`rag.sources.segment.segment`.

Decisions worth knowing:

* "Daily Briefing Online" pages (February 2020) are conferences like any other.
* "Remarks" pages (summer 2019 and a few single items) hold the spokesperson's answers to
  journalists' questions outside a regular conference. They are parsed the same way but
  get ``kind="remarks"``, so callers can count or filter them apart from conferences.
* Titles without a year ("... on September 10") take the year from the page's own image
  file names (``W020180910...jpg`` encodes the upload date); :func:`infer_years` fills what
  is still missing from neighbouring pages. Both set ``date_inferred=True``. The fetch
  time in ``pages.tsv`` is never used: it is when the page was crawled, not published.
* Text is cleaned as in plain-text transcripts (:func:`rag.sources.decode.clean`): zero-width
  and bidi control characters are dropped and counted in a warning, control characters become
  spaces; then whitespace runs collapse to one space.
* :func:`find_duplicates` spots a conference published twice (same date and spokesperson,
  near-identical text: the ministry re-posts revised translations under a new page id).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

from lxml import etree, html

from ..errors import TranscriptError
from ..records import Source
from .decode import clean, decode_html, invisible_warning
from .lexicon import MONTH_NAMES, MONTHS, parse_date, spokesperson_name
from .segment import Para, segment

# Tags whose start or end ends a paragraph. Everything else (strong, b, span, font, a,
# o:p ...) is inline and only contributes its text.
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "table", "tr", "td", "th", "tbody", "thead", "blockquote", "center", "pre", "hr",
    "section", "article", "header", "footer", "figure", "figcaption",
})
# Tags whose text is never transcript text.
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "select"})

_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_TITLE_SPOKES_RE = re.compile(r"Spokesperson\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}?)(?:'s|’s|\s+held|\s+at)\b")
# "on September 10" / "June11" without a year after it.
_MONTH_DAY_RE = re.compile(rf"\b({MONTH_NAMES})\s*(\d{{1,2}})\b(?!\s*,?\s*\d{{4}})")
# The CMS names uploaded images W0YYYYMMDD<digits>.jpg after their upload day.
_IMAGE_DATE_RE = re.compile(r"W0(\d{4})(\d{2})(\d{2})\d{6,}")
_PAGE_ID_RE = re.compile(r"t(\d+)")
_REMARKS_RE = re.compile(r"\bRemarks\b")
_CONFERENCE_RE = re.compile(r"Press Conference|Daily Briefing|Press Briefing", re.IGNORECASE)
# How far an image's upload date may be from the conference for its year to count.
_IMAGE_DATE_SLACK = dt.timedelta(days=45)
# Shingle overlap above which two same-day transcripts are one conference posted twice.
# Measured on the corpus: the re-posted revision of 2019-04-29 shares 0.67 of its word
# 3-grams with the first post; consecutive distinct pages share at most 0.11.
DUPLICATE_SIMILARITY = 0.3


# ---------------------------------------------------------------------------
# Paragraph extraction


def clean_text(text: str) -> tuple[str, int]:
    """The text cleaned as every parser cleans it (:func:`rag.sources.decode.clean`), with every
    whitespace run (including &nbsp;) collapsed to one space and the ends stripped; and how many
    invisible characters were dropped."""
    text, n = clean(text)
    return " ".join(text.split()), n


class _ParaCollector:
    """Walks an element tree and cuts its text into paragraphs at block tags and ``<br>``.

    Line numbers are estimated cheaply: lxml gives each element's start line; newlines in
    the text seen since then are counted on top of it. The walk is recursive; libxml2 stops
    nesting at depth 256, far below Python's recursion limit.
    """

    clean = staticmethod(clean_text)  # how a paragraph's text is cleaned (the Chinese pages override it)

    def __init__(self) -> None:
        self.paras: list[Para] = []
        self._buf: list[str] = []
        self._start_line: int | None = None
        self._line: int | None = None
        self.invisible = 0  # invisible characters dropped, for the page's warning

    def _add_text(self, text: str | None) -> None:
        if not text:
            return
        if self._start_line is None and text.strip() and self._line is not None:
            lead = len(text) - len(text.lstrip())
            self._start_line = self._line + text.count("\n", 0, lead)
        self._buf.append(text)
        if self._line is not None:
            self._line += text.count("\n")

    def _break(self) -> None:
        text, n = self.clean("".join(self._buf))
        self.invisible += n
        if text:
            self.paras.append(Para(text, self._start_line))
        self._buf = []
        self._start_line = None

    def walk(self, el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if isinstance(el.sourceline, int):
            self._line = el.sourceline
        block = tag in _BLOCK_TAGS
        if block:
            self._break()
        if tag and tag not in _SKIP_TAGS:  # comments and processing instructions have no text
            self._add_text(el.text)
            for child in el:
                self.walk(child)
                self._add_text(child.tail)
        if block:
            self._break()

    def collect(self, root: etree._Element) -> list[Para]:
        self.walk(root)
        self._break()
        return self.paras


def content_paras(content: etree._Element) -> tuple[list[Para], int]:
    """Cleaned paragraphs of the content div (image-only and empty paragraphs are dropped),
    and how many invisible characters the cleaning dropped."""
    collector = _ParaCollector()
    return collector.collect(content), collector.invisible


# ---------------------------------------------------------------------------
# Page metadata


def _find_content(doc: etree._Element) -> etree._Element | None:
    found = doc.xpath('//div[contains(concat(" ", normalize-space(@class), " "), " content ")]')
    return found[0] if found else None


def _page_title(doc: etree._Element) -> tuple[str | None, int]:
    """The page's title and how many invisible characters its cleaning dropped."""
    for xp in ('//h2[contains(concat(" ", normalize-space(@class), " "), " title ")]', "//title"):
        for el in doc.xpath(xp):
            text, n = clean_text(el.text_content())
            if text:
                return text, n
    return None, 0


def _title_spokesperson(title: str | None) -> str | None:
    m = _TITLE_SPOKES_RE.search(title or "")
    return spokesperson_name(m.group(1)) if m else None


def page_kind(title: str | None) -> str:
    """``"remarks"`` for "Spokesperson X's Remarks on ..." pages, else ``"conference"``."""
    if title and _REMARKS_RE.search(title) and not _CONFERENCE_RE.search(title):
        return "remarks"
    return "conference"


def month_day(title: str | None) -> tuple[int, int] | None:
    """``(month, day)`` of a title that names a day without a year ("... on September 10")."""
    m = _MONTH_DAY_RE.search(title or "")
    if not m:
        return None
    return MONTHS[m.group(1).lower()], int(m.group(2))


def _image_dates(content: etree._Element) -> list[dt.date]:
    dates = []
    for img in content.iter("img", "IMG"):
        for attr in ("src", "oldsrc", "OLDSRC", "_fcksavedurl"):
            m = _IMAGE_DATE_RE.search(img.get(attr) or "")
            if m:
                try:
                    dates.append(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
                except ValueError:
                    pass
                break
    return dates


def _date_with_year(md: tuple[int, int], anchors: list[dt.date]) -> dt.date | None:
    """The date ``md`` in the year that puts it closest to one of ``anchors`` (within slack)."""
    best: tuple[dt.timedelta, dt.date] | None = None
    for anchor in anchors:
        for year in (anchor.year - 1, anchor.year, anchor.year + 1):
            try:
                cand = dt.date(year, *md)
            except ValueError:  # February 29 in a common year
                continue
            gap = abs(cand - anchor)
            if gap <= _IMAGE_DATE_SLACK and (best is None or gap < best[0]):
                best = (gap, cand)
    return best[1] if best else None


def _page_date(title: str | None, content: etree._Element) -> tuple[str | None, bool, list[str]]:
    """``(date, inferred, warnings)`` from the title, else from image file names."""
    date = parse_date(title or "")
    if date:
        return date, False, []
    md = month_day(title)
    if md is None:
        return None, False, ["no date in the title"]
    found = _date_with_year(md, _image_dates(content))
    if found:
        return found.isoformat(), True, ["year missing in the title; taken from image file names"]
    return None, False, ["year missing in the title; run infer_years"]


# ---------------------------------------------------------------------------
# Public API


def load_page(data: bytes | str, where: str) -> etree._Element:
    """The page's element tree (both site layouts, both languages); a TranscriptError if it is not a usable
    HTML page."""
    text = _XML_DECL_RE.sub("", decode_html(data, where), count=1)
    parser = html.HTMLParser()
    try:
        doc = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise TranscriptError(where, f"not an HTML page: {e}") from None
    # libxml2 silently drops everything nested deeper than 256 tags; say so rather than
    # index a page with text missing.
    deep = next((e for e in parser.error_log if "Excessive depth" in e.message), None)
    if deep is not None:
        raise TranscriptError(where, "tags are nested more than 256 levels deep; the text below that is lost",
                              line=deep.line, hint="flatten or re-save the page (e.g. from a browser) and ingest it again")
    return doc


def parse_html(data: bytes | str, source: str, *, url: str | None = None, path: str | None = None) -> Source:
    """Parse one fmprc.gov.cn press-conference page into a :class:`Source`.

    ``source`` names the transcript (e.g. ``"t1558711.html"``); ``path`` is used in error
    messages (defaults to ``source``). Raises :class:`TranscriptError` for undecodable
    bytes, a page without ``<div class="content">`` or a transcript without turns.
    """
    where = path or source
    doc = load_page(data, where)
    content = _find_content(doc)
    if content is None:
        raise TranscriptError(where, 'no <div class="content"> in the page',
                              hint="expected an fmprc.gov.cn transcript page")
    title, title_invisible = _page_title(doc)
    date, inferred, warnings = _page_date(title, content)
    paras, invisible = content_paras(content)
    src = segment(
        paras, source=source, title=title, date=date, date_inferred=inferred,
        spokesperson=_title_spokesperson(title), url=url, kind=page_kind(title),
        preamble="statement", warnings=(*warnings, *invisible_warning(title_invisible + invisible)),
    )
    if not src.turns:
        raise TranscriptError(where, "no question/answer turns found", line=content.sourceline,
                              hint="the content div holds no text")
    return src


def load_urls(pages_dir: Path) -> dict[str, str]:
    """``{"t1558711.html": url}`` from the ``pages.tsv`` in ``pages_dir`` or its parent.

    Returns an empty mapping when there is no ``pages.tsv``: URLs are optional metadata.
    Raises ``OSError``/``UnicodeDecodeError`` if the file exists but cannot be read.
    """
    pages_dir = Path(pages_dir)
    for candidate in (pages_dir / "pages.tsv", pages_dir.parent / "pages.tsv"):
        if candidate.is_file():
            return _read_pages_tsv(candidate)
    return {}


def _read_pages_tsv(tsv: Path) -> dict[str, str]:
    # Rows without a file or URL are skipped rather than fatal: a URL is a convenience
    # for citations, and one bad row must not stop a whole ingest.
    urls: dict[str, str] = {}
    with tsv.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            file, url = (row.get("file") or "").strip(), (row.get("url") or "").strip()
            if file and url:
                urls[file.replace("\\", "/").rsplit("/", 1)[-1]] = url
    return urls


def page_id(source: Source | str) -> int | None:
    """Numeric page id of ``t1558711.html`` (ids grow with publication time), else None."""
    name = source.source if isinstance(source, Source) else source
    m = _PAGE_ID_RE.match(name.rsplit("/", 1)[-1])
    return int(m.group(1)) if m else None


def _order_key(src: Source) -> tuple[int, str]:
    pid = page_id(src)
    return (pid if pid is not None else -1, src.source)


def infer_years(sources: list[Source]) -> list[Source]:
    """Fill missing dates from neighbouring pages (by page id); returns a list in input order.

    A title with month and day but no year gets the year that puts the date between the
    nearest dated pages before and after it. A page without any date in its title gets the
    date of the nearest dated page before it (else after it). Filled dates are marked
    ``date_inferred=True``; pages with no dated neighbour keep ``date=None``.
    """
    ordered = sorted(range(len(sources)), key=lambda i: _order_key(sources[i]))
    result = list(sources)
    for rank, i in enumerate(ordered):
        src = sources[i]
        if src.date:
            continue
        before = _neighbour_date(sources, ordered[rank - 1::-1] if rank else [])
        after = _neighbour_date(sources, ordered[rank + 1:])
        date, how = _fill_date(month_day(src.title), before, after)
        if date:
            result[i] = replace(src, date=date.isoformat(), date_inferred=True,
                                warnings=src.warnings + (f"date inferred from {how}",))
    return result


def _neighbour_date(sources: list[Source], indices: list[int]) -> dt.date | None:
    for j in indices:
        if sources[j].date:
            return dt.date.fromisoformat(sources[j].date)  # type: ignore[arg-type]
    return None


def _fill_date(md: tuple[int, int] | None, before: dt.date | None,
               after: dt.date | None) -> tuple[dt.date | None, str]:
    anchors = [d for d in (before, after) if d]
    if not anchors:
        return None, ""
    if md is None:
        return anchors[0], "the neighbouring page's date"
    candidates = []
    for year in sorted({d.year for d in anchors} | {anchors[0].year + 1, anchors[-1].year - 1}):
        try:
            candidates.append(dt.date(year, *md))
        except ValueError:
            continue
    if not candidates:
        return None, ""

    def distance(d: dt.date) -> tuple[int, int]:
        # Prefer a date inside [before, after]; among those (or failing that) the nearest.
        outside = (before is not None and d < before) or (after is not None and d > after)
        return (int(outside), min(abs((d - a).days) for a in anchors))

    return min(candidates, key=distance), "the neighbouring pages' years"


def _shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(max(len(words) - n + 1, 1))}


def similarity(a: str, b: str) -> float:
    """Jaccard overlap of word 3-grams: 1.0 for equal texts, ~0 for unrelated ones."""
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def find_duplicates(sources: list[Source]) -> dict[str, str]:
    """``{source name: reason}`` for each page that repeats an earlier one and should be skipped.

    Two pages are the same conference when they share date, spokesperson and kind and
    their canonical texts overlap (see :data:`DUPLICATE_SIMILARITY`). The page with the
    lowest page id is kept.
    """
    skip: dict[str, str] = {}
    kept: dict[tuple[str | None, str | None, str], list[Source]] = {}
    for src in sorted(sources, key=_order_key):
        if not src.date:
            continue  # without a date there is nothing safe to compare against
        key = (src.date, src.spokesperson, src.kind)
        for first in kept.get(key, []):
            sim = similarity(first.canonical, src.canonical)
            if sim >= DUPLICATE_SIMILARITY:
                skip[src.source] = (f"duplicate of {first.source} ({src.date}, {src.spokesperson}, "
                                    f"text similarity {sim:.2f})")
                break
        else:
            kept.setdefault(key, []).append(src)
    return skip
