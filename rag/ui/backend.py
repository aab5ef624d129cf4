"""What the page talks to: the loaded index, a shared Retriever, and the one path from a question to
an answer.

:meth:`Backend.answer` validates the form (dates, question), waits for the model and returns a
:class:`Reply`: the typed :class:`~rag.records.Answer`, or a :class:`Notice` saying what is wrong.
The chat (:meth:`Backend.reply`) and the ``/ask_json`` API (:meth:`Backend.ask_json`) both go
through it and differ only in how they present the outcome. Library errors
(:class:`~rag.errors.RagError`) are translated here, at the UI edge.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RagError
from ..records import Answer
from .cards import new_uid
from .facts import build_command

log = logging.getLogger("rag.ui")

NOT_READY = "The search model is still loading; try again in a few seconds."
MAX_CONTEXT = 10  # earlier questions of a thread that are read (the most recent ones)
FAILED = "Something went wrong while searching; the details are in the server log."


@dataclass(frozen=True)
class Notice:
    """A message for the reader instead of an answer (bad input, no index, model not loaded)."""

    message: str
    kind: str = "error"  # "error" or "setup" (no index: shown with the build command)
    command: str | None = None


@dataclass(frozen=True)
class Reply:
    """One question and what came back: exactly one of ``answer`` and ``notice`` is set.

    ``question`` is as typed; ``asked`` are the form's filters (to tell them from a time phrase);
    ``uid`` prefixes the element ids of the rendered answer, so rendering it again is identical.
    """

    question: str
    asked: dict
    answer: Answer | None = None
    context: tuple[str, ...] = ()  # the thread's earlier questions this one was asked with
    view_html: str | None = None  # a reply that is not an answer (a phrase search): its HTML and Markdown
    view_md: str | None = None
    notice: Notice | None = None
    uid: str = field(default_factory=new_uid)


def form_filters(since: str | None, until: str | None, spokesperson: str | None, outlet: str | None) -> dict:
    """The form's filters as the reader set them (blank = None), kept with the reply."""
    return {"since": (since or "").strip() or None, "until": (until or "").strip() or None,
            "spokesperson": spokesperson or None, "outlet": outlet or None}


def friendly_error(e: Exception) -> str:
    """The library's message, reworded for the form (its flags are CLI names)."""
    msg = str(e)
    msg = msg.replace("the since date", "the “From” date").replace("the until date", "the “To” date")
    return msg[:1].upper() + msg[1:]


class Backend:
    """The loaded index and a shared Retriever.

    :meth:`start` loads the embedding model (the slow part of a cold start) in a background thread
    while the caller loads the index and builds the page; a question waits until it is ready.
    """

    def __init__(self, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir)
        self.index = None
        self.retriever = None
        self.problem: str | None = None  # why there is nothing to search (shown with the build hint)
        self._ready = threading.Event()
        self._index_done = threading.Event()
        self._load_error: str | None = None
        self.timings: dict[str, float] = {}
        self._reload_lock = threading.Lock()

    def start(self) -> threading.Thread | None:
        """Start loading the model (when an index with our model exists), then load the index here.
        Returns the loader thread to join, or None when there is nothing to search."""
        from .. import store
        from ..embedding import MODEL_NAME

        manifest = store.read_manifest(self.index_dir)
        th = None
        if manifest and manifest.get("model") == MODEL_NAME:
            th = threading.Thread(target=self._load_model, args=(manifest.get("dtype", "fp32"),),
                                  name="load-model", daemon=True)
            th.start()
        self.load_index()
        return None if self.problem else th

    def load_index(self) -> None:
        from .. import store
        from ..embedding import MODEL_NAME

        t0 = time.perf_counter()
        try:
            self.index = store.load(self.index_dir, model=MODEL_NAME)
            if not self.index.sources or not self.index.chunks:
                self.problem = f"The index at {self.index_dir} is empty: no transcripts have been ingested yet."
        except RagError as e:
            self.problem = f"The index is not ready: {e}"
        finally:
            self.timings["index"] = time.perf_counter() - t0
            self._index_done.set()
        if self.problem:
            self._ready.set()

    def _load_model(self, dtype: str = "fp32") -> None:
        from ..answer import answer_question
        from ..embedding import Embedder
        from ..retrieval import Retriever

        t0 = time.perf_counter()
        try:
            encoder = Embedder.for_serving(dtype)
            self._index_done.wait()
            if self.problem:
                return
            self.retriever = Retriever(self.index, encoder)
            answer_question(self.retriever, "warm up the search path")  # first calls pay one-off setup costs
            self.retriever.archive_words.all_tokens()  # read once here, not in the first question naming a rare word
        except Exception as e:  # noqa: BLE001 - shown to the user instead of a dead page
            log.exception("loading the embedding model failed")
            self._load_error = f"The embedding model could not be loaded ({type(e).__name__}: {e})."
        finally:
            self.timings["model"] = time.perf_counter() - t0
            self._ready.set()

    def follow_switch(self) -> bool:
        """Load the index again when its live build was switched (``rag ingest`` or ``rag sync`` wrote a new
        one) since it was loaded, so the page searches new transcripts without a restart. One readlink per
        call; a reader mid-answer keeps the index it started with. Returns whether it reloaded."""
        from .. import store
        from ..embedding import MODEL_NAME
        from ..retrieval import Retriever

        if self.index is None or self.index.path is None:
            return False
        cur = store.build_dir(self.index_dir)
        if cur is None or cur.resolve() == Path(self.index.path).resolve():
            return False
        with self._reload_lock:
            if cur.resolve() == Path(self.index.path).resolve():  # another request reloaded it
                return False
            try:
                index = store.load(self.index_dir, model=MODEL_NAME)
            except RagError:  # a switch under way or a bad build: keep serving the one loaded
                log.exception("the index at %s was switched but could not be loaded", self.index_dir)
                return False
            retriever = Retriever(index, self.retriever.encoder) if self.retriever is not None else None
            self.index, self.retriever = index, retriever if retriever is not None else self.retriever
            log.info("index switched: now serving %s", index.path)
            return True

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def answer(self, question: str, since: str | None = None, until: str | None = None,
               spokesperson: str | None = None, outlet: str | None = None, k: int = 10,
               read_question: bool = True, context: list[str] | tuple[str, ...] = ()) -> Reply:
        """The one path from the form (or an API call) to an answer. Bad input, a missing index or a
        model that is not loaded become a :class:`Notice`; other exceptions propagate.
        ``read_question``: a time phrase or a name in the question acts as a filter (the default)."""
        from ..answer import answer_question
        from ..retrieval import check_question, make_filters

        asked = form_filters(since, until, spokesperson, outlet)
        if self.problem:
            return Reply(question, asked, notice=Notice(self.problem, "setup", build_command(self.index_dir)))
        try:
            filters = make_filters(asked["since"], asked["until"], asked["spokesperson"], asked["outlet"])
            check_question(question)  # fail fast on empty/too long before waiting for the model
            if not self._ready.wait(120):
                return Reply(question, asked, notice=Notice(NOT_READY))
            if self._load_error or self.retriever is None:
                return Reply(question, asked, notice=Notice(self._load_error or "The search model is not available."))
            self.follow_switch()
            context = tuple(str(c) for c in (context or ()) if c and str(c).strip())[-MAX_CONTEXT:]
            return Reply(question, asked, answer=answer_question(self.retriever, question, k=k, filters=filters,
                                                                 read_question=bool(read_question),
                                                                 context=context), context=context)
        except RagError as e:
            return Reply(question, asked, notice=Notice(friendly_error(e)))

    def reply(self, question: str, since: str | None = None, until: str | None = None,
              spokesperson: str | None = None, outlet: str | None = None, k: int = 10,
              read_question: bool = True, context: list[str] | tuple[str, ...] = ()) -> Reply:
        """:meth:`answer` for the chat: never raises; an unexpected failure is logged and shown as a notice."""
        try:
            return self.answer(question, since, until, spokesperson, outlet, k, read_question, context)
        except Exception:  # noqa: BLE001 - the UI edge: log it, keep the page alive
            log.exception("search failed for %r", (question or "")[:200])
            return Reply(question, {}, notice=Notice(FAILED))

    def phrase(self, question: str, phrase: str, since: str | None = None, until: str | None = None,
               spokesperson: str | None = None, outlet: str | None = None) -> Reply:
        """Every verbatim use of ``phrase`` (quoted in ``question``): a phrase-search reply, or a notice."""
        from ..phrases import find_phrase
        from ..retrieval import make_filters
        from .phrase_view import phrase_markdown, render_phrase

        asked = form_filters(since, until, spokesperson, outlet)
        if self.problem:
            return Reply(question, asked, notice=Notice(self.problem, "setup", build_command(self.index_dir)))
        try:
            filters = make_filters(asked["since"], asked["until"], asked["spokesperson"], asked["outlet"])
            report = find_phrase(self.index, phrase, filters)
        except RagError as e:
            return Reply(question, asked, notice=Notice(friendly_error(e)))
        return Reply(question, asked, view_html=render_phrase(report, self.index), view_md=phrase_markdown(report))

    def timeline(self, question: str, asked: dict | None = None) -> Reply:
        """How often the spokesperson addressed ``question``'s topic, per month or quarter (rag.timeline)."""
        from ..retrieval import make_filters
        from ..timeline import timeline
        from .timeline_view import render_timeline, timeline_markdown

        asked = dict(asked or {})
        label = f"Timeline: {question}"
        if self.problem:
            return Reply(label, asked, notice=Notice(self.problem, "setup", build_command(self.index_dir)))
        if not self._ready.wait(120) or self.retriever is None:
            return Reply(label, asked, notice=Notice(self._load_error or NOT_READY))
        try:
            filters = make_filters(asked.get("since"), asked.get("until"), asked.get("spokesperson"),
                                   asked.get("outlet"))
            t = timeline(self.retriever, question, filters)
        except RagError as e:
            return Reply(label, asked, notice=Notice(friendly_error(e)))
        return Reply(label, asked, view_html=render_timeline(t, self.index), view_md=timeline_markdown(t))

    def ask_json(self, question: str, since: str = "", until: str = "", spokesperson: str = "",
                 outlet: str = "", k: int = 10, context: list[str] | None = None) -> dict:
        """The ``rag ask --json`` object for programmatic clients; ``{"error": message}`` on bad input.
        ``context``: the thread's earlier questions, oldest first (as ``rag ask --context``)."""
        from ..answer import to_json

        if context is not None and (not isinstance(context, list) or not all(isinstance(c, str) for c in context)):
            return {"error": "context must be a list of earlier questions (strings), oldest first"}
        r = self.answer(question, since, until, spokesperson, outlet, int(k), context=context or ())
        return to_json(r.answer) if r.answer is not None else {"error": r.notice.message}
