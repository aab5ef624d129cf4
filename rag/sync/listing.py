"""Read one page of a press-conference listing: its article links (newest first) and its pagination.

Listings are read by what they contain, not by one page's markup, so both site generations and
small template changes parse the same way:

* **Article links** are the ``<a href>`` of the page that, resolved against the listing page's own
  URL, point at a page file (``.shtml``/``.html``/``.htm``) inside the listing's folder or below it,
  and are not themselves listing pages (``default_3.shtml``, ``index_2.html``). Navigation links
  (``../hcy_665411/``, other sections, other hosts) fall outside that folder. Relative links are
  resolved against the page's URL, so a mirror at ``http://127.0.0.1:PORT/<same path>`` works as is.
* **Each link's date**: the ``(2020-05-07)`` or ``<span>2020-05-07</span>`` beside it, else a date
  in its title (``July 3, 2020``, ``2020年5月7日``), else the ``t20240403_…`` of its URL.
* **Pagination**: the page count from ``var countPage = 67`` (older site) or
  ``createPageHTML(67, 0, "index", "shtml")`` (newer site), else from the highest
  ``index_N``/``default_N`` link on the page. Page ``n`` (0 is the newest) is ``default.shtml`` /
  ``default_n.shtml`` or ``index.shtml`` / ``index_n.shtml`` beside the first page; the naming comes
  from the URL itself, else from the script or links of the page.

A page that yields no article link raises :class:`ListingError` naming the page: a silent empty
listing would look like "nothing new" forever.

    >>> page = parse_listing(
    ...     '<ul><li><a href="./202404/t20240403_11276141.shtml">2024年4月3日外交部发言人毛宁主持例行记者会</a>'
    ...     '<span>2024-04-03</span></li><li><a href="../other/">elsewhere</a></li></ul>'
    ...     '<script>createPageHTML(30, 0, "index", "shtml");</script>',
    ...     "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/")
    >>> [(link.url, link.date) for link in page.links]
    [('https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/202404/t20240403_11276141.shtml', '2024-04-03')]
    >>> page.count, page.page_url(2)
    (30, 'https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/index_2.shtml')
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from ..errors import RagError, TranscriptError
from ..sources.decode import decode_html
from ..sources.lexicon import parse_date

PAGE_SUFFIXES = (".shtml", ".html", ".htm")
# A listing page's own file name: default.shtml, default_12.shtml, index.html, index_3.shtml.
_LISTING_NAME = re.compile(r"^(default|index)(?:_(\d+))?\.(s?html?)$", re.IGNORECASE)
_COUNT_VAR = re.compile(r"\bcountPage\s*=\s*(\d+)")
_CURRENT_VAR = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)", re.IGNORECASE)
_NAME_IN_SOURCE = re.compile(r"\b(default|index)(?:_(\d+))?\.(s?html?)\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ZH_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_URL_DATE = re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+")


class ListingError(RagError):
    """A listing page that cannot be used (no article links, not HTML). The message names the page."""


@dataclass(frozen=True)
class Link:
    """One article of a listing: absolute URL, link text, and a ``YYYY-MM-DD`` date when the page gives one."""

    url: str
    title: str
    date: str | None


@dataclass(frozen=True)
class ListingPage:
    """One parsed listing page. ``page`` is its number (0: newest); ``count`` the number of pages, if stated."""

    url: str
    links: tuple[Link, ...]
    page: int
    count: int | None
    base: str  # the listing's folder URL, ending in "/"
    stem: str  # "default" or "index"
    ext: str  # "shtml", "html"
    first_url: str  # page 0 as the listing names it (may be the bare folder URL)

    def page_url(self, n: int) -> str:
        """URL of page ``n`` of this listing (0 is the first, newest page)."""
        if n == 0:
            return self.first_url
        return f"{self.base}{self.stem}_{n}.{self.ext}"

    @property
    def next_url(self) -> str | None:
        """The next (older) page, or None on the last page."""
        if self.count is not None:
            return self.page_url(self.page + 1) if self.page + 1 < self.count else None
        return None


def parse_listing(data: bytes | str, url: str, *, first_url: str | None = None) -> ListingPage:
    """Parse the listing page ``data`` fetched from ``url``. ``first_url`` is page 0's URL (default:
    ``url`` when it is page 0, else the folder's ``stem.ext``). Raises :class:`ListingError`."""
    from lxml import etree, html

    try:
        text = decode_html(data, url)
        doc = html.document_fromstring(text)
    except (TranscriptError, etree.ParserError, ValueError) as e:
        raise ListingError(f"listing page {url} is not a readable HTML page ({e})") from None
    base = _folder(url)
    links = _article_links(doc, url, base)
    if not links:
        raise ListingError(f"listing page {url} has no links to article pages under {base} "
                           "(has the site changed its layout, or is this not a listing page?)")
    scripts = "\n".join(s.text or "" for s in doc.iter("script"))
    stem, ext, page_from_name = _naming(url, scripts, text)
    count, current = _pagination(scripts, doc, url, base, stem, page_from_name)
    first = first_url or (url if current == 0 else f"{base}{stem}.{ext}")
    return ListingPage(url=url, links=tuple(links), page=current, count=count, base=base, stem=stem,
                       ext=ext, first_url=first)


def _folder(url: str) -> str:
    """``https://h/a/b/default_3.shtml`` -> ``https://h/a/b/``; a folder URL is its own folder."""
    url = urldefrag(url)[0].split("?", 1)[0]
    return url if url.endswith("/") else url.rsplit("/", 1)[0] + "/"


def _same_place(a: str, b: str) -> bool:
    """Same host and port (any scheme: the old site links http:// and https:// alike)."""
    return urlsplit(a).netloc.lower() == urlsplit(b).netloc.lower()


def _article_links(doc, url: str, base: str) -> list[Link]:  # noqa: ANN001 - lxml element
    seen: set[str] = set()
    out: list[Link] = []
    base_path = urlsplit(base).path
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        target = urldefrag(urljoin(url, href))[0].split("?", 1)[0]
        parts = urlsplit(target)
        name = parts.path.rsplit("/", 1)[-1]
        if (not _same_place(target, url) or not parts.path.startswith(base_path)
                or not name.lower().endswith(PAGE_SUFFIXES) or _LISTING_NAME.match(name)):
            continue
        # Same host, any scheme: keep the listing's own scheme so a page is stored under one URL.
        target = f"{urlsplit(url).scheme}://{parts.netloc}{parts.path}"
        if target in seen:
            continue
        seen.add(target)
        title = " ".join(a.text_content().split())
        out.append(Link(url=target, title=title, date=_link_date(a, title, target)))
    return out


def _valid(y: str, m: str, d: str) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _link_date(a, title: str, url: str) -> str | None:  # noqa: ANN001 - lxml element
    """The date printed beside the link, else in its title, else in its URL."""
    beside = a.tail or ""
    parent = a.getparent()
    if parent is not None and len(parent.findall(".//a")) == 1:
        beside = parent.text_content().replace(a.text_content(), " ", 1)
    for text in (beside, title):
        for rx in (_ISO_DATE, _ZH_DATE):
            m = rx.search(text)
            if m and (d := _valid(*m.groups())):
                return d
        if text is title and (d := parse_date(title)):
            return d
    m = _URL_DATE.search(url)
    return _valid(*m.groups()) if m else None


def _naming(url: str, scripts: str, text: str) -> tuple[str, str, int | None]:
    """(stem, extension, page number from the file name) of this listing's pages."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    m = _LISTING_NAME.match(name)
    if m:
        return m.group(1), m.group(3), int(m.group(2) or 0)
    args = _create_page_args(scripts)
    if args and args[2]:
        return args[2], args[3] or "shtml", None
    names = Counter((m.group(1), m.group(3)) for m in _NAME_IN_SOURCE.finditer(text))
    if names:
        (stem, ext), _ = names.most_common(1)[0]
        return stem, ext, None
    return "index", "shtml", None


def _create_page_args(scripts: str) -> tuple[int, int, str | None, str | None] | None:
    """``createPageHTML(67, 0, "index", "shtml")`` (or with an element id and a row count around
    them) as (count, current, stem, extension)."""
    m = _CREATE_PAGE.search(scripts)
    if not m:
        return None
    raw = [x.strip() for x in m.group(1).split(",")]
    ints = [int(x) for x in raw if x.isdigit()]
    strings = [x.strip("'\"") for x in raw if x[:1] in "'\""]
    if len(ints) < 2:
        return None
    ext = next((s for s in strings if re.fullmatch(r"s?html?", s, re.IGNORECASE)), None)
    stem = next((s for s in strings if s.lower() in ("index", "default")), None)
    if stem is None and ext is not None and strings.index(ext) > 0:
        stem = strings[strings.index(ext) - 1]
    return ints[0], ints[1], stem, ext


def _pagination(scripts: str, doc, url: str, base: str, stem: str,  # noqa: ANN001 - lxml element
                page_from_name: int | None) -> tuple[int | None, int]:
    """(page count or None, this page's number)."""
    count = current = None
    args = _create_page_args(scripts)
    if args:
        count, current = args[0], args[1]
    if (m := _COUNT_VAR.search(scripts)) is not None:
        count = int(m.group(1))
        if (c := _CURRENT_VAR.search(scripts)) is not None:
            current = int(c.group(1))
    if page_from_name is not None:
        current = page_from_name
    if count is None:
        # No script: the highest numbered page linked from this one (a "next"/"last" link).
        numbers = [0]
        for a in doc.iter("a"):
            target = urljoin(url, (a.get("href") or "").strip())
            m = _LISTING_NAME.match(target.rsplit("/", 1)[-1])
            if m and _folder(target) == base and m.group(1).lower() == stem.lower():
                numbers.append(int(m.group(2) or 0))
        highest = max(numbers + [current or 0])
        count = highest + 1 if highest > (current or 0) else None
    return count, current or 0
