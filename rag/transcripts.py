"""Parse transcripts into :class:`~rag.records.Source` records of question/answer turns.

Two readers feed one segmenter:

* plain text (the ``seeds/`` style): one turn label per line, ``OUTLET: question`` /
  ``Mao Ning: answer``, continuation lines without a label;
* the ministry's HTML pages (:mod:`rag.fmprc`), which hand over paragraphs.

The segmenter joins the paragraphs into the source's *canonical text* (paragraphs
separated by a blank line) and records every turn as offsets into it, so that
``canonical[turn.start:turn.end] == turn.text`` always holds.

Worked example::

    >>> src = parse_text("CCTV: Any comment?\\nMao Ning: We noted it.\\nMore.\\n", "x.txt")
    >>> [(t.outlet, t.spokesperson, t.text) for t in src.turns]
    [('CCTV', 'Mao Ning', 'We noted it.\\n\\nMore.')]
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import TranscriptError
from .records import Source, Turn

# Spokespersons of the ministry since the 2000s. A label equal to one of these
# names opens an answer; any other outlet-like label opens a question.
SPOKESPERSONS = (
    "Mao Ning", "Wang Wenbin", "Zhao Lijian", "Hua Chunying", "Geng Shuang", "Lu Kang",
    "Lin Jian", "Guo Jiakun", "Hong Lei", "Qin Gang", "Jiang Yu", "Ma Zhaoxu", "Liu Weimin",
    "Liu Jianchao", "Kong Quan", "Zhang Qiyue", "Zhu Bangzao", "Sun Yuxi", "Wang Yi",
)
_SPOKESPERSON_BY_LOWER = {name.lower(): name for name in SPOKESPERSONS}

MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December"],
        start=1,
    )
}
_MONTH_RE = "|".join(m.capitalize() for m in MONTHS)
DATE_RE = re.compile(rf"\b({_MONTH_RE})\s*(\d{{1,2}}),?\s+(\d{{4}})\b")

# "LABEL: text". The label is short; whether it is a speaker is decided by _classify.
_LABEL_RE = re.compile(r"^\s*([^:：\n]{1,60}?)\s*[:：]\s*")
# Words allowed in lower case inside an outlet name ("Voice of Vietnam", "The Globe and Mail").
_OUTLET_SMALL_WORDS = {"of", "the", "and", "&", "for", "de", "del", "la", "le", "di", "des", "news"}
# Title-case words that start ordinary sentences with a colon ("Note: ...", "First: ...").
_NOT_OUTLETS = {
    "first", "second", "third", "fourth", "fifth", "sixth", "finally", "note", "notes", "update",
    "also", "besides", "secondly", "thirdly", "lastly", "moreover", "therefore", "example",
    "theme", "source", "sources", "title", "date", "time", "venue", "attachment", "photo",
    "video", "related posts", "some excerpts", "the following", "here", "today",
}
_QUESTION_LABELS = {"q", "question", "journalist", "reporter", "foreign journalist", "follow-up",
                    "follow up", "followup", "follow-up question"}
_AFTER_RE = re.compile(
    r"^\s*(?:The following (?:questions? (?:was|were) )?raised(?: by (?:a )?journalists?)? after the "
    r"press conference|The following questions? (?:was|were) raised(?: by (?:a )?journalists?)? after "
    r"the press conference|This question was raised after the press conference)\s*[:：.]?\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Para:
    """A paragraph handed to the segmenter: cleaned text and the 1-based line it came from."""

    text: str
    line: int | None = None


def spokesperson_name(label: str) -> str | None:
    """Canonical spokesperson name for a label, e.g. ``"Hua chunying"`` -> ``"Hua Chunying"``."""
    return _SPOKESPERSON_BY_LOWER.get(" ".join(label.split()).lower())


def _looks_like_outlet(label: str) -> bool:
    words = label.replace("&amp;", "&").split()
    if not 1 <= len(words) <= 7 or label.lower() in _NOT_OUTLETS:
        return False
    if not words[0][0].isupper():
        return False
    for w in words:
        w0 = w[0]
        if w.lower() in _OUTLET_SMALL_WORDS or w0.isupper() or w0 in "&(":
            continue
        return False
    # Sentences ending in a colon ("I want to stress this:") have lower-case words and
    # fail above; times ("At 10:00") and punctuation never appear in an outlet label.
    return not re.search(r"[.,;!?\"“”]|\d\d", label)


def _classify(label: str) -> tuple[str, str | None] | None:
    """("question", outlet) or ("answer", spokesperson) for a speaker label, else None."""
    norm = " ".join(label.split())
    low = norm.lower()
    if low in ("a", "answer"):
        return ("answer", None)
    name = spokesperson_name(norm)
    if name:
        return ("answer", name)
    if low in _QUESTION_LABELS or low.startswith("follow-up"):
        return ("question", None)
    if _looks_like_outlet(norm):
        return ("question", norm.replace("&amp;", "&"))
    return None


def parse_date(text: str) -> str | None:
    """First ``Month D, YYYY`` in ``text`` as ``YYYY-MM-DD``; None if there is none or it is invalid."""
    import datetime as _dt

    m = DATE_RE.search(text)
    if not m:
        return None
    try:
        return _dt.date(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2))).isoformat()
    except ValueError:
        return None


def segment(
    paras: list[Para],
    *,
    source: str,
    title: str | None = None,
    date: str | None = None,
    date_inferred: bool = False,
    spokesperson: str | None = None,
    url: str | None = None,
    kind: str = "conference",
    preamble: str = "statement",
    warnings: tuple[str, ...] = (),
) -> Source:
    """Join ``paras`` into canonical text and cut it into turns.

    ``preamble`` says what unlabeled paragraphs before the first question are:
    ``"statement"`` (the spokesperson's opening announcements, as on the ministry's
    pages) or ``"header"`` (title lines of a scraped text file, kept in the canonical
    text but in no turn).
    """
    stem = source.rsplit(".", 1)[0] if "." in source else source
    # Build canonical text and remember each paragraph's span.
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for p in paras:
        if pieces:
            pieces.append("\n\n")
            pos += 2
        pieces.append(p.text)
        spans.append((pos, pos + len(p.text)))
        pos += len(p.text)
    canonical = "".join(pieces)

    turns: list[Turn] = []
    speakers: dict[str, int] = {}
    # Current turn under construction.
    state = "pre"  # pre | question | answer
    q_span: list[int] | None = None  # [start, end] of the question text
    q_outlet: str | None = None
    a_span: list[int] | None = None
    a_speaker: str | None = None
    a_line: int | None = None
    after = False
    pre_span: list[int] | None = None
    pre_line: int | None = None
    last_outlet: str | None = None

    def flush() -> None:
        nonlocal q_span, a_span, q_outlet, a_speaker, a_line
        if a_span and a_span[1] > a_span[0]:
            n = len(turns) + 1
            q_text = canonical[q_span[0]:q_span[1]] if q_span else None
            turns.append(Turn(
                turn_id=f"{stem}:{n}", source=source, n=n,
                kind="answer" if q_span else "statement",
                spokesperson=a_speaker or spokesperson, outlet=q_outlet,
                question=q_text, question_start=q_span[0] if q_span else None,
                question_end=q_span[1] if q_span else None,
                start=a_span[0], end=a_span[1], text=canonical[a_span[0]:a_span[1]],
                after_conference=after, line=a_line,
            ))
        q_span = a_span = None
        q_outlet = a_speaker = None
        a_line = None

    for p, (ps, pe) in zip(paras, spans):
        text = p.text
        m_after = _AFTER_RE.match(text)
        if m_after:
            # "The following question was raised after the press conference: <question>"
            if state == "pre" and pre_span:
                a_span, a_line = pre_span, pre_line
                flush()
                pre_span = None
            else:
                flush()
            after = True
            rest = ps + m_after.end()
            state = "question"
            q_span = [rest, pe] if rest < pe else None
            q_outlet = None
            if q_span is None:
                state = "await_question"
            continue
        m = _LABEL_RE.match(text)
        cls = _classify(m.group(1)) if m else None
        body_start = ps + m.end() if (m and cls) else ps
        if cls and cls[0] == "question":
            if state == "pre" and pre_span:
                a_span, a_line, a_speaker = pre_span, pre_line, None
                flush()
                pre_span = None
            elif state in ("answer", "question"):
                if state == "question" and not a_span:
                    # A question followed by another label-opened question: keep both as
                    # one question (a journalist's clarification, "Follow-up:" without answer).
                    q_span[1] = pe  # type: ignore[index]
                    continue
                flush()
            outlet = cls[1]
            if outlet is None and m.group(1).lower().startswith("follow") and last_outlet:
                outlet = last_outlet  # a follow-up comes from the journalist who just asked
            q_span, q_outlet, state = [body_start, pe], outlet, "question"
            last_outlet = outlet
            continue
        if cls and cls[0] == "answer":
            if cls[1]:
                speakers[cls[1]] = speakers.get(cls[1], 0) + 1
            if state == "pre":
                if preamble == "statement":
                    pre_span = pre_span or [body_start, pe]
                    pre_span[1] = pe
                    pre_line = pre_line or p.line
                continue
            if state in ("question", "await_question") and not a_span:
                a_span, a_speaker, a_line, state = [body_start, pe], cls[1], p.line, "answer"
                continue
            # A second answer label inside an answer: same turn continues.
            a_span[1] = pe  # type: ignore[index]
            continue
        # Unlabeled paragraph: continues whatever is open.
        if state == "pre":
            if preamble == "statement":
                pre_span = pre_span or [ps, pe]
                pre_span[1] = pe
                pre_line = pre_line or p.line
        elif state == "await_question":
            q_span, state = [ps, pe], "question"
        elif state == "question":
            q_span[1] = pe  # type: ignore[index]
        else:
            a_span[1] = pe  # type: ignore[index]
    if state == "pre" and pre_span:
        a_span, a_line = pre_span, pre_line
    flush()

    if spokesperson is None and speakers:
        spokesperson = max(speakers, key=speakers.get)  # type: ignore[arg-type]
        turns = [t if t.spokesperson else _with_speaker(t, spokesperson) for t in turns]
    return Source(
        source=source, canonical=canonical, title=title, date=date, date_inferred=date_inferred,
        spokesperson=spokesperson, url=url, kind=kind, turns=tuple(turns), warnings=warnings,
    )


def _with_speaker(t: Turn, name: str) -> Turn:
    from dataclasses import replace

    return replace(t, spokesperson=name)


# ---------------------------------------------------------------------------
# Plain text

_TAG_RE = re.compile(r"</?(?:strong|b|em|i|u|span|p|br)\b[^>]*>", re.IGNORECASE)
# Scrapers leave "??" or ".?" at line ends where a character was lost; the sentence's own
# punctuation is kept and the noise dropped ("this??" -> "this?", "attitude.?" -> "attitude.").
_QNOISE_RE = re.compile(r"([.?!。”\"’')])\?+\s*$")
_FOOTERS = ("related posts", "share this:", "share this", "related articles")
_TITLE_SPOKES_RE = re.compile(r"Spokesperson\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}?)(?:'s|\s+held|\s+at)\b")


def decode(data: bytes, path: str) -> str:
    """Decode transcript bytes as UTF-8, or raise a TranscriptError naming the bad line."""
    if not data.strip():
        raise TranscriptError(path, "file is empty", hint="nothing to index; remove it or add text")
    if b"\x00" in data[:8192]:
        raise TranscriptError(path, "binary file (NUL bytes)", line=data[:8192].count(b"\n", 0, data.index(b"\x00")) + 1,
                              hint="expected a UTF-8 .txt transcript or an .html page")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise TranscriptError(path, f"not valid UTF-8 (byte 0x{data[e.start]:02x})", line=line,
                              hint="re-save the file as UTF-8") from None


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
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = _TAG_RE.sub("", raw)
        line = _QNOISE_RE.sub(r"\1", line.rstrip()).strip()
        if not line:
            continue
        if line.lower() in _FOOTERS:
            break  # a scraped page's "Related Posts" footer is not part of any answer
        m = _LABEL_RE.match(line)
        if m and _classify(m.group(1)):
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
