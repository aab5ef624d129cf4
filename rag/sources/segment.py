"""The turn segmenter: cleaned paragraphs in, canonical text and question/answer turns out.

Every parser (plain text, the ministry's HTML pages) hands its paragraphs to :func:`segment`,
which joins them into the source's *canonical text* (paragraphs separated by a blank line)
and records every turn as offsets into it, so that ``canonical[turn.start:turn.end] ==
turn.text`` always holds. Which label opens what is decided in :mod:`rag.sources.labels`.

Worked example::

    >>> src = segment([Para("CCTV: Any comment?"), Para("Mao Ning: We noted it."), Para("More.")], source="x.txt")
    >>> [(t.outlet, t.spokesperson, t.text) for t in src.turns]
    [('CCTV', 'Mao Ning', 'We noted it.\\n\\nMore.')]
    >>> src.canonical[src.turns[0].start:src.turns[0].end] == src.turns[0].text
    True
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..records import Source, Turn
from .labels import (
    FOLLOW_UP,
    LABEL_RE,
    after_marker,
    classify,
    is_journalist_label,
    is_separator,
    is_zh_label,
    reported_answer,
    zh_after_outlet,
)

# Longest answer (in characters) that still counts as the spokesperson asking back.
COUNTER_QUESTION_MAX = 250


@dataclass(frozen=True)
class Para:
    """A paragraph handed to the segmenter: cleaned text and the 1-based line it came from."""

    text: str
    line: int | None = None


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
        self.last_plain: tuple[int, int] | None = None  # span of the previous paragraph if it was unlabelled

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

    def on_after(self, ps: int, pe: int, offset: int, reported: bool, outlet: str | None = None) -> None:
        self.flush()
        self.after = True
        start = ps if reported else min(ps + offset, pe)
        if start < pe:
            self.q, self.q_outlet, self.state = [start, pe], outlet, "question"
        else:
            self.q_outlet, self.state = outlet, "await_question"

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

    def on_zh_speaker(self, speaker: str | None, body: int, pe: int, line: int | None) -> bool:
        """A Chinese page's name label ("汪文斌：") inside an open answer or opening statement.

        Those pages label every answer with its speaker, so the label starts a new turn when the
        paragraph before it is an unlabelled question (it ends in "？": its outlet label was lost,
        or it is a journalist's second question "二、…？"), or when another spokesperson takes the
        floor in the opening (a new spokesperson being introduced). Returns False when neither
        holds: then the turn goes on, as :meth:`on_answer` does for every other label.
        """
        a, lp = self.a, self.last_plain
        if a is None or self.state not in ("answer", "pre") or self.implicit:
            return False
        if lp and lp[0] > a[0] and _ends_with_question_mark(self.canonical[lp[0]:lp[1]]):
            a[1] = lp[0] - 2  # the answer ends with the paragraph before the question
            self.flush()
            self.q, self.q_outlet, self.last_outlet, self.replying = [lp[0], lp[1]], None, None, False
        elif not (self.state == "pre" and self.a_speaker and speaker and speaker != self.a_speaker):
            return False
        else:
            self.flush()
        if speaker:
            self.speakers[speaker] = self.speakers.get(speaker, 0) + 1
        if self.q is not None:
            self._open_answer(speaker, body, pe, line)
        else:
            self._open_statement(speaker, body, pe, line)
        return True

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
    last_plain, seg.last_plain = seg.last_plain, None
    if is_separator(text):
        seg.on_separator()
        return
    after = after_marker(text)
    if after:
        seg.on_after(ps, pe, *after, outlet=zh_after_outlet(text))
        return
    m = LABEL_RE.match(text)
    cls = classify(m.group(1)) if m else None
    # After a Chinese "会后有记者问及：…" the answer is reported ("耿爽表示，…"), not labelled.
    said = reported_answer(text) if cls is None and seg.after and seg.state == "question" else None
    if said:
        seg.on_answer(said[0], ps + said[1], pe, p.line)
    elif cls is None:
        seg.on_plain(ps, pe, p.line)
        seg.last_plain = (ps, pe)
    elif cls[0] == "question":
        reply = is_journalist_label(m.group(1))  # type: ignore[union-attr]
        seg.on_question(cls[1], ps + m.end(), pe, reply=reply)  # type: ignore[union-attr]
    else:
        seg.last_plain = last_plain
        zh = is_zh_label(m.group(1))  # type: ignore[union-attr]
        if not (zh and seg.on_zh_speaker(cls[1], ps + m.end(), pe, p.line)):  # type: ignore[union-attr]
            seg.on_answer(cls[1], ps + m.end(), pe, p.line)  # type: ignore[union-attr]
        seg.last_plain = None


def _with_speaker(t: Turn, name: str) -> Turn:
    return replace(t, spokesperson=name)

