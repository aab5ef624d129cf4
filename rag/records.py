"""Frozen records that flow through the pipeline.

Every span carries ``start``/``end`` offsets into its source's canonical text,
with the invariant ``source.canonical[start:end] == span.text``. That invariant
is what makes a quote a quote: anything shown in quotation marks is cut from the
canonical text by offsets, never retyped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Turn:
    """One answer (or opening statement) of a spokesperson, with the question it answered.

    ``turn_id`` is ``"<source stem>:<n>"`` with ``n`` the 1-based position of the
    turn in its transcript, e.g. ``"t1558711:3"``. It depends only on the parse of
    the transcript, not on chunking or the index, so evaluation qrels stay valid
    across rebuilds.
    """

    turn_id: str
    source: str
    n: int
    kind: str  # "answer" (to a question) or "statement" (announcement, no question)
    spokesperson: str | None
    outlet: str | None
    question: str | None
    question_start: int | None
    question_end: int | None
    start: int
    end: int
    text: str
    after_conference: bool = False
    line: int | None = None  # 1-based line in the original file, when known

    @property
    def exchange(self) -> str:
        """The journalist's question and the answer, one text: what a turn *names* (rag.absent, rag.anchor)."""
        return f"{self.question or ''}\n{self.text}"


@dataclass(frozen=True)
class Source:
    """One parsed transcript: canonical text, metadata and its turns."""

    source: str  # file name, e.g. "t1558711.html"
    canonical: str
    title: str | None
    date: str | None  # YYYY-MM-DD or None when unknown
    date_inferred: bool
    spokesperson: str | None
    url: str | None
    kind: str  # "conference", "remarks", ...
    turns: tuple[Turn, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)
    lang: str = "en"  # language of the transcript: "en", or "zh" for the ministry's Chinese pages

    @property
    def stem(self) -> str:
        return self.source.rsplit(".", 1)[0] if "." in self.source else self.source


@dataclass(frozen=True)
class Chunk:
    """A quotable span of one turn's answer, plus the text that was embedded for it."""

    chunk_id: int
    turn_id: str
    source: str
    start: int
    end: int
    text: str  # canonical[start:end]
    embed_text: str  # may prepend context (question, speaker, date); never quoted


# --- the answer to one question: what every view (JSON, HTML card, Markdown) reads ----------------

@dataclass(frozen=True)
class Citation:
    """One verbatim quote of an answer, with everything needed to attribute it.

    ``quote == canonical[start:end]`` of ``source``; ``turn_start``/``turn_end`` bound the turn's
    answer (the card shows context inside it). ``sentence_score`` is how sure the quote selector
    was (None when the selector gives no score). ``context`` is the paragraph(s) of the turn around
    the quote, ``canonical[context_start:context_start + len(context)]`` (what the page's card shows
    as "Show in the transcript"; empty when unknown).
    """

    n: int
    quote: str
    source: str
    url: str | None
    date: str | None
    spokesperson: str | None
    outlet: str | None
    question: str | None
    start: int
    end: int
    turn_id: str
    turn_kind: str = "answer"  # "answer" or "statement"
    source_kind: str = "conference"  # "conference", "remarks", ...
    title: str | None = None
    date_inferred: bool = False
    after_conference: bool = False
    turn_start: int = 0
    turn_end: int = 0
    sentence_score: float | None = None
    context: str = ""
    context_start: int = 0
    procedural: str | None = None  # kind of procedural line (rag.procedural) when the quote states no position
    # The Chinese original of an English quote: {"lang": "zh", "quote", "source", "url", "start", "end", "scope"}
    # with quote == the Chinese canonical text[start:end] ("scope": "sentence" or "answer"); None when the turn
    # has no aligned Chinese counterpart (never a guess).
    original: dict | None = None


@dataclass(frozen=True)
class AnswerHit:
    """One ranked turn of an answer: the passage shown for it (``text == canonical[start:end]``)."""

    rank: int
    score: float
    text: str
    turn_id: str
    source: str
    url: str | None
    date: str | None
    spokesperson: str | None
    outlet: str | None
    question: str | None
    start: int
    end: int
    turn_kind: str = "answer"
    source_kind: str = "conference"
    date_inferred: bool = False
    after_conference: bool = False
    dense: float = 0.0
    bm25: float = 0.0  # of the keyword query, which holds the ministry's names of the parties asked about (rag.parties)


@dataclass(frozen=True)
class Answer:
    """The whole answer to one question. ``text`` quotes only ``citations`` (each followed by ``[n]``)."""

    question: str
    text: str
    found: bool
    filters: dict  # {"since", "until", "spokesperson", "outlet"} as applied (time phrase included)
    citations: tuple[Citation, ...] = ()
    hits: tuple[AnswerHit, ...] = ()
    time_phrase: str | None = None  # the phrase of the question that became the date filter
    searched_sources: int = 0
    date_range: tuple[str | None, str | None] = (None, None)
    undated: int = 0
    mode: str = "hybrid"
    warnings: tuple[str, ...] = ()  # the question and the filters disagree (shown above the answer)
    spokesperson_phrase: str | None = None  # the name in the question that became the spokesperson filter
    outlet_preference: str | None = None  # an outlet named in the question (its turns ranked first)
    outlet_phrase: str | None = None
    uncovered: dict | None = None  # {"missing", "nearest", "periods", "mentions"}: dates not in the archive
    outlet_labels: int | None = None  # with an outlet filter: labelled questions in the period searched
    outlets_since: str | None = None  # date of the first transcript that names outlets
    understood_as: str | None = None  # the question as searched (a follow-up carries the thread's topic)
    followup: bool = False  # the question leaned on the thread (rag.followup)
    followup_changes: tuple[str, ...] = ()  # what the follow-up changed ("in 2020", "spokesperson Zhao Lijian")
    lang: str = "en"  # language of the question and of the transcripts quoted ("zh": rag.zh)


def chunks_by_turn(chunks: Iterable[Chunk]) -> dict[str, list[int]]:
    """``{turn id: [chunk id, ...]}`` in index order (the chunks a turn's answer was cut into)."""
    out: dict[str, list[int]] = {}
    for c in chunks:
        out.setdefault(c.turn_id, []).append(c.chunk_id)
    return out
