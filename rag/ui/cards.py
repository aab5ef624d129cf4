"""The HTML of one answer: filter chips, paragraphs whose ``[n]`` link to citation cards, one card per
citation; plus the notice box (errors, no index) and the reader's question bubble.

Everything is rendered from the typed :class:`~rag.records.Answer`: a card needs nothing but its
:class:`~rag.records.Citation` (the transcript paragraph around the quote travels in
``Citation.context``), and the press line is :func:`rag.cite.citation_line_for`. All text goes
through :func:`~rag.ui.escape.esc`. Element ids are ``ss-<uid>-<n>`` with one random ``uid`` per
rendered answer, so the ids of many answers on one page never collide.
"""

from __future__ import annotations

import uuid

from ..cite import CLOSE, OPEN, citation_line_for, human_date, safe_url
from ..records import Answer, Citation
from .chips import filter_notes
from .escape import esc
from .export import answer_markdown

MAX_SHOWN_QUESTION = 400
UNDATED = "Date not established"
UNDATED_FLAG = "Date not established — check before publishing."  # characters of an over-long question echoed back in the chat

# The card's words in the language of the quote (a Chinese question is answered with Chinese quotes).
LABELS = {
    "en": {"goto": "Go to citation", "undisclosed": "Spokesperson not recorded", "remarks": "Published remarks",
           "conference": "Regular press conference", "statement": ", opening statement", "answering": "Answering",
           "after": " after the press conference", "official": "Official transcript", "question": "The question",
           "question_from": "Question from", "in_transcript": "Show in the transcript", "details": "Details",
           "copy": "Copy citation", "original": "中文原文 (Chinese original)"},
    "zh": {"goto": "转到引文", "undisclosed": "发言人未记录", "remarks": "发言人答记者问", "conference": "例行记者会",
           "statement": "，开场发布", "answering": "提问媒体：", "after": "（会后）", "official": "官方记录",
           "question": "记者提问", "question_from": "记者提问：", "in_transcript": "在记录中查看", "details": "详情",
           "copy": "复制引文", "original": "中文原文"},
}


def _label(c: Citation, key: str) -> str:
    return LABELS["zh" if _is_zh(c) else "en"][key]


def _is_zh(c: Citation) -> bool:
    from ..zh.tokens import is_chinese

    return is_chinese(c.quote)


def new_uid() -> str:
    """A fresh id prefix for one rendered answer (no counter shared across sessions)."""
    return uuid.uuid4().hex[:12]


def copy_button(label: str, text: str, cls: str = "") -> str:
    # Gradio's sanitizer drops data-* attributes, so the text to copy travels in a hidden sibling.
    return (f'<span class="ss-copywrap {cls}"><button type="button" class="ss-copy">{esc(label)}</button>'
            f'<span class="ss-clip" hidden>{esc(text)}</span></span>')


def answer_paragraph(para: str, cites: dict[int, Citation], uid: str) -> str:
    """Escape one answer paragraph; wrap each “quote” [n] (or “quote”[n] in Chinese) so the marker links to
    its card. Quotes are found as exact strings, so a quote holding its own “…” is still found."""
    found = []
    for n, c in cites.items():
        for sep in (" ", ""):
            i = para.find(f"{OPEN}{c.quote}{CLOSE}{sep}[{n}]")
            if i >= 0:
                found.append((i, i + len(f"{OPEN}{c.quote}{CLOSE}{sep}[{n}]"), n))
                break
    out, pos = [], 0
    for i, j, n in sorted(found):
        if i < pos:
            continue
        out.append(esc(para[pos:i]))
        out.append(f'<span class="ss-inline">{esc(OPEN + cites[n].quote + CLOSE)}</span> '
                   f'<a class="ss-ref" href="#ss-{uid}-{n}" title="{esc(_label(cites[n], "goto"))} {n}">[{n}]</a>')
        pos = j
    out.append(esc(para[pos:]))
    return "".join(out)


def _context(c: Citation) -> str:
    """"Show in the transcript": the quote highlighted in its paragraph (empty when unknown)."""
    if not c.context:
        return ""
    s, e = c.start - c.context_start, c.end - c.context_start
    return (f'<details class="ss-context"><summary>{esc(_label(c, "in_transcript"))}</summary>'
            f'<div class="ss-para">{esc(c.context[:s])}<mark class="ss-hl">{esc(c.context[s:e])}</mark>'
            f'{esc(c.context[e:])}</div></details>')


def _original(c: Citation) -> str:
    """"中文原文": the Chinese original of an English quote (a verbatim span of the Chinese page), collapsed."""
    o = c.original
    if not o:
        return ""
    link = safe_url(o.get("url"))
    src = (f'<a class="ss-url" href="{esc(link)}" target="_blank" rel="noopener noreferrer">{esc(link)}</a>'
           if link else esc(o.get("source") or ""))
    scope = "对应句" if o.get("scope") == "sentence" else "整段答问"
    return (f'<details class="ss-original" lang="zh"><summary>{esc(LABELS["en"]["original"])}</summary>'
            f'<blockquote class="ss-quote-zh">{esc(OPEN + o["quote"] + CLOSE)}</blockquote>'
            f'<div class="ss-orig-loc">{esc(scope)} · {src} · {esc(o.get("source") or "")} '
            f'{o.get("start")}–{o.get("end")}</div></details>')


def _details(c: Citation) -> str:
    """Where the quote sits in the index (file, offsets, turn): for checking, not for the story."""
    return (f'<details class="ss-details"><summary>{esc(_label(c, "details"))}</summary>'
            f'<div class="ss-loc">File {esc(c.source)}, characters {c.start}–{c.end}, turn {esc(c.turn_id)}'
            + (f' · {esc(c.title)}' if c.title else "") + '</div></details>')


def render_card(c: Citation, uid: str) -> str:
    """One citation card: who and when, the quote, outlet and link, the question, the context, copy."""
    zh = _is_zh(c)
    L = LABELS["zh" if zh else "en"]  # noqa: N806 - a table of words
    if zh:
        from ..zh.answer import citation_line_zh, zh_date, zh_name, zh_outlet

        who, date, outlet = zh_name(c.spokesperson) or L["undisclosed"], zh_date(c.date), zh_outlet(c.outlet)
        line = citation_line_zh(c)
    else:
        who, date, outlet, line = c.spokesperson or L["undisclosed"], human_date(c.date), c.outlet, citation_line_for(c)
    date_txt = (date + (" (date inferred)" if c.date_inferred else "")) if date else UNDATED
    venue = L["conference"] if c.source_kind == "conference" else L["remarks"]
    if c.turn_kind == "statement":
        venue += L["statement"]
    head = (f'<div class="ss-card-head"><span class="ss-n">[{c.n}]</span>'
            f'<span class="ss-who">{esc(who)}</span><span class="ss-dot">·</span>'
            f'<span class="ss-date">{esc(date_txt)}</span><span class="ss-dot">·</span>'
            f'<span class="ss-venue">{esc(venue)}</span></div>')
    quote = f'<blockquote class="ss-quote"{" lang=zh" if zh else ""}>{esc(OPEN + c.quote + CLOSE)}</blockquote>'
    flags = []
    if not c.date:
        flags.append(f'<div class="ss-flag ss-undated">{esc(UNDATED_FLAG)}</div>')
    if c.procedural:
        flags.append(f'<div class="ss-flag ss-procedural">Procedural line ({esc(c.procedural)}): it states no '
                     'position; shown because nothing better answers from this turn.</div>')
    meta = []
    if outlet:
        meta.append(f'{esc(L["answering"])} <span class="ss-outlet">{esc(outlet)}</span>'
                    + (esc(L["after"]) if c.after_conference else ""))
    link = safe_url(c.url)
    if link:
        meta.append(f'{esc(L["official"])}: <a class="ss-url" href="{esc(link)}" target="_blank" '
                    f'rel="noopener noreferrer">{esc(link)}</a>')
    elif c.url:
        meta.append(f'Source address (not a web link): <span class="ss-url-text">{esc(c.url)}</span>')
    else:
        meta.append('<span class="ss-src">Local transcript (no official page URL recorded)</span>')
    parts = [head, quote, *flags, f'<div class="ss-meta">{" · ".join(meta)}</div>', _original(c)]
    if c.question:
        label = f"{L['question_from']} {outlet}" if outlet else L["question"]
        parts.append(f'<details class="ss-question"><summary>{esc(label)}</summary>'
                     f'<p class="ss-qtext">{esc(c.question)}</p></details>')
    parts.append(_context(c))
    parts.append(_details(c))
    parts.append(f'<div class="ss-card-actions">{copy_button(L["copy"], line)}</div>')
    return f'<li class="ss-card" id="ss-{uid}-{c.n}">{"".join(parts)}</li>'


def render_answer(answer: Answer, asked: dict | None = None, uid: str | None = None) -> tuple[str, str]:
    """``(html, markdown)`` of one answer: filter chips, answer text, one card per citation.

    ``asked`` are the filters set in the form (to tell them from a time phrase); ``uid`` prefixes
    the element ids (a fresh one when None; pass the same one to render an answer again identically).
    """
    uid = uid or new_uid()
    cites = {c.n: c for c in answer.citations}
    md = answer_markdown(answer, asked)
    chips = "".join(f'<span class="ss-chip">{esc(n)}</span>' for n in filter_notes(answer, asked)) or \
        f'<span class="ss-chip ss-chip-none">{"无筛选条件" if answer.lang == "zh" else "No filters"}</span>'
    body = []
    for p in (answer.text or "").split("\n\n"):
        cls = ("ss-archive" if p.startswith("Not in the archive") else "ss-notfound" if not answer.found
               else "ss-note" if p.startswith(("Searched ", "共检索")) else "ss-para-a")
        body.append(f'<p class="{cls}">{answer_paragraph(p, cites, uid)}</p>')
    cards = "".join(render_card(c, uid) for c in answer.citations)
    warns = "".join(f'<p class="ss-warn" role="alert">{esc(w)}</p>' for w in answer.warnings)
    if answer.followup:
        changed = f" ({'; '.join(answer.followup_changes)})" if answer.followup_changes else ""
        warns = (f'<p class="ss-understood">Searched: {esc(OPEN + (answer.understood_as or "") + CLOSE)} · '
                 f'follow-up of your previous question{esc(changed)}</p>') + warns
    status = "ss-found" if answer.found else "ss-missing"
    html_out = (f'<div class="ss-answer {status}"><div class="ss-filters">{chips}</div>{warns}'
                f'<div class="ss-text">{"".join(body)}</div>'
                + (f'<ol class="ss-cards">{cards}</ol>' if cards else "")
                + f'<div class="ss-answer-actions">{copy_button("Copy answer as Markdown", md, "ss-copy-all")}</div>'
                + "</div>")
    return html_out, md


def render_notice(message: str, kind: str = "error", command: str | None = None) -> str:
    """An escaped message box for the chat (errors, index not built)."""
    cmd = f'<pre class="ss-cmd">{esc(command)}</pre>' if command else ""
    return f'<div class="ss-notice ss-{esc(kind)}"><p>{esc(message)}</p>{cmd}</div>'


def user_bubble(question: str) -> str:
    """The reader's question as shown in the chat (escaped; an over-long one is cut with its length)."""
    q = question.strip()
    shown = q if len(q) <= MAX_SHOWN_QUESTION else q[:MAX_SHOWN_QUESTION] + f"… ({len(q)} characters)"
    return f'<span class="ss-user">{esc(shown)}</span>'
