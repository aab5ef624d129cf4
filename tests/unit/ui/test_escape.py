"""Escaping for HTML and Markdown (rag/ui/escape.py) and the link check (rag.cite.safe_url)."""

from __future__ import annotations

from rag.cite import safe_url
from rag.ui.escape import esc, md_escape


def test_esc_and_safe_url():
    assert esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert esc(None) == ""
    assert safe_url("https://www.fmprc.gov.cn/eng/t1.html") == "https://www.fmprc.gov.cn/eng/t1.html"
    assert safe_url("HTTP://example.org/") == "HTTP://example.org/"
    for bad in (None, "", "javascript:alert(1)", " javascript:x", "JaVaScRiPt:x", "data:x", "//evil.org",
                'https://x.org/"onmouseover="x', "https://x.org/<script>", "vbscript:x"):
        assert safe_url(bad) is None


def test_markdown_escape():
    assert md_escape("a*b_c [x](y) <b> & $$") == r"a\*b\_c \[x\](y) \<b\> \& \$\$"
    assert md_escape("# heading\n- item\n1. one") == "\\# heading\n\\- item\n1\\. one"
    assert md_escape(None) == ""
