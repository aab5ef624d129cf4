"""Read the ministry's Chinese pages of the newer site (www.mfa.gov.cn, September 2020 onwards).

The site's pages describe themselves in ``<meta>`` tags: ``ArticleTitle``, ``PubDate``
(``2020-09-02``), ``Keywords`` (``发言人;华春莹``, naming the spokesperson) and ``Url``. The
transcript is in ``<div id="News_Body_Txt_A">``: until October 2021 in the older template (also
``class="content"``, title in ``News_Body_Title``), from then on a ``news-main`` div around a
``TRS_UEDITOR`` one, with the title in ``<div class="news-title"><h1>``. Some ``<title>`` tags
say only the section's name (发言人表态), so the meta tag comes first. Questions are labelled with
the outlet (``总台央视记者：``, ``法新社记者：``) and answers with the spokesperson's name (``汪文斌：``).
The parsing itself is shared with the older layout (:mod:`rag.sources.zh`).

    >>> page = ('<html><head><meta name="ArticleTitle" content="2024年4月3日外交部发言人汪文斌主持例行记者会">'
    ...         '<meta name="PubDate" content="2024-04-03"><title>发言人表态_中华人民共和国外交部</title></head>'
    ...         '<body><div class="news-main" id="News_Body_Txt_A"><div class="TRS_UEDITOR">'
    ...         '<p>应邀，某国总统将访华。</p><p><strong>法新社记者：有何评论？</strong></p>'
    ...         '<p>汪文斌：我们注意到了。</p></div></div></body></html>')
    >>> src = parse_html(page, "t20240403_1.html")
    >>> [(t.kind, t.outlet, t.spokesperson, t.text) for t in src.turns]
    [('statement', None, 'Wang Wenbin', '应邀，某国总统将访华。'), ('answer', 'AFP', 'Wang Wenbin', '我们注意到了。')]
    >>> (src.date, src.kind, src.lang)
    ('2024-04-03', 'conference', 'zh')

A page's own ``Url`` meta is used as its address only when no ``pages.tsv`` gives one and it
names the public site: some pages were saved with a staging host (``test.fmprc.gov.cn``).
"""

from __future__ import annotations

from ..records import Source
from .zh import Layout, parse_page

LAYOUT = Layout(
    name="mfa_zh",
    title=('//meta[@name="ArticleTitle"]/@content', '//div[contains(@class, "news-title")]//h1',
           '//*[@id="News_Body_Title"]', "//title"),
    published=('//meta[@name="PubDate"]/@content', '//div[contains(@class, "news-title")]//p[@class="time"]',
               '//*[@id="News_Body_Time"]'),
    body=('//*[@id="News_Body_Txt_A"]', '//div[contains(concat(" ", normalize-space(@class), " "), " TRS_UEDITOR ")]',
          '//div[contains(concat(" ", normalize-space(@class), " "), " content ")]'),
    keywords=('//meta[@name="Keywords"]/@content',),
    url=('//meta[@name="Url"]/@content',),
)


def parse_html(data: bytes | str, source: str, *, url: str | None = None, path: str | None = None) -> Source:
    """Parse one newer-site Chinese page (see :func:`rag.sources.zh.parse_page`)."""
    return parse_page(data, source, LAYOUT, url=url, path=path)
