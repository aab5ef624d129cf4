"""Untrusted text made safe: HTML for the page, Markdown for the export.

The Chatbot renders message content as HTML (``render_markdown=False``) and still runs Gradio's
sanitizer over it, so escaping here is the first line of defence, not the only one.

    >>> esc('<a href="x">&')
    '&lt;a href=&quot;x&quot;&gt;&amp;'
    >>> md_escape("**bold** [x](y)")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[x\\\\](y)'
"""

from __future__ import annotations

import html
import re


def esc(text: object) -> str:
    """HTML-escape anything (quotes too, so the result is safe inside attributes); None is ``""``."""
    return html.escape("" if text is None else str(text), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$])")


def md_escape(text: str | None) -> str:
    """Backslash-escape Markdown syntax so untrusted text stays plain text when the export is rendered."""
    if not text:
        return ""
    out = _MD_SPECIAL.sub(r"\\\1", text)
    # A line that starts like a list item, heading or rule would change the layout.
    out = re.sub(r"(?m)^(\s*)([-=+#])", r"\1\\\2", out)
    return re.sub(r"(?m)^(\s*\d+)\.", r"\1\\.", out)
