"""Timeline: how often the spokespersons addressed a topic, per month (or quarter when sparse).

A turn *addresses* the question when its relevance score is at least :data:`THRESHOLD` and it is not
procedural lines alone ("Like I said, I have no information to offer.": asked, but nothing said). The score
is the one the retriever ranks by, computed for **every** turn of the index (not only a top k):
the cosine of the question and the turn's best chunk plus ``0.3 x`` its BM25 score divided by the
query's best BM25 score over the turns searched (:func:`rag.retrieval.fuse`, weighted). The
threshold was calibrated on the dev sets' qrels and checked on a hand-labelled sample:
``eval/results/timeline/report.md`` (made by ``eval/timeline_calibrate.py``).

The question is read as :meth:`rag.retrieval.Retriever.search` reads it (a time phrase or a
spokesperson's name become filters, the form's filters win, disagreements become warnings): the
filters are resolved by that very method, in its BM25-only mode, which runs no model. An outlet
named in the question is not boosted as in a search: a boost reorders, and here it would count the
outlet's turns rather than the topic's.

Buckets run over the months the index covers (first to last transcript, clipped to the date
filters), zeros kept so the chart shows gaps; each bucket also says how many transcripts it
searched, so "not said" (transcripts, no statement) and "not in the archive" (no transcripts) stay
apart. The unit is the quarter when the topic is sparse (:func:`choose_unit`).

    >>> choose_unit(addressed=10, covered_months=26, months=27)
    'quarter'
    >>> choose_unit(addressed=80, covered_months=26, months=27), choose_unit(3, 5, 5)
    ('month', 'month')
    >>> quarter_of("2019-05")
    '2019-Q2'
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from .errors import QueryError, RagError
from .filters import Filters
from .named import TurnWords, acronyms, key_words, naming_turns, phrases, shown_words, specific
from .quoting import best_span, best_unit  # the quote around a turn's best sentence, as answers make it
from .text import bm25_tokens, sentence_spans

# the views of a timeline (text, JSON, PNG), re-exported: callers import them from here
from .timeline_out import BAR_WIDTH, common_note, counts_what, format_text, quoted_words, save_png, to_json  # noqa: F401

# Calibrated on the dev sets (eval/results/timeline/report.md, made by eval/timeline_calibrate.py): the
# highest fused score that still counts 90% of the judged-relevant turns. Hand-labelled precision of the
# weakest turns counted: 0.90 for topic questions, 0.50 for one-event questions (misses just below 0.72 / 0.10).
THRESHOLD = 0.76
# Quarters when fewer addressed turns than this fall in a covered month on average ...
SPARSE_PER_MONTH = 2.0
# ... and the range is at least this many months (a handful of quarterly bars says little).
QUARTER_MIN_MONTHS = 12
UNITS = ("month", "quarter")


@dataclass(frozen=True)
class Statement:
    """One addressed turn, for listing: ``quote == canonical[start:end]`` of ``source``."""

    turn_id: str
    date: str | None
    spokesperson: str | None
    outlet: str | None
    quote: str
    start: int
    end: int
    source: str
    score: float
    named: bool = False  # counted because it names every word of the question (rag.named), maybe under the threshold


@dataclass(frozen=True)
class Bucket:
    period: str  # "2019-05" or "2019-Q2"
    count: int  # addressed turns
    turn_ids: tuple[str, ...]  # best first
    transcripts: int  # transcripts searched in the period (0: not in the archive)


@dataclass(frozen=True)
class Timeline:
    question: str
    unit: str  # "month" or "quarter"
    threshold: float
    buckets: tuple[Bucket, ...]
    statements: tuple[Statement, ...]  # every addressed turn, best first (undated ones included)
    filters: Filters  # as applied: the form's, plus what the question said
    warnings: tuple[str, ...] = ()
    undated: tuple[str, ...] = ()  # addressed turns with no known date (in no bucket)
    named_words: tuple[str, ...] = ()  # a turn naming all of these counts too, whatever its score (rag.named)
    common_words: tuple[str, ...] = ()  # ... or, when they are too common for that, the words ...
    common_turns: int = 0  # ... and how many turns searched name them all

    @property
    def total(self) -> int:
        return len(self.statements)

    def statement(self, turn_id: str) -> Statement:
        return next(s for s in self.statements if s.turn_id == turn_id)


@dataclass(frozen=True)
class TurnScores:
    """Scores of every turn of the index for one question (``-inf`` where the filters exclude it)."""

    turn_ids: tuple[str, ...]
    fused: np.ndarray
    dense: np.ndarray
    filters: Filters
    warnings: tuple[str, ...]
    query_vector: np.ndarray | None
    search_text: str
    named: np.ndarray | None = None  # turns naming every word of a short question (rag.named); None: rule off
    named_words: tuple[str, ...] = ()  # those words, as the question spells them
    common_words: tuple[str, ...] = ()  # the words of a short question too common for the rule ...
    common_turns: int = 0  # ... and how many turns searched hold them all


class _Layout:
    """Chunk-to-turn bookkeeping of one index, computed once per retriever."""

    def __init__(self, index, words: TurnWords) -> None:  # noqa: ANN001 - rag.store.Index
        self.turn_ids = tuple(index.turns)
        pos = {t: i for i, t in enumerate(self.turn_ids)}
        self.chunk_turn = np.array([pos[c.turn_id] for c in index.chunks], dtype=np.int64)
        self.dates = [index.sources[index.turns[t].source].date for t in self.turn_ids]
        self.words = words  # every turn's words, in this order, for the name rule (rag.named)

    def fold(self, chunk_scores: np.ndarray) -> np.ndarray:
        """The best chunk score of each turn (-inf for a turn without chunks)."""
        out = np.full(len(self.turn_ids), -np.inf)
        np.maximum.at(out, self.chunk_turn, chunk_scores)
        return out


_LAYOUTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _layout(retriever) -> _Layout:  # noqa: ANN001
    with _LOCK:
        lay = _LAYOUTS.get(retriever)
        if lay is None:
            lay = _LAYOUTS[retriever] = _Layout(retriever.index, retriever.archive_words.turns)  # tokenised once
        return lay


def score_turns(retriever, question: str, filters: Filters = Filters(), *,  # noqa: ANN001 - Retriever
                read_question: bool = True) -> TurnScores:
    """Fused and dense scores of every turn for ``question``, the question read for its filters."""
    if retriever.encoder is None:
        raise RagError("the timeline needs the embedding model (this retriever has none)")
    # The filters, warnings and search text exactly as a search resolves them; BM25-only runs no model.
    res = retriever.search(question, k=1, filters=filters, mode="bm25", parse_time=read_question)
    text = res.intent.search_text if res.intent else res.question
    mask = retriever.mask(res.filters)
    if res.uncovered and res.uncovered.get("mentions"):
        # As the search does: a year the archive does not cover keeps the turns naming it, not the word.
        years = {str(y) for y in res.intent.years}
        named = np.array([any(y in t.text or y in (t.question or "") for y in years)
                          for t in (retriever.index.turns[c.turn_id] for c in retriever.index.chunks)], dtype=bool)
        mask = named if mask is None else mask & named
        text = " ".join(w for w in text.split() if w.strip(".,;:?!'’s") not in years) or text
    index, fusion = retriever.index, retriever.fusion
    qvec = retriever.encoder.encode([text])[0]
    dense = (np.asarray(index.vectors, dtype=np.float32) @ qvec).astype(np.float64)
    toks = [t for t in bm25_tokens(text) if t in (getattr(index.bm25, "vocab_dict", None) or {})]
    bm25 = np.zeros(len(dense))
    if toks and len(dense):
        bm25 = np.asarray(index.bm25.get_scores(toks), dtype=np.float64)[: len(dense)]
    if mask is not None:
        bm25 = np.where(mask, bm25, 0.0)
    top_b = float(bm25.max(initial=0.0)) or 1.0
    fused = fusion.dense_weight * dense + fusion.bm25_weight * bm25 / top_b
    if mask is not None:
        fused, dense = np.where(mask, fused, -np.inf), np.where(mask, dense, -np.inf)
    lay = _layout(retriever)
    fused_t = lay.fold(fused)
    # the name rule reads the topic: not a spokesperson's name that became the filter ("Zhao Lijian" alone), not the
    # time phrase that became the dates ("Huawei in the first half of 2019")
    topic = text
    for phrase in (res.spokesperson_phrase, res.intent.time_phrase if res.intent else None):
        topic = topic.replace(phrase, " ") if phrase else topic
    keys = key_words(topic)
    toks = [t for _, t in keys]
    inside = np.isfinite(fused_t)
    # one scan of the whole archive: the share decides between counting the turns and only saying how many there are
    held = naming_turns(lay.words, toks, phrases(topic), acronyms(topic), max_share=None)
    named, common, n_common = None, (), 0
    if held is not None and specific(held):
        named = held & inside
    elif held is not None:  # too common to count each: say how many turns searched name them
        common, n_common = shown_words(topic), int((held & inside).sum())
    # the search's warning of a name no transcript holds speaks of quotes (rag.absent); a timeline quotes nothing and
    # says it in its own words below
    absent_at = (res.extra.get("absent") or {}).get("at")
    notes = [w for i, w in enumerate(res.warnings) if i != absent_at]
    if named is not None and not named.any():  # a word no transcript holds: say so rather than draw empty bars
        absent = [w for w, t in keys if not any(t in lay.words.token_set(i) for i in range(len(lay.words)))]
        if absent:
            notes.append(f"{quoted_words(tuple(dict.fromkeys(absent)))} is in no transcript of the archive (another "
                         "spelling?), so no turn names it.")
    if not toks and res.spokesperson_phrase:
        notes.append(f"The question names only a spokesperson ({res.filters.spokesperson}), which became the filter: "
                     f"there is no topic to count. Ask about one (“{res.spokesperson_phrase} on Huawei”).")
    return TurnScores(lay.turn_ids, fused_t, lay.fold(dense), res.filters, tuple(notes), qvec, text, named,
                      shown_words(topic) if named is not None else (), common, n_common)


def quarter_of(month: str) -> str:
    """``"2019-05"`` -> ``"2019-Q2"``."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def choose_unit(addressed: int, covered_months: int, months: int) -> str:
    """"quarter" when the range spans at least :data:`QUARTER_MIN_MONTHS` months and the addressed
    turns average fewer than :data:`SPARSE_PER_MONTH` per month with transcripts; else "month"."""
    if months >= QUARTER_MIN_MONTHS and addressed < SPARSE_PER_MONTH * max(covered_months, 1):
        return "quarter"
    return "month"


def _quote(retriever, turn_id: str, units: list) -> tuple[int, int]:  # noqa: ANN001
    """Span of the quote around the turn's best sentence (:func:`rag.quoting.best_span`) among its ``units`` (scored
    by the answer's sentence ranker, :mod:`rag.sentence_rank`); else, without units, its first sentence."""
    if not units:
        t = retriever.index.turns[turn_id]
        canon = retriever.index.sources[t.source].canonical
        spans = sentence_spans(canon[t.start:t.end], t.start) or [(t.start, t.end)]
        return spans[0]
    # A statement before a procedural line ("I'd refer you to ..."), as answers quote them.
    pool = [i for i in range(len(units)) if not units[i].procedural] or list(range(len(units)))
    lo, hi = best_span(units, best_unit(units, pool))
    return units[lo].start, units[hi].end


def timeline(retriever, question: str, filters: Filters = Filters(), *,  # noqa: ANN001 - Retriever
             threshold: float | None = None, unit: str | None = None, read_question: bool = True) -> Timeline:
    """How often ``question``'s topic was addressed, per month or quarter, over the index's range.

    ``threshold`` (default :data:`THRESHOLD`) is the fused score a turn needs to count; ``unit``
    forces "month" or "quarter" (default: :func:`choose_unit`).
    """
    if unit is not None and unit not in UNITS:
        raise QueryError(f"the timeline unit must be 'month' or 'quarter', not {unit!r}")
    try:
        thr = THRESHOLD if threshold is None else float(threshold)
    except (TypeError, ValueError):
        thr = float("nan")
    if not np.isfinite(thr):
        raise QueryError(f"the threshold must be a number, not {threshold!r}")
    sc = score_turns(retriever, question, filters, read_question=read_question)
    index, lay = retriever.index, _layout(retriever)
    counted = sc.fused >= thr
    if sc.named is not None:  # a name's turns count whatever their score (rag.named)
        counted |= sc.named
    hits = np.flatnonzero(counted)
    hits = hits[np.lexsort((hits, -sc.fused[hits]))]  # best first, index order on ties
    ranker = retriever.sentence_ranker() if index.sentences else None
    units = {int(i): ranker.units(lay.turn_ids[i], sc.search_text, sc.query_vector) if ranker else [] for i in hits}
    # asked about the topic, but every sentence a procedural line ("I have no information to offer."): not a
    # statement on it, so neither counted nor listed (a reporter's QA found them as a topic's best statement)
    hits = np.array([i for i in hits if not (units[int(i)] and all(u.procedural for u in units[int(i)]))],
                    dtype=np.int64)
    f = sc.filters
    months = [m for m, _ in retriever.coverage.months()
              if (not f.since or m >= f.since[:7]) and (not f.until or m <= f.until[:7])]
    # Transcripts searched per month: sources with a turn that passes the filters.
    allowed = np.isfinite(sc.fused)
    searched = {index.turns[lay.turn_ids[i]].source for i in np.flatnonzero(allowed)}
    per_month: dict[str, int] = {}
    for s in searched:
        d = index.sources[s].date
        if d:
            per_month[d[:7]] = per_month.get(d[:7], 0) + 1
    covered = sum(1 for m in months if per_month.get(m))
    in_range = set(months)
    dated = [i for i in hits if lay.dates[i] and lay.dates[i][:7] in in_range]
    unit = unit or choose_unit(len(dated), covered, len(months))
    key = (lambda m: m) if unit == "month" else quarter_of
    periods: dict[str, list] = {}
    for m in months:
        periods.setdefault(key(m), [0, []])[0] += per_month.get(m, 0)
    for i in dated:
        periods[key(lay.dates[i][:7])][1].append(lay.turn_ids[i])
    buckets = tuple(Bucket(p, len(ids), tuple(ids), n) for p, (n, ids) in periods.items())
    statements = []
    for i in hits:
        tid = lay.turn_ids[i]
        t = index.turns[tid]
        src = index.sources[t.source]
        s, e = _quote(retriever, tid, units[int(i)])
        statements.append(Statement(tid, src.date, t.spokesperson, t.outlet, src.canonical[s:e], s, e, src.source,
                                    round(float(sc.fused[i]), 4), bool(sc.named is not None and sc.named[i])))
    return Timeline(" ".join(question.split()), unit, thr, buckets, tuple(statements), f, sc.warnings,
                    tuple(lay.turn_ids[i] for i in hits if not lay.dates[i]), sc.named_words, sc.common_words,
                    sc.common_turns)
