"""The chat page of Spokesperson Search (Gradio Blocks), and the pure helpers it renders with.

Everything shown on the page that comes from a transcript is untrusted text. It is
put into HTML only through :func:`esc` (``html.escape``), never through Markdown,
and links are made only from ``http(s)://`` URLs. The Chatbot renders message
content as HTML (``render_markdown=False``) and still runs Gradio's sanitizer over it,
so escaping here is the first line of defence, not the only one.

The helpers at the top (citation line, Markdown export, context span, rendering)
need neither Gradio nor a model; :func:`build_page` imports Gradio lazily so that
:func:`rag.embedding.set_offline_env` always runs first.
"""

from __future__ import annotations

import html
import itertools
import logging
import re
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cite import CLOSE, OPEN, human_date
from .errors import RagError
from .records import Source, Turn

log = logging.getLogger("rag.ui")

TITLE = "Spokesperson Search"
MAX_SHOWN_QUESTION = 400  # characters of an over-long question echoed back in the chat
_ids = itertools.count(1)  # unique element ids for answer cards on one page


# --- escaping and small formatting helpers ---------------------------------------------------------

def esc(text: object) -> str:
    """HTML-escape anything (quotes too, so the result is safe inside attributes)."""
    return html.escape("" if text is None else str(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """``url`` if it is a plain http(s) URL, else None (javascript:, data:, relative... are never links)."""
    if not url or not isinstance(url, str):
        return None
    u = url.strip()
    if not re.match(r"^https?://[^\s/]", u, re.I) or any(ch in u for ch in "\"'<>\\ \t\r\n"):
        return None
    return u


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$])")


def md_escape(text: str | None) -> str:
    """Backslash-escape Markdown syntax so untrusted text stays plain text when the export is rendered."""
    if not text:
        return ""
    out = _MD_SPECIAL.sub(r"\\\1", text)
    # A line that starts like a list item, heading or rule would change the layout.
    out = re.sub(r"(?m)^(\s*)([-=+#])", r"\1\\\2", out)
    return re.sub(r"(?m)^(\s*\d+)\.", r"\1\\.", out)


def press_quote(quote: str) -> str:
    """``“quote,”`` in press style: a closing full stop becomes a comma; ? and ! stay."""
    q = quote.strip()
    if q.endswith("."):
        q = q[:-1] + ","
    elif not q.endswith(("?", "!", ",")):
        q += ","
    return f"{OPEN}{q}{CLOSE}"


def citation_line(quote: str, *, spokesperson: str | None = None, date: str | None = None,
                  outlet: str | None = None, url: str | None = None, kind: str | None = "conference",
                  statement: bool = False, after_conference: bool = False) -> str:
    """One press-ready attribution line; unknown fields are left out, never filled in.

    >>> citation_line("China is a natural member of the Global South.", spokesperson="Mao Ning",
    ...               date="2023-07-26", outlet="CCTV", url="https://www.mfa.gov.cn/x.html")
    '“China is a natural member of the Global South,” Foreign Ministry Spokesperson Mao Ning said at the regular press conference on 26 July 2023, answering CCTV. Source: https://www.mfa.gov.cn/x.html'
    """
    who = f"Foreign Ministry Spokesperson {spokesperson}" if spokesperson else "a Foreign Ministry spokesperson"
    when = human_date(date)
    if kind == "remarks":
        where = f"in remarks published on {when}" if when else "in published remarks"
    else:
        where = f"the regular press conference on {when}" if when else "a regular press conference"
        where = f"in an opening statement at {where}" if statement else f"at {where}"
    line = f"{press_quote(quote)} {who} said {where}"
    if outlet and not statement:
        line += f", answering {outlet}" + (" after the press conference" if after_conference else "")
    line += "."
    link = safe_url(url)
    if link:
        line += f" Source: {link}"
    return line


def context_span(canonical: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The paragraph(s) of ``canonical`` around ``[start, end)``, kept inside ``[lo, hi)`` (the turn)."""
    hi = len(canonical) if hi is None else hi
    lo, hi = max(0, min(lo, start)), min(len(canonical), max(hi, end))
    ps = canonical.rfind("\n\n", lo, start)
    ps = lo if ps < 0 else ps + 2
    pe = canonical.find("\n\n", end, hi)
    pe = hi if pe < 0 else pe
    return ps, pe


def turn_for(source: Source, start: int, end: int) -> Turn | None:
    """The turn of ``source`` whose answer holds ``[start, end)``."""
    for t in source.turns:
        if t.start <= start and end <= t.end:
            return t
    return None


# --- one answer: filters, Markdown export, HTML -------------------------------------------------

def filter_notes(filters: dict, asked: dict | None = None, question: str = "") -> list[str]:
    """Human-readable filter chips for an answer. ``asked`` are the filters the user set in the form;
    dates that differ from them were read from the question's time phrase."""
    asked = asked or {}
    notes = []
    since, until = filters.get("since"), filters.get("until")
    from_question = (since or until) and not (asked.get("since") or asked.get("until"))
    if since or until:
        rng = f"{human_date(since) or 'the first transcript'} to {human_date(until) or 'the latest transcript'}"
        if from_question:
            from .timeparse import parse_time_phrase

            parsed = parse_time_phrase(" ".join(question.split()))
            phrase = f"{OPEN}{parsed[2]}{CLOSE}" if parsed else "a time phrase"
            notes.append(f"Dates {rng} (from {phrase} in the question)")
        else:
            notes.append(f"Dates {rng}")
    if filters.get("spokesperson"):
        notes.append(f"Spokesperson: {filters['spokesperson']}")
    if filters.get("outlet"):
        notes.append(f"Outlet: {filters['outlet']}")
    return notes


@dataclass
class CardInfo:
    """What a citation card shows beyond the ``ask`` citation dict (looked up in the index)."""

    kind: str | None = None
    title: str | None = None
    date_inferred: bool = False
    statement: bool = False
    after_conference: bool = False
    context: tuple[int, int] | None = None  # paragraph span in the canonical text
    canonical: str | None = None


def card_info(index: Any, c: dict) -> CardInfo:
    """Look up a citation's source and turn in ``index`` (any object with ``.sources``)."""
    src = getattr(index, "sources", {}).get(c.get("source")) if index is not None else None
    if src is None:
        return CardInfo()
    t = turn_for(src, c["start"], c["end"])
    lo, hi = (t.start, t.end) if t else (0, len(src.canonical))
    return CardInfo(kind=src.kind, title=src.title, date_inferred=src.date_inferred,
                    statement=bool(t and t.kind == "statement"), after_conference=bool(t and t.after_conference),
                    context=context_span(src.canonical, c["start"], c["end"], lo, hi), canonical=src.canonical)


def citation_line_for(c: dict, info: CardInfo | None = None) -> str:
    info = info or CardInfo()
    return citation_line(c["quote"], spokesperson=c.get("spokesperson"), date=c.get("date"), outlet=c.get("outlet"),
                         url=c.get("url"), kind=info.kind or "conference", statement=info.statement,
                         after_conference=info.after_conference)


def answer_markdown(out: dict, infos: list[CardInfo] | None = None, asked: dict | None = None) -> str:
    """The whole answer with its citations as Markdown (transcript text escaped as plain text)."""
    infos = infos or [CardInfo() for _ in out.get("citations", [])]
    parts = [f"### {md_escape(out.get('question', ''))}", ""]
    notes = filter_notes(out.get("filters") or {}, asked, out.get("question", ""))
    if notes:
        parts += ["*Filters: " + md_escape("; ".join(notes)) + "*", ""]
    for para in (out.get("answer") or "").split("\n\n"):
        parts += [md_escape(para), ""]
    if out.get("citations"):
        parts += ["**Citations**", ""]
        for c, info in zip(out["citations"], infos, strict=False):
            link = safe_url(c.get("url"))  # an <autolink>: nothing inside it is read as Markdown
            line = md_escape(citation_line_for({**c, "url": None}, info)) + (f" Source: <{link}>" if link else "")
            parts.append(f"- \\[{c['n']}\\] {line}")
            if c.get("question"):
                asker = f" ({md_escape(c['outlet'])})" if c.get("outlet") else ""
                parts.append(f"  - Question{asker}: {md_escape(c['question'])}")
            parts.append(f"  - Transcript: {md_escape(c['source'])}, characters {c['start']}–{c['end']}")
    return "\n".join(parts).rstrip() + "\n"


def _copy_button(label: str, text: str, cls: str = "") -> str:
    # Gradio's sanitizer drops data-* attributes, so the text to copy travels in a hidden sibling.
    return (f'<span class="ss-copywrap {cls}"><button type="button" class="ss-copy">{esc(label)}</button>'
            f'<span class="ss-clip" hidden>{esc(text)}</span></span>')


def _answer_paragraph(para: str, cites: dict[int, dict], uid: int) -> str:
    """Escape one answer paragraph; wrap each “quote” [n] so the marker links to its card."""
    pat = re.compile(re.escape(OPEN) + r"(.*?)" + re.escape(CLOSE) + r" \[(\d+)\]", re.S)
    out, pos = [], 0
    for m in pat.finditer(para):
        n = int(m.group(2))
        if n not in cites or cites[n]["quote"] != m.group(1):
            continue
        out.append(esc(para[pos:m.start()]))
        out.append(f'<span class="ss-inline">{esc(OPEN + m.group(1) + CLOSE)}</span> '
                   f'<a class="ss-ref" href="#ss-{uid}-{n}" title="Go to citation {n}">[{n}]</a>')
        pos = m.end()
    out.append(esc(para[pos:]))
    return "".join(out)


def render_card(c: dict, info: CardInfo, uid: int) -> str:
    n = c["n"]
    who = c.get("spokesperson") or "Spokesperson not recorded"
    date = human_date(c.get("date"))
    date_txt = (date + (" (date inferred)" if info.date_inferred else "")) if date else "Date unknown"
    venue = "Published remarks" if info.kind == "remarks" else "Regular press conference"
    if info.statement:
        venue += ", opening statement"
    head = (f'<div class="ss-card-head"><span class="ss-n">[{n}]</span>'
            f'<span class="ss-who">{esc(who)}</span><span class="ss-dot">·</span>'
            f'<span class="ss-date">{esc(date_txt)}</span><span class="ss-dot">·</span>'
            f'<span class="ss-venue">{esc(venue)}</span></div>')
    quote = f'<blockquote class="ss-quote">{esc(OPEN + c["quote"] + CLOSE)}</blockquote>'
    meta = []
    if c.get("outlet"):
        meta.append(f'Answering <span class="ss-outlet">{esc(c["outlet"])}</span>'
                    + (" after the press conference" if info.after_conference else ""))
    link = safe_url(c.get("url"))
    if link:
        meta.append(f'Official transcript: <a class="ss-url" href="{esc(link)}" target="_blank" '
                    f'rel="noopener noreferrer">{esc(link)}</a>')
    elif c.get("url"):
        meta.append(f'Source address (not a web link): <span class="ss-url-text">{esc(c["url"])}</span>')
    else:
        title = f"{info.title}, " if info.title else ""
        meta.append(f'<span class="ss-src">{esc(title)}transcript {esc(c["source"])} '
                    f'(official page URL not recorded)</span>')
    parts = [head, quote, f'<div class="ss-meta">{" · ".join(meta)}</div>']
    if c.get("question"):
        label = f"Question from {c['outlet']}" if c.get("outlet") else "The question"
        parts.append(f'<details class="ss-question"><summary>{esc(label)}</summary>'
                     f'<p class="ss-qtext">{esc(c["question"])}</p></details>')
    if info.canonical is not None and info.context:
        ps, pe = info.context
        s, e, canon = c["start"], c["end"], info.canonical
        parts.append('<details class="ss-context"><summary>Show in the transcript</summary>'
                     f'<div class="ss-para">{esc(canon[ps:s])}<mark class="ss-hl">{esc(canon[s:e])}</mark>'
                     f'{esc(canon[e:pe])}</div>'
                     f'<div class="ss-loc">{esc(c["source"])}, characters {s}–{e}</div></details>')
    parts.append(f'<div class="ss-card-actions">{_copy_button("Copy citation", citation_line_for(c, info))}</div>')
    return f'<li class="ss-card" id="ss-{uid}-{n}">{"".join(parts)}</li>'


def render_answer(out: dict, index: Any = None, asked: dict | None = None) -> tuple[str, str]:
    """``(html, markdown)`` for one ``ask`` result: answer text, filter chips and one card per citation."""
    uid = next(_ids)
    cites = {c["n"]: c for c in out.get("citations", [])}
    infos = [card_info(index, c) for c in out.get("citations", [])]
    md = answer_markdown(out, infos, asked)
    notes = filter_notes(out.get("filters") or {}, asked, out.get("question", ""))
    chips = "".join(f'<span class="ss-chip">{esc(n)}</span>' for n in notes) or \
        '<span class="ss-chip ss-chip-none">No filters</span>'
    body = []
    for p in (out.get("answer") or "").split("\n\n"):
        cls = "ss-notfound" if not out.get("found") else "ss-note" if p.startswith("Searched ") else "ss-para-a"
        body.append(f'<p class="{cls}">{_answer_paragraph(p, cites, uid)}</p>')
    cards = "".join(render_card(c, info, uid) for c, info in zip(out.get("citations", []), infos, strict=False))
    status = "ss-found" if out.get("found") else "ss-missing"
    html_out = (f'<div class="ss-answer {status}"><div class="ss-filters">{chips}</div>'
                f'<div class="ss-text">{"".join(body)}</div>'
                + (f'<ol class="ss-cards">{cards}</ol>' if cards else "")
                + f'<div class="ss-answer-actions">{_copy_button("Copy answer as Markdown", md, "ss-copy-all")}</div>'
                + "</div>")
    return html_out, md


def render_notice(message: str, kind: str = "error", command: str | None = None) -> str:
    """An escaped message box for the chat (errors, index not built)."""
    cmd = f'<pre class="ss-cmd">{esc(command)}</pre>' if command else ""
    return f'<div class="ss-notice ss-{esc(kind)}"><p>{esc(message)}</p>{cmd}</div>'


def friendly_error(e: Exception) -> str:
    """The library's message, reworded for the form (its flags are CLI names)."""
    msg = str(e)
    msg = msg.replace("the since date", "the “From” date").replace("the until date", "the “To” date")
    return msg[:1].upper() + msg[1:]


# --- corpus facts for the page ------------------------------------------------------------------

_Q_SPLIT = re.compile(r"(?<=[.?!])\s+")
_VAGUE_END = re.compile(r"\b(this|that|it|these|those|them|so|there|here)\?$|\b(this|that|these|those|such)\s+"
                        r"(matters?|issues?|incidents?|reports?|remarks?|moves?|cases?|news|statements?|questions?|"
                        r"comments?|measures?|actions?|developments?)\b", re.I)
_Q_START = re.compile(r"(What|What’s|What's|How|Why|When|Where|Who|Which|Is|Are|Was|Were|Does|Do|Did|Will|Would|"
                      r"Can|Could|Has|Have|Should)\b")
_FUNCTION_WORDS = {"What", "What’s", "What's", "How", "Does", "Do", "Is", "Are", "Can", "Could", "Will", "Would",
                   "Why", "When", "Where", "Who", "Which", "Has", "Have", "Did", "Should", "China", "China’s",
                   "China's", "Chinese", "I", "We", "And", "But", "Any", "Also", "Given", "In", "On", "Some"}


def example_questions(index: Any, n: int = 4) -> list[str]:
    """Short, self-contained questions journalists actually asked, taken from the loaded transcripts:
    the last question sentence of a turn, kept when it names something (a capitalised word other
    than the question word or "China") and does not point back at context ("...on this?")."""
    if index is None:
        return []
    cands: list[tuple[str, str, str]] = []  # (date, source, question)
    for src in index.sources.values():
        for t in src.turns:
            if not t.question:
                continue
            sents = [s.strip() for s in _Q_SPLIT.split(t.question.strip()) if s.strip().endswith("?")]
            if not sents:
                continue
            q = sents[-1].strip("“”\"' ")
            if not 25 <= len(q) <= 110 or not _Q_START.match(q) or _VAGUE_END.search(q) or "\n" in q:
                continue
            words = re.findall(r"[A-Z][\w’'-]*", q)
            if not [w for w in words[1:] if w not in _FUNCTION_WORDS]:
                continue
            cands.append((src.date or "", src.source, q))
    cands.sort(key=lambda x: (x[0], x[1]), reverse=True)  # newest first
    picked, seen_src, seen_q = [], set(), set()
    for rounds in range(2):  # one per transcript first, then fill
        for _date, source, q in cands:
            if len(picked) >= n:
                break
            if q.lower() in seen_q or (rounds == 0 and source in seen_src):
                continue
            picked.append(q)
            seen_src.add(source)
            seen_q.add(q.lower())
    return picked


def corpus_facts(index: Any) -> dict:
    """Transcript count, date range and the filter choices (spokespersons, outlets) of an index."""
    if index is None:
        return {"sources": 0, "since": None, "until": None, "undated": 0, "spokespersons": [], "outlets": []}
    spk: Counter[str] = Counter()
    outlets: Counter[str] = Counter()
    for src in index.sources.values():
        for t in src.turns:
            if t.spokesperson:
                spk[t.spokesperson] += 1
            if t.outlet:
                outlets[t.outlet] += 1
        if src.spokesperson and src.spokesperson not in spk:
            spk[src.spokesperson] += 1
    lo, hi = index.date_range()
    return {"sources": len(index.sources), "since": lo, "until": hi,
            "undated": sum(1 for s in index.sources.values() if not s.date),
            "spokespersons": sorted(spk, key=str.lower), "outlets": sorted(outlets, key=str.lower)}


def header_html(facts: dict, problem: str | None, index_dir: Path) -> str:
    if problem:
        return (f'<div class="ss-header"><h1>{esc(TITLE)}</h1>'
                '<p class="ss-sub">Exact quotes from the Chinese Foreign Ministry spokesperson, with citations.</p>'
                + render_notice(problem, "setup", build_command(index_dir)) + "</div>")
    span = ""
    if facts["since"]:
        a, b = human_date(facts["since"]), human_date(facts["until"])
        span = f" from {a} to {b}" if a != b else f" from {a}"
    undated = f" ({facts['undated']} undated)" if facts["undated"] else ""
    n = facts["sources"]
    spk = ", ".join(facts["spokespersons"][:6]) + (" and others" if len(facts["spokespersons"]) > 6 else "")
    who = f" · Spokespersons: {spk}" if spk else ""
    return (f'<div class="ss-header"><h1>{esc(TITLE)}</h1>'
            '<p class="ss-sub">Ask in plain English; get back what the Chinese Foreign Ministry spokesperson '
            'actually said, as exact quotes with press-ready citations.</p>'
            f'<p class="ss-corpus">Searching {n} transcript{"s" if n != 1 else ""}{esc(span)}{esc(undated)}'
            f'{esc(who)}</p></div>')


def build_command(index_dir: Path) -> str:
    return (f"rag ingest seeds/ --index {index_dir}        # or: make index\n"
            f"rag ingest /path/to/transcripts/ --index {index_dir}\n"
            "then restart: python app.py" + (f" --index {index_dir}" if str(index_dir) != "index" else ""))


# --- the backend the page talks to --------------------------------------------------------------

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

    def start(self) -> threading.Thread | None:
        """Start loading the model (when an index with our model exists), then load the index here.
        Returns the loader thread to join, or None when there is nothing to search."""
        from . import store
        from .embedding import MODEL_NAME

        manifest = store.read_manifest(self.index_dir)
        th = None
        if manifest and manifest.get("model") == MODEL_NAME:
            th = threading.Thread(target=self._load_model, args=(manifest.get("dtype", "fp32"),),
                                  name="load-model", daemon=True)
            th.start()
        self.load_index()
        return None if self.problem else th

    def load_index(self) -> None:
        from . import store
        from .embedding import MODEL_NAME

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
        from .answer import ask
        from .embedding import Embedder
        from .retrieval import Retriever

        t0 = time.perf_counter()
        try:
            encoder = Embedder.for_serving(dtype)
            self._index_done.wait()
            if self.problem:
                return
            self.retriever = Retriever(self.index, encoder)
            ask(self.retriever, "warm up the search path")  # first calls pay one-off setup costs
        except Exception as e:  # noqa: BLE001 - shown to the user instead of a dead page
            log.exception("loading the embedding model failed")
            self._load_error = f"The embedding model could not be loaded ({type(e).__name__}: {e})."
        finally:
            self.timings["model"] = time.perf_counter() - t0
            self._ready.set()

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def ask(self, question: str, since: str | None = None, until: str | None = None,
            spokesperson: str | None = None, outlet: str | None = None, k: int = 10) -> tuple[str, str | None]:
        """``(html, markdown or None)`` for the chat. Never raises for bad input or a missing index."""
        from .answer import ask
        from .retrieval import check_question, make_filters

        if self.problem:
            return render_notice(self.problem, "setup", build_command(self.index_dir)), None
        try:
            asked = {"since": (since or "").strip() or None, "until": (until or "").strip() or None,
                     "spokesperson": spokesperson or None, "outlet": outlet or None}
            filters = make_filters(asked["since"], asked["until"], asked["spokesperson"], asked["outlet"])
            check_question(question)  # fail fast on empty/too long before waiting for the model
            if not self._ready.wait(120):
                return render_notice("The search model is still loading; try again in a few seconds.", "error"), None
            if self._load_error or self.retriever is None:
                return render_notice(self._load_error or "The search model is not available.", "error"), None
            out = ask(self.retriever, question, k=k, filters=filters)
        except RagError as e:
            return render_notice(friendly_error(e), "error"), None
        except Exception:  # noqa: BLE001 - the UI edge: log it, keep the page alive
            log.exception("search failed for %r", question[:200])
            return render_notice("Something went wrong while searching; the details are in the server log.",
                                 "error"), None
        return render_answer(out, self.index, asked)

    def ask_json(self, question: str, since: str = "", until: str = "", spokesperson: str = "",
                 outlet: str = "", k: int = 10) -> dict:
        """The ``rag ask --json`` object for programmatic clients; ``{"error": message}`` on bad input."""
        from .answer import ask
        from .retrieval import check_question, make_filters

        if self.problem:
            return {"error": self.problem}
        try:
            filters = make_filters(since or None, until or None, spokesperson or None, outlet or None)
            check_question(question)
            if not self._ready.wait(120) or self.retriever is None:
                return {"error": self._load_error or "The search model is still loading; try again shortly."}
            return ask(self.retriever, question, k=int(k), filters=filters)
        except RagError as e:
            return {"error": friendly_error(e)}


# --- the page -----------------------------------------------------------------------------------

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto; }
.ss-header h1 { font-size: 1.6rem; margin: 0 0 .2rem 0; font-weight: 600; }
.ss-header .ss-sub { margin: 0; color: var(--body-text-color-subdued); }
.ss-header .ss-corpus { margin: .35rem 0 0 0; font-size: .9rem; color: var(--body-text-color-subdued); }
.ss-answer { display: flex; flex-direction: column; gap: .6rem; }
.ss-filters { display: flex; flex-wrap: wrap; gap: .35rem; }
.ss-chip { font-size: .78rem; padding: .1rem .55rem; border-radius: 999px; border: 1px solid var(--border-color-primary);
  background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }
.ss-text p { margin: 0 0 .55rem 0; line-height: 1.55; }
.ss-text .ss-note { font-size: .85rem; color: var(--body-text-color-subdued); }
.ss-text .ss-notfound { padding: .6rem .8rem; border-left: 3px solid #d97706; background: rgba(217,119,6,.08); }
.ss-inline { background: rgba(37,99,235,.08); border-radius: 3px; padding: 0 .12rem; }
a.ss-ref { text-decoration: none; font-size: .85em; font-weight: 600; }
ol.ss-cards { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .6rem; }
li.ss-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .7rem .9rem;
  background: var(--background-fill-primary); margin: 0 !important; }
.ss-card-head { display: flex; flex-wrap: wrap; gap: .35rem; align-items: baseline; font-size: .88rem; }
.ss-card-head .ss-n { font-weight: 700; color: var(--color-accent); }
.ss-card-head .ss-who { font-weight: 600; }
.ss-card-head .ss-dot { color: var(--body-text-color-subdued); }
blockquote.ss-quote { margin: .45rem 0; padding: .2rem 0 .2rem .8rem; border-left: 3px solid var(--color-accent);
  font-size: 1rem; line-height: 1.5; font-style: normal; }
.ss-meta { font-size: .85rem; color: var(--body-text-color-subdued); overflow-wrap: anywhere; }
.ss-meta .ss-outlet { font-weight: 600; color: var(--body-text-color); }
details.ss-question, details.ss-context { margin-top: .4rem; font-size: .88rem; }
details summary { cursor: pointer; color: var(--body-text-color-subdued); }
.ss-qtext, .ss-para { white-space: pre-wrap; margin: .35rem 0 0 0; padding: .5rem .7rem; border-radius: 6px;
  background: var(--background-fill-secondary); line-height: 1.5; }
mark.ss-hl { background: #fde68a; color: #111827; padding: 0 .1rem; border-radius: 2px; }
.ss-loc { font-size: .75rem; color: var(--body-text-color-subdued); margin-top: .25rem; }
.ss-card-actions, .ss-answer-actions { margin-top: .45rem; display: flex; gap: .5rem; }
button.ss-copy { font-size: .8rem; padding: .2rem .7rem; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--button-secondary-background-fill);
  color: var(--button-secondary-text-color); }
button.ss-copy:hover { border-color: var(--color-accent); }
.ss-notice { padding: .7rem .9rem; border-radius: 8px; border: 1px solid #f59e0b; background: rgba(245,158,11,.08); }
.ss-notice p { margin: 0; }
.ss-notice.ss-error { border-color: #dc2626; background: rgba(220,38,38,.06); }
pre.ss-cmd { margin: .5rem 0 0 0; padding: .5rem .7rem; border-radius: 6px; white-space: pre-wrap;
  background: var(--background-fill-secondary); font-size: .82rem; }
#ss-side .ss-hint { font-size: .8rem; color: var(--body-text-color-subdued); }
"""

# Delegated click handler for every "copy" button in the chat (the chat re-renders its HTML, so
# listeners are not attached per button). navigator.clipboard needs a secure context (127.0.0.1 is
# one); elsewhere it falls back to execCommand on a temporary textarea.
COPY_JS = r"""
() => {
  if (window.__ssCopyInstalled) return;
  window.__ssCopyInstalled = true;
  const fallback = (text) => {
    const ta = document.createElement('textarea');
    ta.value = text; ta.setAttribute('readonly', ''); ta.style.position = 'fixed'; ta.style.opacity = '0';
    document.body.appendChild(ta); ta.select();
    let ok = false; try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    ta.remove(); return ok;
  };
  const labels = new WeakMap();
  document.addEventListener('click', async (ev) => {
    const path = ev.composedPath ? ev.composedPath() : [ev.target];
    const btn = path.find((el) => el && el.classList && el.classList.contains('ss-copy'));
    if (!btn) return;
    ev.preventDefault(); ev.stopPropagation();
    const holder = btn.parentElement && btn.parentElement.querySelector('.ss-clip');
    if (!holder) return;
    const text = holder.textContent;
    let ok = false;
    try { await navigator.clipboard.writeText(text); ok = true; } catch (e) { ok = fallback(text); }
    if (!labels.has(btn)) labels.set(btn, btn.textContent);
    btn.textContent = ok ? 'Copied \u2713' : 'Copy failed: select the text and copy it';
    setTimeout(() => { btn.textContent = labels.get(btn); }, 1800);
  }, true);
}
"""


# After an answer arrives: scroll the chat so the new question is at the top of the chat panel (the
# default autoscroll jumps to the bottom, past the answer and its first cards).
SCROLL_JS = r"""
() => {
  const go = () => {
    const us = document.querySelectorAll('#ss-chat .ss-user');
    const last = us[us.length - 1];
    if (!last) return;
    let p = last.parentElement;
    while (p && p !== document.body) {
      const o = getComputedStyle(p).overflowY;
      if ((o === 'auto' || o === 'scroll') && p.scrollHeight > p.clientHeight) break;
      p = p.parentElement;
    }
    if (p && p !== document.body) {
      p.scrollTop += last.getBoundingClientRect().top - p.getBoundingClientRect().top - 16;
    }
  };
  setTimeout(go, 60); setTimeout(go, 300);
}
"""


def _user_bubble(question: str) -> str:
    q = question.strip()
    shown = q if len(q) <= MAX_SHOWN_QUESTION else q[:MAX_SHOWN_QUESTION] + f"… ({len(q)} characters)"
    return f'<span class="ss-user">{esc(shown)}</span>'


def build_page(backend: Backend):  # noqa: ANN201 - gr.Blocks, imported lazily
    """The Blocks page. Call :func:`rag.embedding.set_offline_env` first (done here too)."""
    from .embedding import set_offline_env

    set_offline_env()
    import gradio as gr

    facts = corpus_facts(backend.index if not backend.problem else None)
    examples = example_questions(backend.index, 6) if not backend.problem else []
    export_dir = Path(tempfile.mkdtemp(prefix="spokesperson-search-"))

    def run(question: str, since: str, until: str, spokesperson: str | None, outlet: str | None,
            state: dict) -> tuple[list, str, Any, dict]:
        question = question or ""
        if not question.strip():
            return state["messages"], question, gr.update(), state
        t0 = time.perf_counter()
        answer_html, md = backend.ask(question, since, until, spokesperson, outlet)
        log.info("answered in %.3f s: %r", time.perf_counter() - t0, question[:80])
        messages = state["messages"] + [{"role": "user", "content": _user_bubble(question)},
                                        {"role": "assistant", "content": answer_html}]
        mds = state["markdown"] + ([md] if md else [])
        new_state = {"messages": messages, "markdown": mds, "file": state.get("file")}
        download = gr.update()
        if md:
            path = Path(new_state["file"] or export_dir / f"conversation-{uuid.uuid4().hex[:12]}.md")
            path.write_text(f"# {TITLE}: conversation export\n\n" + "\n---\n\n".join(mds), encoding="utf-8")
            new_state["file"] = str(path)
            download = gr.update(value=str(path), visible=True)
        return messages, "", download, new_state

    def run_example(since: str, until: str, spokesperson: str | None, outlet: str | None, state: dict,
                    evt: gr.SelectData) -> tuple[list, str, Any, dict]:
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        return run(value.get("text", ""), since, until, spokesperson, outlet, state)

    # Gradio finds the event-data parameter by its annotation; make it a real class, not a string.
    run_example.__annotations__["evt"] = gr.SelectData

    def clear() -> tuple[list, dict, Any]:
        return [], {"messages": [], "markdown": [], "file": None}, gr.update(value=None, visible=False)

    def clear_filters() -> tuple[str, str, None, None]:
        return "", "", None, None

    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        state = gr.State({"messages": [], "markdown": [], "file": None})
        gr.HTML(header_html(facts, backend.problem, backend.index_dir), elem_id="ss-header", js_on_load=None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=7, min_width=420):
                chatbot = gr.Chatbot(
                    value=[], elem_id="ss-chat", show_label=False, height="72vh", min_height=420, layout="panel",
                    autoscroll=False,
                    render_markdown=False, sanitize_html=True, latex_delimiters=[], allow_tags=False,
                    buttons=[], feedback_options=None, group_consecutive_messages=False,
                    placeholder=("Ask what the spokesperson said. Answers are exact quotes from the "
                                 "transcripts, each with a citation card." if not backend.problem else
                                 "No index to search yet: build one with the command shown above."),
                    examples=[{"text": q} for q in examples] or None,
                )
                with gr.Row(equal_height=True):
                    question = gr.Textbox(
                        show_label=False, placeholder="e.g. What did China say about the Global South?",
                        lines=1, max_lines=6, scale=8, elem_id="ss-question", autofocus=True, container=False)
                    ask_btn = gr.Button("Ask", variant="primary", scale=1, min_width=90, elem_id="ss-ask")
            with gr.Column(scale=3, min_width=260, elem_id="ss-side"):
                gr.Markdown("#### Filters")
                since = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="e.g. 2023-01-01", elem_id="ss-since")
                until = gr.Textbox(label="To (YYYY-MM-DD)", placeholder="e.g. 2023-12-31", elem_id="ss-until")
                spokesperson = gr.Dropdown(choices=facts["spokespersons"], value=None, label="Spokesperson",
                                           allow_custom_value=True, elem_id="ss-spokesperson")
                outlet = gr.Dropdown(choices=facts["outlets"], value=None, label="Asked by (outlet)",
                                     allow_custom_value=True, elem_id="ss-outlet")
                gr.HTML('<p class="ss-hint">Filters apply to the next question and are shown with each answer. '
                        'A date in the question (“in July 2023”) narrows the range when no dates are set '
                        'here.</p>', js_on_load=None)
                reset_btn = gr.Button("Clear filters", size="sm", elem_id="ss-clear-filters")
                gr.Markdown("#### Conversation")
                download = gr.DownloadButton("Download conversation (.md)", visible=False, size="sm",
                                             elem_id="ss-download")
                new_btn = gr.Button("New conversation", size="sm", elem_id="ss-new")

        inputs = [question, since, until, spokesperson, outlet, state]
        outputs = [chatbot, question, download, state]
        # The page's own handler stays out of the API description: Gradio inlines that description
        # in the page even for a reader who has not logged in (--auth), and it would list the
        # Dropdowns' choices, i.e. the index's spokespeople and outlets. Scripts use /ask_json.
        gr.on([question.submit, ask_btn.click], run, inputs=inputs, outputs=outputs, api_name="ask",
              api_visibility="private", concurrency_limit=4, concurrency_id="ask", show_progress="minimal"
              ).then(None, js=SCROLL_JS, api_visibility="private")
        chatbot.example_select(run_example, inputs=inputs[1:], outputs=outputs, concurrency_id="ask",
                               api_visibility="private").then(None, js=SCROLL_JS, api_visibility="private")
        new_btn.click(clear, outputs=[chatbot, state, download], api_visibility="private")
        chatbot.clear(clear, outputs=[chatbot, state, download], api_visibility="private")
        reset_btn.click(clear_filters, outputs=[since, until, spokesperson, outlet], api_visibility="private")
        # The same answers as `rag ask --json`, for scripts (and eval/loadtest.py): /gradio_api/call/ask_json
        gr.api(backend.ask_json, api_name="ask_json", concurrency_limit=4, concurrency_id="ask")
    return demo


def launch(demo, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None) -> None:  # noqa: ANN001
    """Serve the page locally: never a share link, no analytics, no monitoring endpoint, no MCP."""
    import gradio as gr

    # Gradio 6 takes theme/css/js in launch(). The Default theme's text font is served by the app itself
    # (LocalFont), so the page makes no request to a font CDN; monospace (only Gradio's progress timer
    # uses it) comes from the system, which spares a font download on the first question.
    theme = gr.themes.Default(primary_hue="blue", neutral_hue="slate",
                              font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"])
    demo.queue(default_concurrency_limit=4)
    demo.launch(server_name=host, server_port=port, share=False, auth=auth, inbrowser=False,
                show_error=False, enable_monitoring=False, mcp_server=False, pwa=False, ssr_mode=False,
                run_history=False, footer_links=["api", "settings"], strict_cors=True,
                theme=theme, css=CSS, js=COPY_JS)
