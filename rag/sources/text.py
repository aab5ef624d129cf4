"""Seed-style plain-text transcripts: one turn label per line, continuation lines without one.

``OUTLET: question`` opens a question, ``Mao Ning: answer`` (or ``A:``) an answer, and lines
without a label continue the open turn. Lines before the first turn are the header: kept in
the canonical text but in no turn, searched for the title, the date and the spokesperson.

    >>> src = parse_text("CCTV: Any comment?\\nMao Ning: We noted it.\\nMore.\\n", "x.txt")
    >>> [(t.outlet, t.spokesperson, t.text) for t in src.turns]
    [('CCTV', 'Mao Ning', 'We noted it.\\n\\nMore.')]
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import TranscriptError
from ..records import Source
from .decode import clean, invisible_warning
from .labels import LABEL_RE, classify
from .lexicon import DATE_RE, parse_date, spokesperson_name
from .segment import Para, segment

_TAG_RE = re.compile(r"</?(?:strong|b|em|i|u|span|p|br)\b[^>]*>", re.IGNORECASE)
# Scrapers leave "??" or ".?" at line ends where a character was lost; the sentence's own
# punctuation is kept and the noise dropped ("this??" -> "this?", "attitude.?" -> "attitude.").
_QNOISE_RE = re.compile(r"([.?!。”\"’')])\?+\s*$")
_FOOTERS = ("related posts", "share this:", "share this", "related articles")
_TITLE_SPOKES_RE = re.compile(r"Spokesperson\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}?)(?:'s|\s+held|\s+at)\b")
# A transcript has one paragraph per line; a longer line is minified or binary data.
MAX_LINE_CHARS = 200_000


def clean_line(raw: str) -> tuple[str, int]:
    """A text line without tags we know are formatting, scraper noise or invisible controls.

    Returns the line and how many invisible characters were dropped.
    """
    line, n = clean(raw)
    line = _TAG_RE.sub("", line)
    return _QNOISE_RE.sub(r"\1", line.rstrip()).strip(), n


def parse_text(text: str, source: str, *, date: str | None = None, url: str | None = None,
               path: str | None = None) -> Source:
    """Parse a plain-text transcript (seed style) into a Source.

    The date comes from ``date`` if given, else from a ``Month D, YYYY`` in the header
    lines before the first turn; otherwise it stays None (never guessed).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paras: list[Para] = []
    header_lines: list[str] = []
    seen_turn = False
    invisible = 0
    for lineno, raw in enumerate(text.split("\n"), start=1):
        if len(raw) > MAX_LINE_CHARS:
            raise TranscriptError(path or source, f"line is {len(raw):,} characters long (limit {MAX_LINE_CHARS:,})",
                                  line=lineno, hint="a transcript has one paragraph per line; is this minified or binary data?")
        line, n = clean_line(raw)
        invisible += n
        if not line:
            continue
        if line.lower() in _FOOTERS:
            break  # a scraped page's "Related Posts" footer is not part of any answer
        m = LABEL_RE.match(line)
        if m and classify(m.group(1)):
            seen_turn = True
        elif not seen_turn:
            header_lines.append(line)
        paras.append(Para(line, lineno))
    header = "\n".join(header_lines)
    # The title is the header line that carries the date, else the first header line.
    title = next((h for h in header_lines if DATE_RE.search(h)), header_lines[0] if header_lines else None)
    spokes = None
    m = _TITLE_SPOKES_RE.search(header)
    if m and spokesperson_name(m.group(1)):
        spokes = spokesperson_name(m.group(1))
    src = segment(
        paras, source=source, title=title, date=date or parse_date(header), url=url,
        spokesperson=spokes, preamble="header",
        warnings=invisible_warning(invisible),
    )
    if not src.turns:
        raise TranscriptError(path or source, "no question/answer turns found", line=1,
                              hint="expected lines like 'OUTLET: question' then 'Name: answer'")
    return src


def read_sidecar(path: Path) -> dict:
    """Metadata from ``NAME.meta.json`` beside a transcript (keys: date, url, spokesperson)."""
    side = path.with_name(path.stem + ".meta.json")
    if not side.exists():
        return {}
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise TranscriptError(str(side), f"unreadable sidecar: {e}") from None
    if not isinstance(meta, dict):
        raise TranscriptError(str(side), "sidecar must be a JSON object")
    return meta
