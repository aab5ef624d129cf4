"""Bytes to text, and the one cleaning rule every parser applies to what it keeps.

* :func:`decode_text`: plain-text transcripts: UTF-8 (with or without BOM), UTF-16 with a
  BOM, else a detected legacy encoding (GBK, Latin-1, ...); empty, binary and PDF files are
  refused with a hint.
* :func:`decode_html`: pages: UTF-8 first, then the charset the page declares.
* :func:`clean`: drops the :data:`INVISIBLE` characters (counted, so parsers can report
  them) and turns control characters into spaces.

    >>> clean("Q\\u200b: the \\u202eokapi\\u202c\\x07exchange")
    ('Q: the okapi exchange', 3)
"""

from __future__ import annotations

import re

from ..errors import TranscriptError

# Characters that carry no text but can hide or reorder what a reader sees, or break label
# matching ("Q\u200b:"): zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen,
# the bidi embeddings/overrides U+202A-U+202E, the bidi isolates U+2066-U+2069 and the
# left-to-right/right-to-left marks. Every parser drops them from the canonical text and
# reports how many it dropped.
INVISIBLE = ("\u200b\u200c\u200d\u2060\ufeff\u00ad"
             "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
# Control characters other than tab/newline/carriage return never belong in a transcript.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> tuple[str, int]:
    """``text`` without invisible characters and with control characters as spaces, and how
    many invisible characters were dropped."""
    text, n = _INVISIBLE_RE.subn("", text)
    return _CONTROL_RE.sub(" ", text), n


def invisible_warning(n: int) -> tuple[str, ...]:
    """The warning a parser attaches to a source when it dropped ``n`` invisible characters."""
    return (f"dropped {n} invisible/bidi control character(s)",) if n else ()


def decode_text(data: bytes, path: str) -> str:
    """Decode transcript bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else a detected
    legacy encoding (GBK, Latin-1, ...). Raise a TranscriptError that says what is wrong and
    what to do for empty, binary and PDF files.

    >>> decode_text("Zhao Lijian: Café".encode("latin-1"), "x.txt")
    'Zhao Lijian: Café'
    """
    if not data.strip():
        raise TranscriptError(path, "file is empty", hint="nothing to index; remove it or add the transcript text")
    if data.startswith(b"%PDF"):
        raise TranscriptError(path, "this is a PDF, not a text transcript", line=1,
                              hint="convert it to text first (e.g. pdftotext) and ingest the .txt")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TranscriptError(path, "broken UTF-16 text", hint="re-save the file as UTF-8") from None
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise TranscriptError(path, "binary data (NUL bytes), not a text transcript", line=data.count(b"\n", 0, at) + 1,
                              hint="ingest .txt transcripts or the ministry's .html pages")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad_line = data.count(b"\n", 0, e.start) + 1
    return _detect(data, path, bad_line)


def _detect(data: bytes, path: str, bad_line: int) -> str:
    """Decode non-UTF-8 text by detection; refuse if it does not look like text at all."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is None or best.encoding is None:
        raise TranscriptError(path, "not UTF-8 and not text in any encoding we can detect", line=bad_line,
                              hint="re-save the file as UTF-8")
    enc = best.encoding
    # charset_normalizer names GBK-family text "gb18030"/"gbk"; Latin-1 often "cp1252". Both are fine.
    text = data.decode(enc, errors="strict")
    if _CONTROL_RE.search(text[:100_000]) and len(_CONTROL_RE.findall(text[:100_000])) > 10:
        raise TranscriptError(path, f"binary data (decodes as {enc} only with control characters)", line=bad_line,
                              hint="ingest .txt transcripts or the ministry's .html pages")
    return text


# An HTML page names its encoding in <meta charset=...> or <meta http-equiv ... content="...; charset=...">.
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_html(data: bytes | str, path: str) -> str:
    """Page text: UTF-8 first, then the charset the page declares; else a TranscriptError."""
    if isinstance(data, str):
        return data
    if not data.strip():
        raise TranscriptError(path, "file is empty", hint="expected an fmprc.gov.cn HTML page")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        first_error = e
    m = _CHARSET_RE.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else None
    # Pages that say gb2312/gbk often use characters only their superset GB18030 has.
    declared = "gb18030" if declared in ("gb2312", "gbk", "x-gbk") else declared
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    bad = first_error.start
    raise TranscriptError(
        path, f"cannot decode page (byte 0x{data[bad]:02x} is not UTF-8"
        + (f" nor {declared})" if declared and declared not in ("utf-8", "utf8") else ")"),
        line=data.count(b"\n", 0, bad) + 1, hint="re-save the page as UTF-8 or declare its charset",
    )
