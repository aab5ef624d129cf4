"""The ministry's Chinese transcript pages: what both site layouts share.

The older site (fmprc.gov.cn, 2016-2020) and the newer one (www.mfa.gov.cn, 2020-) put the same
kind of transcript in different places. Each layout module (:mod:`~rag.sources.fmprc_zh`,
:mod:`~rag.sources.mfa_zh`) only says *where* a page keeps its title, date, body and so on, as a
:class:`Layout`; :func:`parse_page` does the rest the way :mod:`~rag.sources.fmprc_en` does for
English pages: paragraphs cut at block tags by the same collector, cleaned by
:func:`rag.sources.decode.clean`, handed to :func:`rag.sources.segment.segment`.

    >>> from rag.sources.fmprc_zh import parse_html
    >>> page = ('<html><head><title>2019年5月6日外交部发言人耿爽主持例行记者会</title></head><body>'
    ...         '<div id="News_Body_Txt_A" class="content"><p>　　问：中方对此 有何评论？</p>'
    ...         '<p>　　答：我们注意到\\n有关报道。</p></div></body></html>')
    >>> src = parse_html(page, "t1.html")
    >>> (src.date, src.spokesperson, src.kind, src.lang, src.turns[0].text)
    ('2019-05-06', 'Geng Shuang', 'conference', 'zh', '我们注意到有关报道。')

What differs from the English pages, and why:

* Whitespace. Chinese has no spaces between words, so a line break in the HTML source between two
  Chinese characters is dropped, not turned into a space, and so is any whitespace next to Chinese
  punctuation (the pages indent every paragraph with ideographic spaces "　　"). Other runs (between
  Latin words, or a real space the page put between two phrases) become one space, as in English.
* Dates. The title names the day ("2019年5月6日…"); else the page's publication date is used. For a
  conference that is flagged ``date_inferred`` (the ministry sometimes publishes the next day); for
  remarks and statements it is the date the ministry gives the item, so it is not.
* Kinds. ``"conference"`` (例行记者会), ``"remarks"`` (答记者问: answers to journalists outside a
  conference, what the English site calls "Remarks"; also any other page with questions) and
  ``"statement"`` (发表谈话, 宣布 and other announcements without a question).
* The spokesperson is stored romanised (:data:`~rag.sources.lexicon.SPOKESPERSONS_ZH`), so filters
  and citations agree across languages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from lxml import etree

from ..errors import TranscriptError
from ..records import Source
from .decode import clean, invisible_warning
from .fmprc_en import _ParaCollector, load_page
from .lexicon import SPOKESPERSONS_ZH
from .segment import Para, segment

_WS_RE = re.compile(r"\s+")
# Chinese characters, and Chinese (full-width) punctuation: whitespace next to the latter is layout.
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_ZH_PUNCT_RE = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
# Characters between which a line break of the HTML source stands for nothing: Chinese characters
# and punctuation, and the curly quotes and dashes Chinese text shares with English.
_CJKISH_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff\uff01-\uff65\u2018-\u201f\u2014\u2026]")
_SITE_SUFFIX_RE = re.compile(r"\s*(?:—|_|-)\s*中华人民共和国外交部\s*$")
_BR_RE = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)  # titles carry "&lt;br&gt;" as text
_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH_DAY_RE = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# How far a title's day without a year may be from the publication date (published the next day,
# or after a weekend) and still be the page's date.
_NEAR_DAYS = 3
_NAMES = "|".join(sorted(SPOKESPERSONS_ZH, key=len, reverse=True))
# "外交部发言人耿爽主持…", "耿爽：中国政府决定…". A name elsewhere in a title is someone else's
# (秦刚 was a spokesperson and later foreign minister: "就秦刚国务委员兼外交部长访问…答记者问").
_TITLE_NAME_RE = re.compile(rf"发言人\s*({_NAMES})|^({_NAMES})\s*[：:]")
_BODY_NAME_RE = re.compile(rf"发言人\s*({_NAMES})")
# 例行记者会 ("regular press conference", also 网上例行记者会 "online"); not a 联合记者会 ("joint
# press conference") that a statement may be about.
_CONFERENCE_RE = re.compile(r"例行记者会")
_REMARKS_RE = re.compile(r"答记者问|答问")
# Titles that are the section's name, not the page's ("发言人表态", the column they are filed in).
_GENERIC_TITLES = frozenset({"发言人表态", "例行记者会", "中华人民共和国外交部"})
# The public site hosts; a page's own URL on a staging host (test.fmprc.gov.cn) is not used.
_PUBLIC_HOSTS = ("www.mfa.gov.cn", "www.fmprc.gov.cn")


@dataclass(frozen=True)
class Layout:
    """Where one site layout keeps each part of a page, as XPath expressions tried in order.

    An expression may select elements (their text is used) or attribute values.
    """

    name: str
    title: tuple[str, ...]
    published: tuple[str, ...]  # the publication date ("2020-09-02", "2020-09-02 19:08")
    body: tuple[str, ...]
    keywords: tuple[str, ...] = ()  # tags naming the spokesperson ("发言人;华春莹")
    url: tuple[str, ...] = ()  # the page's own address


# ---------------------------------------------------------------------------
# Text


def _space(m: re.Match[str]) -> str:
    s, i, j = m.string, m.start(), m.end()
    if i == 0 or j == len(s):
        return ""  # the ends are stripped
    a, b = s[i - 1], s[j]
    if _ZH_PUNCT_RE.match(a) or _ZH_PUNCT_RE.match(b):
        return ""  # "答：　我们", "。 1月31日": layout around punctuation
    if _CJKISH_RE.match(a) and _CJKISH_RE.match(b) and re.search(r"[\n\r\t]", m.group()):
        return ""  # a line break of the HTML source between two characters, not a space
    return " "


def clean_zh(text: str) -> tuple[str, int]:
    """Text cleaned as every parser cleans it, with Chinese whitespace rules (see the module
    docstring), and how many invisible characters were dropped.

    >>> clean_zh("　　答：\\u200b我们\\n注意到 G20 峰会。 1月31日，全面 促进")
    ('答：我们注意到 G20 峰会。1月31日，全面 促进', 1)
    """
    text, n = clean(text)
    return _WS_RE.sub(_space, text), n


class _ZhParaCollector(_ParaCollector):
    """The English pages' paragraph collector with Chinese whitespace rules."""

    clean = staticmethod(clean_zh)


def body_paras(body: etree._Element) -> tuple[list[Para], int]:
    """Cleaned paragraphs of the transcript body and how many invisible characters were dropped."""
    collector = _ZhParaCollector()
    return collector.collect(body), collector.invisible


# ---------------------------------------------------------------------------
# Page metadata


def clean_title(raw: str | None) -> str | None:
    """A page title without the site's name, the ``<br>`` written into it, or layout whitespace.

    >>> clean_title("外交部发言人赵立坚就阿尔及利亚<br>前总统布特弗利卡逝世答记者问 — 中华人民共和国外交部")
    '外交部发言人赵立坚就阿尔及利亚前总统布特弗利卡逝世答记者问'
    """
    if not raw:
        return None
    text = clean_zh(_BR_RE.sub("", raw))[0]
    text = _SITE_SUFFIX_RE.sub("", text).strip()
    return None if not text or text in _GENERIC_TITLES else text


def _date(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def title_date(title: str | None) -> str | None:
    """``YYYY-MM-DD`` of the first ``2019年5月6日`` in a title, else None."""
    m = _DATE_RE.search(title or "")
    return _date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def published_date(text: str | None) -> str | None:
    """``YYYY-MM-DD`` of a publication stamp such as ``"2020-09-02 19:08"``, else None."""
    m = _ISO_RE.search(text or "")
    return _date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _near_year(title: str | None, published: str) -> str | None:
    """The title's ``5月6日`` in the year that puts it nearest the publication date, if that is
    at most :data:`_NEAR_DAYS` away; a day further off is an event the page is about, not its date.

    >>> _near_year("外交部发言人耿爽2月15日答记者问", "2018-02-15"), _near_year("就12月1日事件答记者问", "2019-03-05")
    ('2018-02-15', None)
    """
    m = _MONTH_DAY_RE.search(title or "")
    if not m:
        return None
    pub = dt.date.fromisoformat(published)
    cands = [d for y in (pub.year - 1, pub.year, pub.year + 1)
             if (d := _date(y, int(m.group(1)), int(m.group(2))))]
    best = min(cands, key=lambda d: abs(dt.date.fromisoformat(d) - pub)) if cands else None
    return best if best and abs(dt.date.fromisoformat(best) - pub).days <= _NEAR_DAYS else None


def spokesperson_in(title: str | None, keywords: str = "", text: str = "") -> str | None:
    """The romanised spokesperson a title names ("外交部发言人耿爽…"), else the page's keywords
    ("发言人;华春莹"), else the first one the text calls 发言人 ("spokesperson"), else None.

    >>> spokesperson_in("外交部发言人就…答记者问", "发言人;华春莹"), spokesperson_in(None, "", "外交部发言人赵立坚宣布：")
    ('Hua Chunying', 'Zhao Lijian')
    """
    m = _TITLE_NAME_RE.search(title or "")
    if m:
        return SPOKESPERSONS_ZH[m.group(1) or m.group(2)]
    for word in re.split(r"[;；,，\s]+", keywords):
        if word in SPOKESPERSONS_ZH:
            return SPOKESPERSONS_ZH[word]
    m = _BODY_NAME_RE.search(text)
    return SPOKESPERSONS_ZH[m.group(1)] if m else None


def page_kind(title: str | None, has_questions: bool) -> str:
    """``"conference"``, ``"remarks"`` or ``"statement"`` (see the module docstring).

    >>> page_kind("2020年3月24日外交部发言人耿爽主持例行记者会", True), page_kind("外交部发言人答记者问", False)
    ('conference', 'remarks')
    >>> page_kind("外交部发言人就中美建交40周年发表谈话", False), page_kind("中方采取反制措施", True)
    ('statement', 'remarks')
    """
    if title and _CONFERENCE_RE.search(title):
        return "conference"
    if (title and _REMARKS_RE.search(title)) or has_questions:
        return "remarks"
    return "statement"


def _texts(doc: etree._Element, xpaths: tuple[str, ...]) -> list[str]:
    out = []
    for xp in xpaths:
        for hit in doc.xpath(xp):
            text = hit if isinstance(hit, str) else hit.text_content()
            if text and text.strip():
                out.append(str(text))
    return out


def _page_url(doc: etree._Element, layout: Layout) -> str | None:
    for url in _texts(doc, layout.url):
        url = url.strip()
        host = re.match(r"https?://([^/]+)/", url)
        if host and host.group(1).lower() in _PUBLIC_HOSTS:
            return url
    return None


# ---------------------------------------------------------------------------
# Parsing


def _dating(title: str | None, published: str | None, kind: str) -> tuple[str | None, bool, tuple[str, ...]]:
    """``(date, inferred, warnings)`` from the title, else from the publication date."""
    date = title_date(title)
    if date:
        return date, False, ()
    if published:
        near = _near_year(title, published)
        if near:
            return near, True, ("year missing in the title; taken from the publication date",)
        if kind == "conference":
            return published, True, ("no date in the title; the publication date is used",)
        return published, False, ()
    return None, False, ("no date in the title or the page",)


def parse_page(data: bytes | str, source: str, layout: Layout, *, url: str | None = None,
               path: str | None = None) -> Source:
    """Parse one Chinese transcript page of ``layout`` into a :class:`Source` (``lang="zh"``).

    Raises :class:`TranscriptError` for undecodable bytes, a page without a transcript body or a
    body without text.
    """
    where = path or source
    doc = load_page(data, where)
    body = None
    for xp in layout.body:  # the first expression that finds something wins, in layout order
        found = doc.xpath(xp)
        if found:
            body = found[0]
            break
    if body is None:
        raise TranscriptError(where, 'no transcript body (<div id="News_Body_Txt_A">) in the page',
                              hint="expected a Chinese transcript page of fmprc.gov.cn or mfa.gov.cn")
    title, title_invisible = None, 0
    for raw in _texts(doc, layout.title):
        title = clean_title(raw)
        if title:
            title_invisible = clean(raw)[1]
            break
    published = next((d for d in map(published_date, _texts(doc, layout.published)) if d), None)
    paras, invisible = body_paras(body)
    keywords = " ".join(_texts(doc, layout.keywords))
    head = "\n".join(p.text for p in paras[:3])  # "外交部发言人赵立坚宣布：" opens announcements
    spokesperson = spokesperson_in(title, keywords, head)
    src = segment(paras, source=source, title=title, spokesperson=spokesperson,
                  url=url or _page_url(doc, layout), preamble="statement")
    if not src.turns:
        raise TranscriptError(where, "no transcript text found", line=body.sourceline,
                              hint="the transcript body holds no text")
    kind = page_kind(title, any(t.kind == "answer" for t in src.turns))
    date, inferred, warnings = _dating(title, published, kind)
    return replace(src, date=date, date_inferred=inferred, kind=kind, lang="zh",
                   warnings=(*warnings, *invisible_warning(title_invisible + invisible)))
