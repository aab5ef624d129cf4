"""Does a fetched article page hold a transcript body? (If not, it is recorded as removed, not stored.)

The ministry's pages, in both site generations and languages, put the article in the element with id
``News_Body_Txt_A`` (class ``content`` on the older site, ``news-main`` on the newer one; the CMS
editor's ``TRS_Editor``/``trs_editor_view`` inside). A page whose body element holds less than
:data:`MIN_BODY_CHARS` characters of text outside links is an empty shell (a withdrawn article, an
error template). A page without any such element is judged by its paragraphs: it needs one ``<p>`` of
at least :data:`MIN_PARAGRAPH` characters (the site's footer and menus have none that long) — so a
"system" page or a bare error page is not mistaken for a transcript.

    >>> has_body(b'<html><body><div id="News_Body_Txt_A" class="content"><p>'
    ...          + "Q: Any comment? A: We have noted the reports and will look into it.".encode()
    ...          + b'</p></div></body></html>')
    True
    >>> has_body(b'<html><body><div class="content"><p><a href="/">Home</a></p></div></body></html>')
    False
    >>> has_body("<html><body><p>页面不存在</p></body></html>".encode())
    False
"""

from __future__ import annotations

import re

# The shortest real body in the shared corpus (2,491 pages) has 48 characters of text (a two-line Chinese
# announcement); empty templates have none.
MIN_BODY_CHARS = 20
MIN_PARAGRAPH = 80
_BODY_XPATH = ('//*[@id="News_Body_Txt_A"] | //*[contains(concat(" ", normalize-space(@class), " "), " content ")]'
               ' | //*[contains(concat(" ", normalize-space(@class), " "), " news-main ")]'
               ' | //*[contains(@class, "TRS_Editor") or contains(@class, "trs_editor_view")]')
_SPACE = re.compile(r"\s+")


def _text_outside_links(el) -> int:  # noqa: ANN001 - lxml element
    """Characters of text in ``el`` outside links, scripts and styles (whitespace not counted)."""
    if not isinstance(el.tag, str) or el.tag in ("a", "script", "style"):
        return 0
    n = len(_SPACE.sub("", el.text or ""))
    for child in el:
        n += _text_outside_links(child) + len(_SPACE.sub("", child.tail or ""))
    return n


def has_body(data: bytes) -> bool:
    """True if the page holds an article body with text (see the module docstring)."""
    from lxml import etree, html

    try:
        doc = html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return False
    bodies = doc.xpath(_BODY_XPATH)
    if bodies:
        return max(_text_outside_links(b) for b in bodies) >= MIN_BODY_CHARS
    return any(_text_outside_links(p) >= MIN_PARAGRAPH for p in doc.iter("p"))
