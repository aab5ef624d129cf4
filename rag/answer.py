"""Compose the extractive answer: one typed :class:`~rag.records.Answer`, and its JSON view.

The framing is built only from metadata (date, spokesperson, outlet); the only text in
quotation marks is verbatim quotes, each followed by its ``[n]`` marker. Every view of an
answer (``rag ask --json``, the page's cards, the Markdown export) reads the same
:class:`~rag.records.Answer`, so nothing is looked up twice.

    >>> from rag.records import Answer
    >>> to_json(Answer("q", "Not found: ...", False, {"since": None, "until": None,
    ...                "spokesperson": None, "outlet": None}))["found"]
    False
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .cite import CLOSE, OPEN, context_span, human_date, lead
from .errors import QueryError
from .followup import focus, in_thread
from .intent import without_outlet
from .quoting import MIN_DENSE, OTHER_DATES_MIN_DENSE, Quote, is_found, passage, select_quotes
from .records import Answer, AnswerHit, Citation
from .retrieval import Filters, Hit, Retriever, SearchResult, check_question
from .text import bm25_tokens
from .zh.tokens import is_chinese

__all__ = ["CLOSE", "OPEN", "ORDERS", "answer_question", "ask", "build_answer", "compose", "human_date", "reorder",
           "to_json"]


def _anchored(retriever: Retriever, result: SearchResult) -> bool:
    """Whether the best turn, below the found threshold, names a rare name of the question (:mod:`rag.anchor`)."""
    if not result.hits or result.query_vector is None or result.intent is None:
        return False
    from .anchor import anchored, folded_doc_freq

    about = without_outlet(result.intent.search_text, result.intent.outlet_phrase)  # as rag.absent reads it
    return anchored(about, result.hits[0].dense, result.hits[0].turn.exchange, folded_doc_freq(retriever.index.bm25),
                    len(retriever.index.chunks))


def _word_absent(result: SearchResult, quotes: list[Quote]) -> None:
    """The warning for a name no transcript holds (:mod:`rag.absent`), worded by what is quoted: nothing, or a first
    answer that shares no other name with the question ("the Beirut port explosion": a port in Sri Lanka)."""
    absent = result.extra.get("absent")
    if not absent:
        return
    from .absent import absent_warning, shares_a_name

    if not quotes:
        result.warnings[absent["at"]] = absent_warning(absent["names"], quoted=False)
    elif not shares_a_name(absent["about"], absent["names"], quotes[0].hit.turn.exchange):
        result.warnings[absent["at"]] = absent_warning(absent["names"], alone=True)


def _citation(q: Quote) -> Citation:
    t, s = q.hit.turn, q.hit.source
    ps, pe = context_span(s.canonical, q.start, q.end, t.start, t.end)
    return Citation(n=q.n, quote=q.text, source=s.source, url=s.url, date=s.date, spokesperson=t.spokesperson,
                    outlet=t.outlet, question=t.question, start=q.start, end=q.end, turn_id=t.turn_id,
                    turn_kind=t.kind, source_kind=s.kind, title=s.title, date_inferred=s.date_inferred,
                    after_conference=t.after_conference, turn_start=t.start, turn_end=t.end,
                    sentence_score=q.score, context=s.canonical[ps:pe], context_start=ps, procedural=q.procedural)


def _hit(h: Hit) -> AnswerHit:
    t, s = h.turn, h.source
    start, end = h.passage if h.passage is not None else (h.chunk.start, h.chunk.end)
    return AnswerHit(rank=h.rank, score=h.score, text=s.canonical[start:end], turn_id=t.turn_id, source=s.source,
                     url=s.url, date=s.date, spokesperson=t.spokesperson, outlet=t.outlet, question=t.question,
                     start=start, end=end, turn_kind=t.kind, source_kind=s.kind, date_inferred=s.date_inferred,
                     after_conference=t.after_conference, dense=h.dense, bm25=h.bm25)


def build_answer(result: SearchResult, quotes: list[Quote], found: bool, mode: str = "hybrid") -> Answer:
    """The :class:`Answer` for a search result and the quotes picked from it."""
    base = Answer(question=result.question, text="", found=found, filters=result.filters.to_dict(),
                  citations=tuple(_citation(q) for q in quotes), hits=tuple(_hit(h) for h in result.hits),
                  time_phrase=result.time_phrase, searched_sources=result.searched_sources,
                  date_range=result.date_range, undated=result.extra.get("undated", 0), mode=mode,
                  warnings=tuple(result.warnings), spokesperson_phrase=result.spokesperson_phrase,
                  outlet_preference=result.outlet_preference,
                  outlet_phrase=result.intent.outlet_phrase if result.intent and result.outlet_preference else None,
                  uncovered=result.uncovered, outlet_labels=result.extra.get("outlet_labels"),
                  outlets_since=result.extra.get("outlets_since"))
    return replace(base, text=compose(base))


def compose(a: Answer) -> str:
    """The answer text: one paragraph per cited turn, quotes in “…” with [n] markers.

    Dates the archive does not cover are said first ("Not in the archive: ..."), so quotes from
    other periods are never mistaken for an answer about the period asked.
    """
    if a.lang == "zh":
        from .zh.answer import compose_zh

        return compose_zh(a)
    scope = _scope(a)
    head = _archive_note(a)
    if not a.citations:
        if head:
            return head
        why = " (The period searched has no outlet labels: see the warning.)" \
            if a.filters.get("outlet") and a.outlet_labels == 0 else ""
        return (f"Not found: nothing in the {a.searched_sources} transcript(s) searched "
                f"{scope} answers this closely enough.{why} Try other words or widen the filters.")
    by_turn: dict[str, list[Citation]] = {}
    for c in a.citations:
        by_turn.setdefault(c.turn_id, []).append(c)
    paras = [lead(cs[0]) + " ".join(f"{OPEN}{c.quote}{CLOSE} [{c.n}]" for c in cs) for cs in by_turn.values()]
    note = f"Searched {a.searched_sources} transcript(s) {scope}."
    return "\n\n".join(([head] if head else []) + paras) + "\n\n" + note


def _archive_note(a: Answer) -> str:
    """"Not in the archive: ..." when the dates asked are not covered (empty otherwise)."""
    u = a.uncovered
    if not u:
        return ""
    covers = f"The archive covers {u['periods']}."
    near = f" The nearest covered period is {u['nearest']}." if u.get("nearest") else ""
    if u.get("mentions"):
        if a.citations:
            return (f"Not in the archive: there are no transcripts from {u['missing']}. {covers}{near} "
                    f"What follows are statements from other dates that mention {u['missing']}.")
        return (f"Not in the archive: there are no transcripts from {u['missing']}, and nothing in the archive "
                f"that mentions {u['missing']} answers this closely enough. {covers}{near}")
    return f"Not in the archive: there are no transcripts from {u['missing']}. {covers}{near}"


def _scope(a: Answer) -> str:
    f = a.filters
    lo, hi = f.get("since") or a.date_range[0], f.get("until") or a.date_range[1]
    parts = [f"dated {lo} to {hi}" if lo else "with no known date"]
    if a.undated and not (f.get("since") or f.get("until")):
        parts.append(f"(plus {a.undated} undated)" if lo else "")
    if a.time_phrase:
        parts.append(f"(time phrase in the question: {a.time_phrase})")
    if f.get("spokesperson"):
        parts.append(f"for spokesperson {f['spokesperson']}")
    if f.get("outlet"):
        parts.append(f"for questions from {f['outlet']}")
    return " ".join(p for p in parts if p)


def _meta(x: Citation | AnswerHit) -> dict:
    return {"source": x.source, "url": x.url, "date": x.date, "spokesperson": x.spokesperson,
            "outlet": x.outlet, "question": x.question}


def to_json(a: Answer) -> dict:
    """The ``rag ask --json`` object (exact keys; see README)."""
    return {
        "question": a.question,
        "answer": a.text,
        "found": a.found,
        "filters": dict(a.filters),
        "citations": [{"n": c.n, "quote": c.quote, **_meta(c), "start": c.start, "end": c.end,
                       "sentence_score": c.sentence_score, "procedural": c.procedural,
                       "original": dict(c.original) if c.original else None} for c in a.citations],
        "hits": [
            {"rank": h.rank, "score": round(h.score, 6), "text": h.text, "turn_id": h.turn_id, **_meta(h),
             "start": h.start, "end": h.end}
            for h in a.hits
        ],
        "warnings": list(a.warnings),
        "coverage": dict(a.uncovered) if a.uncovered else None,
        "read_from_question": {"time": a.time_phrase, "spokesperson": a.spokesperson_phrase,
                               "outlet": a.outlet_preference},
        "understood_as": a.understood_as or a.question,
        "followup": a.followup,
        "lang": a.lang,
    }


def answer_question(retriever: Retriever, question: str, *, k: int = 10, filters: Filters = Filters(),
                    mode: str = "hybrid", selector: str = "sentence", read_question: bool = True,
                    context: Sequence[str] = ()) -> Answer:
    """Search, pick quotes, compose: the whole ask path as one :class:`Answer`.

    ``selector`` picks the quotes: ``"sentence"`` (every sentence of each top turn scored against the
    question, the top turn's best few re-read with it by the cross-encoder of :mod:`rag.sentence_cross` unless the
    retriever turns it off; each hit's passage holds its turn's quotes), ``"chunk"`` (sentences of each
    turn's best chunk) or ``"first"`` (the first sentence of each turn); the last two are the
    baselines of the evaluation, and keep each hit's best chunk as its passage. ``read_question``
    lets a time phrase, a spokesperson's or an outlet's name in the question act as filters
    (:func:`rag.intent.parse_intent`); the reader can turn that off. ``context`` are the thread's
    earlier questions, oldest first: a question that leans on them is searched with the thread's
    topic carried over (:func:`rag.followup.understand`; ``Answer.understood_as`` says how).
    """
    question = check_question(question)
    if is_chinese(question):
        return _answer_chinese(retriever, question, k=k, filters=filters, read_question=read_question)
    searched, filters, u = in_thread(retriever, question, context, filters, mode)
    result = focus(retriever.search(searched, k=k, filters=filters, mode=mode, parse_time=read_question), u)
    other_dates = bool(result.uncovered and result.uncovered.get("mentions"))
    min_dense = OTHER_DATES_MIN_DENSE if other_dates else MIN_DENSE
    found, max_turns = is_found(result, min_dense), 3
    if not found and not other_dates and _anchored(retriever, result):  # "the NBA and Daryl Morey": rag.anchor
        found, min_dense, max_turns = True, result.hits[0].dense, 1  # the name vouches for its turn only
    units = None
    if selector == "sentence" and result.hits:
        ranker = retriever.sentence_ranker()
        text = result.intent.search_text if result.intent else result.question  # names that are filters: not words
        terms = bm25_tokens(text)
        units = {h.turn.turn_id: ranker.units(h.turn.turn_id, text, result.query_vector, terms)
                 for h in result.hits}
        cross = retriever.cross_scorer() if mode != "bm25" and found else None
        if cross is not None:  # the first quote's turn: its best sentences re-read with the question
            top = result.hits[0]
            units[top.turn.turn_id] = cross.rerank(units[top.turn.turn_id], top.source.canonical, text,
                                                   ranker.head.score_scale)
        result.hits = [replace(h, passage=passage(units[h.turn.turn_id])) for h in result.hits]
    quotes = select_quotes(result, retriever.encoder if mode != "bm25" else None, selector=selector,
                           units=units, min_dense=min_dense, max_turns=max_turns) if found else []
    _word_absent(result, quotes)
    answer = _with_originals(retriever, build_answer(result, quotes, bool(quotes), mode))
    only_zh = _only_in_chinese(retriever, result)
    if only_zh:
        answer = replace(answer, warnings=(*answer.warnings, only_zh))
    if u and u.followup:
        answer = replace(answer, question=question, understood_as=searched, followup=True,
                         followup_changes=u.changes)
    return answer


def _answer_chinese(retriever: Retriever, question: str, *, k: int, filters: Filters, read_question: bool) -> Answer:
    """A question in Chinese is answered from the Chinese transcripts (:mod:`rag.zh`), by words."""
    from .zh.answer import answer_zh

    zh = getattr(retriever.index, "zh", None)
    if zh is None:
        text = ("未找到：本索引没有中文记录。This index holds no Chinese transcripts: add the ministry's Chinese pages "
                "with `rag ingest` (e.g. ../shared/corpus/fmprc/zh) or ask in English.")
        return Answer(question=question, text=text, found=False, filters=filters.to_dict(), lang="zh", mode="bm25")
    return answer_zh(zh, question, k=k, filters=filters, read_question=read_question)


def _with_originals(retriever: Retriever, answer: Answer) -> Answer:
    """Each English quote with its Chinese original (rag.align), when the index aligned its turn; None
    otherwise: never a guess. ``scope`` says whether the Chinese sentence(s) or the whole answer is given."""
    index = retriever.index
    zh, align = getattr(index, "zh", None), getattr(index, "align", None)
    if zh is None or not align or not answer.citations:
        return answer
    from .align import chinese_original

    cites = []
    for c in answer.citations:
        canon = index.sources[c.source].canonical
        o = chinese_original(align.get(c.turn_id), zh.sources, c.quote, canon[c.turn_start:c.turn_end],
                             en_quote_start=c.start - c.turn_start)
        if o is not None:
            t = zh.turns.get(align[c.turn_id].zh_turn_id)
            o["scope"] = "answer" if t is not None and (o["start"], o["end"]) == (t.start, t.end) else "sentence"
        cites.append(replace(c, original=o))
    return replace(answer, citations=tuple(cites))


def _only_in_chinese(retriever: Retriever, result: SearchResult) -> str | None:
    """A note when the English archive does not cover the dates asked but the Chinese transcripts do."""
    zh = getattr(retriever.index, "zh", None)
    f = result.filters
    if zh is None or not result.uncovered or not (f.since or f.until):
        return None
    n = sum(1 for s in zh.sources.values() if s.date and (not f.since or s.date >= f.since)
            and (not f.until or s.date <= f.until))
    if not n:
        return None
    return (f"Only in Chinese: {n} Chinese transcript(s) cover {result.uncovered.get('missing') or 'these dates'}; "
            "ask the question in Chinese to search them.")


ORDERS = ("relevance", "newest", "oldest")


def reorder(a: Answer, order: str = "relevance") -> Answer:
    """The answer with its statements by ``order``: "relevance" (as found), "newest" or "oldest" first.

    Citations are renumbered in the new order and the text is composed again, so the ``[n]``
    markers still point at their cards; undated statements come last either way.
    """
    if order not in ORDERS:
        raise QueryError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    if order == "relevance" or len(a.citations) < 2:
        return a
    dated = sorted((c for c in a.citations if c.date), key=lambda c: (c.date, c.n), reverse=order == "newest")
    cites = tuple(replace(c, n=i) for i, c in enumerate(dated + [c for c in a.citations if not c.date], start=1))
    out = replace(a, citations=cites)
    return replace(out, text=compose(out))


def ask(retriever: Retriever, question: str, *, k: int = 10, filters: Filters = Filters(),
        mode: str = "hybrid", selector: str = "sentence", context: Sequence[str] = ()) -> dict:
    """:func:`answer_question` as the JSON-ready dict of ``rag ask --json``."""
    return to_json(answer_question(retriever, question, k=k, filters=filters, mode=mode, selector=selector,
                                   context=context))
