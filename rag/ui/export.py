"""Markdown of an answer and of a conversation, and the temp folder the conversation file goes to.

Transcript text is escaped as plain text (:func:`~rag.ui.escape.md_escape`), so a quote cannot
become a link, an image or emphasis when the export is rendered; the only link is the official
page, as an ``<autolink>`` of a URL that :func:`rag.cite.safe_url` accepts.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
import weakref
from pathlib import Path

from ..cite import citation_line_for, safe_url
from ..records import Answer
from .assets import TITLE
from .chips import filter_notes
from .escape import md_escape

# An answer's own [n] markers, as md_escape left them. Pasted into a CMS, "\[1\]" looks broken, and a
# bare [1] is plain text in Markdown (no link definitions exist in the file: transcript brackets stay
# escaped), so the markers are put back -- but never one followed by "(" or ":" (a link or definition).
_MARKER = re.compile(r"\\\[(\d+)\\\](?=[ \t]|$)", re.MULTILINE)


def plain_markers(md: str) -> str:
    r"""``\[1\]`` markers back to ``[1]``.

    >>> plain_markers(r"“We oppose it.” \[1\] and \[2\](x)")
    '“We oppose it.” [1] and \\[2\\](x)'
    """
    return _MARKER.sub(r"[\1]", md)


def answer_markdown(answer: Answer, asked: dict | None = None) -> str:
    """The whole answer with its citations as Markdown (transcript text escaped as plain text)."""
    parts = [f"### {md_escape(answer.question)}", ""]
    notes = filter_notes(answer, asked)
    if answer.followup:
        parts += ["*Searched: " + md_escape(answer.understood_as or "") + " (follow-up of the previous question)*", ""]
    if notes:
        parts += ["*Filters: " + md_escape("; ".join(notes)) + "*", ""]
    parts += [f"**Warning:** {md_escape(w)}" for w in answer.warnings] + ([""] if answer.warnings else [])
    for para in (answer.text or "").split("\n\n"):
        parts += [plain_markers(md_escape(para)), ""]
    if answer.citations:
        parts += ["**Citations**", ""]
        for c in answer.citations:
            link = safe_url(c.url)  # an <autolink>: nothing inside it is read as Markdown
            if answer.lang == "zh":
                from ..zh.answer import citation_line_zh

                line = md_escape(citation_line_zh(c, with_url=False)) + (f" 来源：<{link}>" if link else "")
            else:
                line = md_escape(citation_line_for(c, with_url=False)) + (f" Source: <{link}>" if link else "")
            parts.append(f"- [{c.n}] {line}")
            if c.original:
                parts.append(f"  - 中文原文: “{md_escape(c.original['quote'])}” ({md_escape(c.original['source'])}, "
                             f"characters {c.original['start']}–{c.original['end']})")
            if c.question:
                asker = f" ({md_escape(c.outlet)})" if c.outlet else ""
                parts.append(f"  - Question{asker}: {md_escape(c.question)}")
            parts.append(f"  - Transcript: {md_escape(c.source)}, characters {c.start}–{c.end}")
    return "\n".join(parts).rstrip() + "\n"


def conversation_markdown(items: list[tuple[Answer, dict | None] | str]) -> str:
    """The Markdown file of a conversation: each ``(answer, asked filters)`` (or a reply's own Markdown,
    e.g. a phrase search) in order, separated by rules."""
    parts = [it if isinstance(it, str) else answer_markdown(*it) for it in items]
    return f"# {TITLE}: conversation export\n\n" + "\n---\n\n".join(parts)


class ExportFolder:
    """A private temp folder for conversation files, removed with everything in it when this object
    is garbage-collected or the process exits (``weakref.finalize`` runs at exit too).

    Each conversation has one file, overwritten after every answer (:meth:`new_file` names it).
    """

    def __init__(self, prefix: str = "spokesperson-search-") -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self._remove = weakref.finalize(self, shutil.rmtree, str(self.path), ignore_errors=True)

    def new_file(self) -> Path:
        """A fresh, unguessable file name in the folder for one conversation."""
        return self.path / f"conversation-{uuid.uuid4().hex[:12]}.md"

    def cleanup(self) -> None:
        """Remove the folder now (idempotent)."""
        self._remove()
