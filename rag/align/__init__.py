"""English turns and their Chinese originals (issue 11, part 2).

The ministry's Chinese transcript is the original, the English page its translation. This package
finds, for every English turn, the Chinese turn it translates, and inside that turn the Chinese
sentence(s) of a short English quote; it never guesses: what it cannot find with confidence it
reports as None, with the reason.

==================  ==================================================================================
``names``           names both languages write (countries, places, people, bodies), English -> Chinese
``evidence``        lengths, names and numbers, outlet, kind: how alike an English and a Chinese turn are
``dp``              the dynamic programme (best monotonic path, each unit's best alternatives)
``turns``           the alignment of two transcripts of one day (:func:`align_sources`), confidence
``sentences``       the Chinese sentence(s) of an English quote inside the aligned turn
==================  ==================================================================================

At ingest, once per build, over all sources of both languages (3-5 s for the 1,500 shared pages)::

    from rag.align import align_corpus
    alignments = align_corpus(sources)          # {English turn_id: TurnAlignment}; sources: {name: Source}

and for a citation, its Chinese original (the sentence(s) when certain, else the whole Chinese answer;
None when the English turn has no certain counterpart)::

    from rag.align import chinese_original
    original = chinese_original(alignments.get(c.turn_id), sources, c.quote, en_turn.text,
                                en_quote_start=c.start - en_turn.start)
    # {"lang": "zh", "quote", "source", "url", "start", "end"} or None

Worked example (two one-turn transcripts of a day)::

    >>> from rag.records import Turn
    >>> en_text = "We have noted the reports. We urge the US to stop interfering in Hong Kong affairs."
    >>> zh_text = "我们注意到有关报道。我们敦促美方停止干预香港事务。"
    >>> en = Source("t1.html", en_text, None, "2019-08-06", False, None, None, "conference",
    ...             (Turn("t1:1", "t1.html", 1, "answer", None, None, "Any comment on the US remarks on Hong Kong?",
    ...                   None, None, 0, len(en_text), en_text),))
    >>> zh = Source("t2.html", zh_text, None, "2019-08-06", False, None, "https://www.fmprc.gov.cn/t2.shtml",
    ...             "conference", (Turn("t2:1", "t2.html", 1, "answer", None, None, "你对美方涉港言论有何评论？",
    ...                                 None, None, 0, len(zh_text), zh_text),), lang="zh")
    >>> sources = {"t1.html": en, "t2.html": zh}
    >>> alignments = align_corpus(sources)
    >>> alignments["t1:1"].zh_turn_id
    't2:1'
    >>> chinese_original(alignments["t1:1"], sources, "We urge the US to stop interfering in Hong Kong affairs.",
    ...                  en_text, en_quote_start=27)
    {'lang': 'zh', 'quote': '我们敦促美方停止干预香港事务。', 'source': 't2.html', 'url': 'https://www.fmprc.gov.cn/t2.shtml', 'start': 10, 'end': 25}
"""

from __future__ import annotations

from collections import defaultdict

from ..records import Source, Turn
from .evidence import side
from .sentences import align_sentences
from .turns import THRESHOLD, TurnAlignment, align_sources, best_of

__all__ = ["THRESHOLD", "TurnAlignment", "align_corpus", "align_sentences", "align_sources", "chinese_original",
           "chinese_turn"]


def _group(kind: str) -> str:
    """Conferences pair with conferences; the English site's "remarks" are the Chinese 答记者问 pages
    (remarks) and, for an announcement, a statement page."""
    return "conference" if kind == "conference" else "other"


def align_corpus(sources: dict[str, Source], *, threshold: float = THRESHOLD) -> dict[str, TurnAlignment]:
    """Every English turn of ``sources`` (any mapping of name -> Source, both languages mixed) with
    its Chinese original, pairing pages by date and kind: ``{English turn_id: TurnAlignment}``.
    ``threshold`` is the confidence below which a counterpart is reported as ambiguous (evaluation
    lowers it to see what the aligner would have said).

    >>> align_corpus({})
    {}
    """
    by_day: dict[tuple[str, str], list[Source]] = defaultdict(list)
    for src in sources.values():
        if src.lang == "zh" and src.date and src.turns:
            by_day[(src.date, _group(src.kind))].append(src)
    zh_sides: dict[str, list] = {}
    out: dict[str, TurnAlignment] = {}
    for name in sorted(sources):
        en = sources[name]
        if en.lang == "zh" or not en.turns:
            continue
        if not en.date:
            reason = "the English page has no date"
        elif not by_day.get((en.date, _group(en.kind))):
            reason = f"no Chinese {'conference' if en.kind == 'conference' else 'remarks'} page of {en.date}"
        else:
            reason = ""
        if reason:
            out.update((t.turn_id, TurnAlignment(t.turn_id, None, None, 1.0, reason)) for t in en.turns)
            continue
        candidates = []
        for zh in sorted(by_day[(en.date, _group(en.kind))], key=lambda s: s.source):
            if zh.source not in zh_sides:
                zh_sides[zh.source] = [side(t, "zh") for t in zh.turns]
            candidates.append((zh, zh_sides[zh.source]))
        out.update((a.en_turn_id, a) for a in best_of(en, candidates, threshold))
    return out


def _page(name: str | None, sources: dict[str, Source]) -> Source | None:
    """A page by its file name (the key ingest uses, and :attr:`Source.source`)."""
    if name is None:
        return None
    return sources.get(name) or next((s for s in sources.values() if s.source == name), None)


def chinese_turn(alignment: TurnAlignment | None, sources: dict[str, Source]) -> Turn | None:
    """The Chinese turn an alignment names (None when it names none or its page is not in ``sources``)."""
    src = _page(alignment.zh_source, sources) if alignment and alignment.zh_turn_id else None
    return next((t for t in src.turns if t.turn_id == alignment.zh_turn_id), None) if src and alignment else None


def chinese_original(alignment: TurnAlignment | None, sources: dict[str, Source], en_quote: str,
                     en_turn_text: str, *, en_quote_start: int | None = None) -> dict | None:
    """A citation's Chinese original: ``{"lang": "zh", "quote", "source", "url", "start", "end"}``,
    ``quote == sources[source].canonical[start:end]``; the Chinese sentence(s) of ``en_quote`` when
    :func:`align_sentences` is sure of them, else the whole Chinese answer; None without a counterpart.
    ``en_quote_start`` is where the quote starts in ``en_turn_text`` (see :func:`align_sentences`).
    """
    turn = chinese_turn(alignment, sources)
    src = _page(alignment.zh_source, sources) if alignment else None
    if turn is None or src is None:
        return None
    span = align_sentences(en_quote, turn.text, turn.start, en_turn_text=en_turn_text, en_quote_start=en_quote_start)
    start, end = span or (turn.start, turn.end)
    return {"lang": "zh", "quote": src.canonical[start:end], "source": src.source, "url": src.url,
            "start": start, "end": end}
