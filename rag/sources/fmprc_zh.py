"""Read the ministry's Chinese pages of the older site layout (fmprc.gov.cn, 2016-2020).

A page keeps its title in ``<div id="News_Body_Title">`` (and ``<title>``, followed by
" — 中华人民共和国外交部"), its publication date in ``<span id="News_Body_Time">`` and the
transcript in ``<div id="News_Body_Txt_A" class="content">`` as ``<p>`` paragraphs indented with
ideographic spaces. Until March 2020 questions and answers are labelled ``问：`` / ``答：`` and the
spokesperson is named only in the title; later pages label them like the newer site
(``路透社记者：`` / ``耿爽：``). Questions asked after the briefing follow a note ``会后有记者问及：``
and their answer is often reported ("耿爽表示，…"). All of that is shared with the newer layout
and done in :mod:`rag.sources.zh`; this module only says where the parts of the page are.

    >>> page = ('<html><head><title>外交部发言人陆慷答记者问 — 中华人民共和国外交部</title></head><body>'
    ...         '<span id="News_Body_Time">2018-04-21</span><div id="News_Body_Txt_A" class="content">'
    ...         '<p>　　问：中方对此有何评论？</p><p>　　答：中方表示欢迎。</p></div></body></html>')
    >>> src = parse_html(page, "t1553128.html")
    >>> (src.title, src.date, src.date_inferred, src.kind, src.spokesperson, src.turns[0].question)
    ('外交部发言人陆慷答记者问', '2018-04-21', False, 'remarks', 'Lu Kang', '中方对此有何评论？')
"""

from __future__ import annotations

from ..records import Source
from .zh import Layout, parse_page

LAYOUT = Layout(
    name="fmprc_zh",
    title=('//*[@id="News_Body_Title"]', "//title"),
    published=('//*[@id="News_Body_Time"]',),
    # The body div is also the only "content" div; the class is the fallback for re-saved pages.
    body=('//*[@id="News_Body_Txt_A"]', '//div[contains(concat(" ", normalize-space(@class), " "), " content ")]'),
)


def parse_html(data: bytes | str, source: str, *, url: str | None = None, path: str | None = None) -> Source:
    """Parse one older-site Chinese page (see :func:`rag.sources.zh.parse_page`)."""
    return parse_page(data, source, LAYOUT, url=url, path=path)
