"""Which fetched pages hold a transcript body (the others are recorded as removed)."""

from __future__ import annotations

from lxml import html

from rag.sync.page import has_body
from tests.sync_mirror import CORPUS, small_zh_page


def test_every_saved_page_has_a_body():
    for folder in (CORPUS / "fmprc" / "en", CORPUS / "fmprc" / "zh", CORPUS / "mfa" / "zh"):
        pages = sorted(folder.glob("*.html"))[::7]  # a seventh of each folder keeps this fast
        assert pages and all(has_body(p.read_bytes()) for p in pages), folder
    assert has_body((CORPUS / "fmprc" / "zh" / "t1738079.html").read_bytes())  # the shortest body (48 chars)
    assert has_body(small_zh_page("2020年12月11日外交部发言人华春莹主持例行记者会", "2020-12-11"))


def _emptied(path) -> bytes:
    doc = html.document_fromstring(path.read_bytes())
    for body in doc.xpath('//*[@id="News_Body_Txt_A"] | //div[@class="content"]'):
        for child in list(body):
            body.remove(child)
        body.text = "\n  "
    return html.tostring(doc)


def test_a_page_without_its_body_is_not_a_transcript():
    for page in (CORPUS / "fmprc" / "en" / "t1794629.html", CORPUS / "fmprc" / "zh" / "t1738079.html",
                 CORPUS / "mfa" / "zh" / "t20211019_9604337.html"):
        assert not has_body(_emptied(page)), page


def test_system_and_error_pages_have_no_body():
    assert not has_body("<html><body><p>对不起，您访问的页面不存在或已被删除。</p></body></html>".encode())
    assert not has_body(b"")
    assert not has_body(b"<html><body><div class='content'><script>var x = 'a long script that is not text "
                        b"at all, however long it grows, it never counts as a body';</script></div></body></html>")
