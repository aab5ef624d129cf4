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
# Chinese transcripts label answers with the spokesperson's Chinese name, or 答 ("answer").
_SPOKESPERSON_BY_LOWER.update({
    "毛宁": "Mao Ning", "汪文斌": "Wang Wenbin", "赵立坚": "Zhao Lijian", "华春莹": "Hua Chunying",
    "耿爽": "Geng Shuang", "陆慷": "Lu Kang", "林剑": "Lin Jian", "郭嘉昆": "Guo Jiakun", "洪磊": "Hong Lei",
    "秦刚": "Qin Gang",
})

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
# Any label that names the journalist instead of an outlet ("Journalist:", "The journalist
# clarified:"). On these pages such a line answers the spokesperson, it does not open a topic.
_JOURNALIST_RE = re.compile(r"^(?:the |a )?(?:foreign )?(?:journalist|reporter|correspondent)\b")
# "Journalist clarifies:", "The journalist added:": the journalist who just asked speaks again,
# so it opens a follow-up question from the same outlet (pages never name the outlet there).
_JOURNALIST_AGAIN_RE = re.compile(
    r"^(?:the |a )?(?:journalist|reporter|correspondent) (?:clarifie[sd]|clarify|adds|added|explains|"
    r"explained|continues|continued|asks|asked|follows up|followed up|responds|responded|replies|replied)$"
)
# Notes that open the part of a transcript asked after the briefing, e.g. "The following question
# was raised after the press conference: ...", "A journalist asked the following question after the
# press conference:", "After the Press Conference, a journalist asked if ...". Only paragraphs that
# *start* like such a note count: answers say "I will check on it after the press conference" too.
_AFTER_START_RE = re.compile(
    r"^\s*(?:the following|following|this question|questions?\b|after the press conference|"
    r"after the briefing|an? (?:foreign )?journalists? (?:asked|posed|raised))",
    re.IGNORECASE,
)
_AFTER_WORDS_RE = re.compile(r"\bafter (?:the|today's) (?:regular )?(?:press conference|briefing)\b", re.I)
# "..., a journalist asked if/whether ...": the note is itself the (reported) question.
_REPORTED_Q_RE = re.compile(r"\basked (?:if|whether|about|what|how|why|when|where|who)\b", re.I)
# Paragraphs of only decoration ("***", "---"): the page's own section break. What follows it is
# no longer part of the answer above (e.g. a notice that the next briefing is adjourned).
_SEPARATOR_RE = re.compile(r"^[\s*\-_=~#•·.…—–]{3,}$")


def after_marker(text: str) -> tuple[int, bool] | None:
    """Where the question starts in an "asked after the press conference" note, or None.

    Returns ``(offset, reported)``: ``offset`` is where the question text begins in ``text``
    (``len(text)`` when the note stands alone and the question follows in the next paragraph);
    ``reported`` is True when the note is itself the question in reported speech.
    """
    if not _AFTER_START_RE.match(text):
        return None
    head, colon, _ = text.partition(":")
    if not colon:
        head, colon, _ = text.partition("：")
    if colon and len(head) <= 160 and _AFTER_WORDS_RE.search(head):
        rest = len(head) + 1
        while rest < len(text) and text[rest].isspace():
            rest += 1
        return rest, False
    if not colon and len(text) <= 300 and _AFTER_WORDS_RE.search(text):
        # A note without a colon: alone on its line, or the question in reported speech.
        return (0, True) if _REPORTED_Q_RE.search(text) else (len(text), False)
    return None


def is_separator(text: str) -> bool:
    """True for decoration-only paragraphs such as ``***`` or ``-----``."""
    return bool(_SEPARATOR_RE.match(text))


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


# Sentinel outlet of a label that continues the previous journalist's questions.
FOLLOW_UP = "\x00follow-up"
# Longest answer (in characters) that still counts as the spokesperson asking back.
COUNTER_QUESTION_MAX = 250
_FOLLOW_UP_RE = re.compile(r"^follow[- ]?up\b")


def _classify(label: str) -> tuple[str, str | None] | None:
    """("question", outlet) or ("answer", spokesperson) for a speaker label, else None.

    A question label that continues the previous journalist ("Follow-up", "Journalist
    clarifies") gets the outlet ``FOLLOW_UP``; the segmenter replaces it by the last outlet.
    """
    norm = " ".join(label.split())
    low = norm.lower()
    if low in ("a", "answer", "答"):
        return ("answer", None)
    if low == "问" or (low.endswith("记者") and len(low) <= 20):  # "问" / "新华社记者" (a Chinese outlet's journalist)
        return ("question", None if low in ("问", "记者") else norm[:-2])
    name = spokesperson_name(norm)
    if name:
        return ("answer", name)
    if _FOLLOW_UP_RE.match(low) or _JOURNALIST_AGAIN_RE.match(low):
        return ("question", FOLLOW_UP)
    if low in _QUESTION_LABELS:
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


def _ends_with_question_mark(text: str) -> bool:
    return text.rstrip(" \"'”’)]」").endswith(("?", "？"))


def _canonical(paras: list[Para]) -> tuple[str, list[tuple[int, int]]]:
    """Paragraphs joined by a blank line, and each paragraph's ``(start, end)`` in the result."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for p in paras:
        spans.append((pos, pos + len(p.text)))
        pos += len(p.text) + 2
    return "\n\n".join(p.text for p in paras), spans


class _Segmenter:
    """State machine that cuts paragraphs into turns; see :func:`segment`.

    States: ``pre`` (before the first question, or after a separator: unlabeled text is a
    statement), ``await_question`` (an after-conference note was seen, its question follows),
    ``question`` (a question is open, no answer yet) and ``answer``.
    Spans are ``[start, end]`` lists into the canonical text; an empty span (``start == end``)
    is a label whose text comes in the next paragraph ("Q:" alone on its line).
    """

    def __init__(self, canonical: str, *, source: str, spokesperson: str | None, preamble: str) -> None:
        self.canonical = canonical
        self.source = source
        self.stem = source.rsplit(".", 1)[0] if "." in source else source
        self.default_speaker = spokesperson
        self.preamble = preamble
        self.turns: list[Turn] = []
        self.speakers: dict[str, int] = {}
        self.state = "pre"
        self.q: list[int] | None = None
        self.q_outlet: str | None = None
        self.a: list[int] | None = None
        self.a_speaker: str | None = None
        self.a_line: int | None = None
        self.after = False
        self.last_outlet: str | None = None
        self.last_speaker: str | None = None
        self.replying = False  # the open question is a journalist's reply, not a new question
        self.implicit = False  # the open answer was guessed (no label); see _answer_without_label

    # -- emitting -----------------------------------------------------------------------
    def flush(self) -> None:
        """Emit the open turn (if it has answer text) and reset."""
        a, q = self.a, self.q
        if a and a[1] > a[0]:
            n = len(self.turns) + 1
            has_q = bool(q and q[1] > q[0])
            self.turns.append(Turn(
                turn_id=f"{self.stem}:{n}", source=self.source, n=n,
                kind="answer" if has_q else "statement",
                spokesperson=self.a_speaker or self.default_speaker,
                outlet=self.q_outlet if has_q else None,
                question=self.canonical[q[0]:q[1]] if has_q else None,  # type: ignore[index]
                question_start=q[0] if has_q else None,  # type: ignore[index]
                question_end=q[1] if has_q else None,  # type: ignore[index]
                start=a[0], end=a[1], text=self.canonical[a[0]:a[1]],
                after_conference=self.after, line=self.a_line,
            ))
            self.last_speaker = self.a_speaker
        self.q = self.a = None
        self.q_outlet = self.a_speaker = None
        self.a_line = None
        self.implicit = False

    @staticmethod
    def _extend(span: list[int], ps: int, pe: int) -> None:
        if span[1] == span[0]:
            span[0] = ps  # the label stood alone: the text starts here, not at the label
        span[1] = pe

    # -- events -------------------------------------------------------------------------
    def on_separator(self) -> None:
        # A separator closes a section: what follows is a notice or a new section, and an
        # after-conference part is over (its own note says so again if another one starts).
        self.flush()
        self.state = "pre"
        self.after = False

    def on_after(self, ps: int, pe: int, offset: int, reported: bool) -> None:
        self.flush()
        self.after = True
        start = ps if reported else min(ps + offset, pe)
        if start < pe:
            self.q, self.q_outlet, self.state = [start, pe], None, "question"
        else:
            self.state = "await_question"

    def on_question(self, outlet: str | None, body: int, pe: int, *, reply: bool = False) -> None:
        """A question label. ``reply`` marks a journalist's label ("Journalist:") rather than a
        new question's ("Q:", an outlet)."""
        if self.state == "question" and not self.a:
            # Two question labels in a row (a clarification, a "Follow-up:" before any
            # answer): one question, asked by whoever asked first.
            self._extend(self.q, body, pe)  # type: ignore[arg-type]
            return
        # The spokesperson asked back ("This report is from Canberra, right?") and the
        # journalist replies ("Journalist: Yes."): the reply comes from the same outlet.
        counter = self.state == "answer" and self._is_counter_question()
        self.flush()
        if outlet == FOLLOW_UP or (counter and outlet is None):
            outlet = self.last_outlet  # the journalist who just asked speaks again
        self.q, self.q_outlet, self.state = [body, pe], outlet, "question"
        self.last_outlet = outlet
        self.replying = counter or reply

    def _is_counter_question(self) -> bool:
        a = self.a
        if not a or a[1] - a[0] > COUNTER_QUESTION_MAX:
            return False
        text = self.canonical[a[0]:a[1]]
        return "\n" not in text and _ends_with_question_mark(text)

    def on_answer(self, speaker: str | None, body: int, pe: int, line: int | None) -> None:
        if speaker:
            self.speakers[speaker] = self.speakers.get(speaker, 0) + 1
        if self.state == "pre":
            if self.preamble == "statement":
                self._open_statement(speaker, body, pe, line)
            return
        if self.state in ("question", "await_question") and not self.a:
            self._open_answer(speaker, body, pe, line)
            return
        if self.implicit:
            # An answer label after an answer we only guessed: the guess was wrong, the
            # unlabeled paragraphs were still the question.
            self.q[1] = self.a[1]  # type: ignore[index]
            self._open_answer(speaker, body, pe, line)
            return
        # A second answer label inside an answer ("A:" again after a clarification that
        # carried no label): the same turn goes on.
        self._extend(self.a, body, pe)  # type: ignore[arg-type]

    def on_plain(self, ps: int, pe: int, line: int | None) -> None:
        if self.state == "pre":
            if self.preamble == "statement":
                self._open_statement(None, ps, pe, line)
        elif self.state == "await_question":
            self.q, self.state = [ps, pe], "question"
        elif self.state == "question" and self._answer_without_label(ps, pe):
            self._open_answer(self.last_speaker, ps, pe, line, implicit=True)
        elif self.state == "question":
            self._extend(self.q, ps, pe)  # type: ignore[arg-type]
        else:
            self._extend(self.a, ps, pe)  # type: ignore[arg-type]

    def _answer_without_label(self, ps: int, pe: int) -> bool:
        """Whether an unlabeled paragraph after a question is the answer, its label lost.

        Pages drop the "A:" now and then. Questions here are one paragraph, so text after a
        journalist's reply line, or a statement after a question that ends in "?", is taken
        as the answer; if an answer label follows after all, :meth:`on_answer` undoes it.
        """
        q = self.q
        if not q or q[1] <= q[0]:
            return False
        if self.replying:
            return True
        return (_ends_with_question_mark(self.canonical[q[0]:q[1]])
                and not _ends_with_question_mark(self.canonical[ps:pe]))

    def _open_answer(self, speaker: str | None, start: int, pe: int, line: int | None,
                     *, implicit: bool = False) -> None:
        self.a, self.a_speaker, self.a_line, self.state = [start, pe], speaker, line, "answer"
        self.implicit = implicit

    def _open_statement(self, speaker: str | None, start: int, pe: int, line: int | None) -> None:
        if self.a is None:
            self.a, self.a_line = [start, pe], line
        else:
            self._extend(self.a, start, pe)
        self.a_speaker = self.a_speaker or speaker


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

    Besides ``OUTLET:``/``Name:``/``Q:``/``A:`` labels the segmenter knows three kinds of
    paragraphs: "asked after the press conference" notes (turns after them are flagged
    ``after_conference``), separators such as ``***`` (they close the open turn; unlabeled
    text after them is a statement), and follow-up labels ("Follow-up:", "Journalist
    clarifies:") that reuse the previous question's outlet.
    """
    canonical, spans = _canonical(paras)
    seg = _Segmenter(canonical, source=source, spokesperson=spokesperson, preamble=preamble)
    for p, (ps, pe) in zip(paras, spans, strict=True):
        _feed(seg, p, ps, pe)
    seg.flush()

    turns = seg.turns
    if spokesperson is None and seg.speakers:
        spokesperson = max(seg.speakers, key=seg.speakers.get)  # type: ignore[arg-type]
        turns = [t if t.spokesperson else _with_speaker(t, spokesperson) for t in turns]
    return Source(
        source=source, canonical=canonical, title=title, date=date, date_inferred=date_inferred,
        spokesperson=spokesperson, url=url, kind=kind, turns=tuple(turns), warnings=warnings,
    )


def _feed(seg: _Segmenter, p: Para, ps: int, pe: int) -> None:
    """Hand one paragraph to the segmenter as the event it stands for."""
    text = p.text
    if is_separator(text):
        seg.on_separator()
        return
    after = after_marker(text)
    if after:
        seg.on_after(ps, pe, *after)
        return
    m = _LABEL_RE.match(text)
    cls = _classify(m.group(1)) if m else None
    if cls is None:
        seg.on_plain(ps, pe, p.line)
    elif cls[0] == "question":
        reply = bool(_JOURNALIST_RE.match(" ".join(m.group(1).split()).lower()))  # type: ignore[union-attr]
        seg.on_question(cls[1], ps + m.end(), pe, reply=reply)  # type: ignore[union-attr]
    else:
        seg.on_answer(cls[1], ps + m.end(), pe, p.line)  # type: ignore[union-attr]


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


# Characters that carry no text but can hide or reorder what a reader sees (zero-width
# and bidirectional controls): dropped from the canonical text, counted in a warning.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069\u200e\u200f]")
# Control characters other than tab/newline never belong in a transcript.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LINE_CHARS = 200_000


def decode(data: bytes, path: str) -> str:
    """Decode transcript bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else a detected
    legacy encoding (GBK, Latin-1, ...). Raise a TranscriptError that says what is wrong and
    what to do for empty, binary and PDF files.

    >>> decode("Zhao Lijian: Café".encode("latin-1"), "x.txt")
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


def clean_line(raw: str) -> tuple[str, int]:
    """A text line without tags we know are formatting, scraper noise or invisible controls.

    Returns the line and how many invisible characters were dropped.
    """
    line, n = _INVISIBLE_RE.subn("", raw)
    line = _CONTROL_RE.sub(" ", line)
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
        warnings=(f"dropped {invisible} invisible/bidi control character(s)",) if invisible else (),
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
