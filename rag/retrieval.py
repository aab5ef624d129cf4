"""Hybrid retrieval: dense (FAISS) + BM25 (bm25s), fused, filtered, folded to turns.

Filters are applied *inside* both searches (a FAISS ID selector and a BM25
weight mask), so the top-k is filled with matching turns rather than being a
post-filter of a global top-k. Chunk scores are folded to their turn (best
chunk wins), so several chunks of one long answer never crowd out other turns.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

import numpy as np

from . import turn_lift
from .absent import ArchiveWords, absent_warning
from .cite import human_date
from .coverage import Coverage, span_words
from .embedding import Encoder
from .errors import QueryError
from .filters import Filters, asked_outlet_warning, check_names, filter_mask, make_filters, outlet_label_warning  # noqa: F401 - re-exported: callers import them from here
from .fusion import FusionParams, fuse  # noqa: F401 - re-exported: callers import them from here
from .intent import Intent, parse_intent, resolve_filters, without_outlet
from .parties import bm25_expansion
from .records import Chunk, Source, Turn, chunks_by_turn
from .store import Index
from .text import bm25_tokens, fold_accents

MAX_QUESTION_CHARS = 2000
MAX_K = 100


def dense_search(index, qvec: np.ndarray, n: int, mask: np.ndarray | None) -> dict[int, float]:  # noqa: ANN001
    """The ``n`` rows of a FAISS inner-product ``index`` nearest to ``qvec``: ``{row: score}``, best first.

    ``mask`` (rows allowed) is applied inside the search by an ID selector, so the top ``n``
    is filled with allowed rows rather than being a post-filter of a global top ``n``.
    """
    import faiss

    params = None
    if mask is not None:
        bits = np.packbits(mask, bitorder="little")
        params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits)))
    scores, ids = index.search(qvec[None, :].astype(np.float32), n, params=params)
    return {int(i): float(s) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0}


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float  # what the turns are ranked by: the fused score, plus the turn lift in hybrid search (rag.turn_lift)
    chunk: Chunk
    turn: Turn
    source: Source
    dense: float = 0.0  # cosine of the best chunk
    bm25: float = 0.0
    passage: tuple[int, int] | None = None  # span shown for this turn; None: the best chunk's span


@dataclass
class SearchResult:
    question: str
    filters: Filters
    time_phrase: str | None
    hits: list[Hit]
    query_vector: np.ndarray | None = None
    searched_sources: int = 0
    date_range: tuple[str | None, str | None] = (None, None)
    extra: dict = field(default_factory=dict)
    intent: Intent | None = None  # what the question said besides its topic (None: not read)
    spokesperson_phrase: str | None = None  # the name in the question that became the spokesperson filter
    outlet_preference: str | None = None  # an outlet named in the question: its turns ranked first
    warnings: list[str] = field(default_factory=list)  # the question and the filters disagree
    uncovered: dict | None = None  # {"missing", "nearest", "periods"} when the dates asked are not in the archive


# Below this cosine the best hit is not an answer (rag.quoting.is_found). Measured on the 500-page index: 10
# off-topic questions (recipes, sport, code) top out at 0.11-0.30; 10 on-topic ones start at 0.60.
MIN_DENSE = 0.35
# An outlet named in the question ("Xinjiang camps BBC") lifts the turns it asked or that mention it
# by this much: above turns of the same relevance, not above a clearly better answer to the topic. Only turns
# that are answers by themselves (cosine with the question >= MIN_DENSE) are lifted: "What did the spokesperson
# tell AFP about the Uighur camps?" put AFP's turns on other topics first, and then said "Not found". (Lifting
# only turns within 0.1-0.2 of the best cosine as well cost the threads set R@10 0.80 -> 0.75-0.77: in its
# outlet follow-ups the outlet's own questions on the topic read less like the question than a general answer.)
OUTLET_BOOST = 0.25
# ... and by this much more the turns it asked when the question makes it the asker ("tell Reuters").
ASKED_BOOST = 0.25


class Retriever:
    """Search one loaded :class:`~rag.store.Index`. Safe to share between threads."""

    def __init__(self, index: Index, encoder: Encoder | None, fusion: FusionParams = FusionParams(), *,
                 cross: bool | object = True, lift: float = turn_lift.LIFT) -> None:
        self.index = index
        self.encoder = encoder
        self.fusion = fusion
        # Re-read the top turn's best sentences with the cross-encoder (rag.sentence_cross): True for the shipped
        # one, False for none, or a CrossScorer of the caller's (another precision, a held-out model: eval/).
        self.cross = cross
        self.lift = turn_lift.check_weight(lift)  # hybrid: the top turns lifted by lift × their best sentence's cosine
        n = len(index.chunks)
        turns = index.turns
        srcs = index.sources
        self._chunk_turn = [turns[c.turn_id] for c in index.chunks]
        self._turn_chunks = chunks_by_turn(index.chunks)
        self._date = np.array([srcs[c.source].date or "" for c in index.chunks], dtype=object)
        self._spk = np.array([(t.spokesperson or "").lower() for t in self._chunk_turn], dtype=object)
        from .sources.outlets import canonical_outlet

        # Canonical names here too, so an index built before outlets were canonical filters the same way.
        self._outlet = np.array([canonical_outlet(t.outlet).lower() if t.outlet else "" for t in self._chunk_turn],
                                dtype=object)
        self._n = n
        self._undated = sum(1 for s in srcs.values() if not s.date)
        self.coverage = Coverage.of_index(index)
        self._mentions: dict[str, set[str]] | None = None  # outlet -> turn ids asked by it or naming it
        self._outlet_masks: dict[str, np.ndarray] = {}
        self._spokespeople = {t.spokesperson for t in turns.values() if t.spokesperson}
        self._outlets_since = min((d for d, o in zip(self._date, self._outlet, strict=True) if d and o), default=None)
        vocab = getattr(index.bm25, "vocab_dict", None) or {}
        self._vocab = vocab
        self._twins: dict[str, list[str]] = {}  # a token folded -> the vocabulary's spellings ("erdogan", "erdoğan")
        for t in vocab:
            self._twins.setdefault(fold_accents(t), []).append(t)
        self.archive_words = ArchiveWords(index, self._twins)  # names no transcript holds ("Zhurong"): rag.absent
        self._ranker = None
        self._ranker_lock = threading.Lock()

    def sentence_ranker(self):  # noqa: ANN201 - rag.sentence_rank.SentenceRanker
        """The index's sentence ranker, built on first use (it reads the BM25 postings once)."""
        with self._ranker_lock:
            if self._ranker is None:
                from .sentence_rank import SentenceRanker

                self._ranker = SentenceRanker(self.index, turn_chunks=self._turn_chunks)
            return self._ranker

    def cross_scorer(self):  # noqa: ANN201 - rag.sentence_cross.CrossScorer | None
        """The sentence cross-encoder (one per process, exported on first use), or None when turned off."""
        if self.cross is False or self.cross is None:
            return None
        if self.cross is not True:
            return self.cross
        from .sentence_cross import default_scorer

        return default_scorer()

    # -- filters -------------------------------------------------------------

    def mask(self, f: Filters) -> np.ndarray | None:
        """Boolean mask of chunks that pass ``f`` (None when nothing is filtered)."""
        return filter_mask(f, self._date, self._spk, self._outlet)

    # -- search --------------------------------------------------------------

    def search(self, question: str, k: int = 10, filters: Filters = Filters(), *,
               parse_time: bool = True, mode: str = "hybrid") -> SearchResult:
        """Top-``k`` turns for ``question``. ``mode`` is "hybrid", "dense" or "bm25".

        With ``parse_time`` (the default) the question is also read for its filters
        (:func:`rag.intent.parse_intent`): a time phrase becomes the date range and a spokesperson's
        name the spokesperson filter, unless the form sets them (a disagreement becomes a warning);
        the name is not searched for as words; an outlet's name ranks its turns first.
        """
        question = check_question(question)
        if not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise QueryError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
        check_names(filters, self._spokespeople, (t.outlet for t in self.index.turns.values()))
        intent = parse_intent(question) if parse_time else None
        warnings: list[str] = []
        unknown = None  # a spokesperson's name the archive has no statement by: said once, not again as a name
        if intent and intent.spokesperson and intent.spokesperson not in self._spokespeople:
            unknown = intent.spokesperson_phrase
            # Named, but not a speaker of this archive (Qin Gang as minister, a spokesperson of other
            # years): searched as words, and said so, rather than a filter that matches nothing.
            warnings.append(f"No statement by {intent.spokesperson} is in the archive; the name was searched "
                            "as words, not used as a spokesperson filter.")
            intent = replace(intent, spokesperson=None, spokesperson_phrase=None, search_text=intent.question)
        if intent:
            filters, more = resolve_filters(intent, filters)
            warnings += more
        mask = self.mask(filters)
        text = intent.search_text if intent else question
        about = without_outlet(text, intent.outlet_phrase) if intent else ""  # what the question is about
        for name in (unknown, intent.near_name[0] if intent and intent.near_name else None):
            about = about.replace(name, " ") if name else about  # a name warned of already, not twice
        absent = None
        if about and (names := self.archive_words.absent(about)):
            # the quotes cannot be about it: say so (rag.answer words it by what was quoted)
            absent = {"names": names, "at": len(warnings), "about": about}
            warnings.append(absent_warning(names))
        result = SearchResult(question, filters, intent.time_phrase if intent and filters.since == intent.since
                              and filters.until == intent.until and intent.time_phrase else None, [],
                              date_range=self._searched_range(mask), searched_sources=self._count_sources(mask),
                              extra={"undated": self._undated, "absent": absent}, intent=intent, warnings=warnings,
                              spokesperson_phrase=intent.spokesperson_phrase if intent and intent.spokesperson
                              and filters.spokesperson == intent.spokesperson else None,
                              outlet_preference=intent.outlet if intent and intent.outlet and not filters.outlet
                              else None)
        if filters.outlet:  # say so when the period searched records no outlet, or records them only in part
            rows = self.mask(replace(filters, outlet=None))
            rows = np.ones(self._n, dtype=bool) if rows is None else rows
            labelled = (self._outlet != "") & rows
            result.extra["outlet_labels"] = len({self._chunk_turn[i].turn_id for i in np.flatnonzero(labelled)})
            result.extra["outlets_since"] = self._outlets_since
            warn = outlet_label_warning(filters.outlet, result.extra["outlet_labels"], self._outlets_since,
                                        self._before_outlets(rows))
            if warn:
                warnings.append(warn)
        elif result.outlet_preference and intent.outlet_asked and self._before_outlets(self.mask(filters)):
            warnings.append(asked_outlet_warning(result.outlet_preference, self._outlets_since))  # "tell Reuters"
        mask = self._check_coverage(result, mask)
        if result.uncovered and result.uncovered.get("mentions"):
            # The year now acts as a filter (turns naming it); as words it would find any sentence
            # that happens to start "In 2022, ...", whatever its topic.
            text = " ".join(w for w in text.split() if w.strip(".,;:?!'’s") not in
                            {str(y) for y in result.intent.years}) or text
        if self._n == 0 or (mask is not None and not mask.any()):
            if filters.spokesperson and (filters.since or filters.until) and self._n and \
                    not self.mask(replace(filters, outlet=None)).any():  # the dates emptied it, not the outlet
                # "What did Zhao Lijian say in 2019?": say when the archive has them speak, not just "0 transcripts"
                lo, hi = self._searched_range(self.mask(Filters(spokesperson=filters.spokesperson)))
                warnings.append(f"{filters.spokesperson}'s briefings in the archive run from {human_date(lo)} to "
                                f"{human_date(hi)}: none in the dates searched.")
            return result
        n_cand = max(self.fusion.candidates, k * 5)
        dense: dict[int, float] = {}
        bm25: dict[int, float] = {}
        qvec = None
        prefer = self._outlet_rows(result.outlet_preference) if result.outlet_preference else None
        bm25_all = None
        if mode in ("hybrid", "bm25"):
            # The ministry's names for the parties the question names otherwise ("Washington" -> "US").
            bm25_all = self._bm25_scores(bm25_expansion(text, skip=(intent.outlet_phrase,) if intent else ()), mask)
            bm25 = _top(bm25_all, n_cand)
        if mode in ("hybrid", "dense"):
            # "What did they tell Reuters about Huawei?": the asker ranks by its boost below; in the vector its name
            # pulls every question it asked, whatever the topic (a named outlet that is the topic stays: "the WSJ op-ed")
            asker = prefer is not None and intent.outlet_asked
            qvec = self.encoder.encode([without_outlet(text, intent.outlet_phrase) if asker else text])[0]
            dense = self._dense(qvec, n_cand, mask)
            if prefer is not None and prefer.any():
                # The outlet's turns compete even when the topic alone would not reach them.
                inside = prefer if mask is None else prefer & mask
                if inside.any():
                    dense.update(self._dense(qvec, k * 5, inside))
        if prefer is not None and bm25_all is not None and mode == "hybrid":
            for i in dense:
                if prefer[i] and bm25_all[i] > 0:
                    bm25[i] = float(bm25_all[i])
        fused = fuse(dense, bm25, mode, self.fusion)
        if prefer is not None:
            # with a question vector, only the outlet's turns on the topic (BM25 alone: no cosine to judge by)
            on_topic = self._on_topic(dense) if qvec is not None else True
            lifted = prefer & on_topic
            fused = {i: s + OUTLET_BOOST * float(lifted[i]) for i, s in fused.items()}
            if result.intent and result.intent.outlet_asked:  # "what did they tell Reuters": its questions first
                asked = self.mask(Filters(outlet=result.outlet_preference)) & on_topic  # the outlet filter's rule
                fused = {i: s + ASKED_BOOST * float(asked[i]) for i, s in fused.items()}
        result.query_vector = qvec
        result.hits = self._fold(fused, dense, bm25, k, qvec if mode == "hybrid" else None)
        return result

    def _on_topic(self, dense: dict[int, float]) -> np.ndarray:
        """Row mask of the chunks whose cosine with the question (``dense``: row -> cosine) is at least MIN_DENSE."""
        out = np.zeros(self._n, dtype=bool)
        out[[i for i, c in dense.items() if c >= MIN_DENSE]] = True
        return out

    def _check_coverage(self, result: SearchResult, mask: np.ndarray | None) -> np.ndarray | None:
        """Note dates the archive does not cover. Years named without a time phrase ("the 2022
        Winter Olympics") that no transcript is dated in narrow the search to turns naming the year."""
        f, cov = result.filters, self.coverage
        if f.since or f.until:
            if cov.dates and cov.count(f.since, f.until) == 0:
                near = cov.nearest(f.since, f.until)
                result.uncovered = {"missing": span_words(f.since, f.until), "nearest": near.label if near else None,
                                    "periods": cov.describe(), "mentions": False}
            elif part := cov.partly(f.since, f.until):  # "in July 2020" of an archive that ends on 3 July 2020
                result.warnings.append(f"Of {span_words(f.since, f.until)}, the archive covers "
                                       f"{part} only: statements from the rest of that time are not in it.")
            return mask
        # Years before the first transcript are history ("the 1984 Joint Declaration", "the 1992
        # Consensus"), which later statements discuss: only later years the archive misses count.
        first = int(cov.dates[0][:4]) if cov.dates else 0
        years = [y for y in (result.intent.years if result.intent else ()) if
                 y >= first and cov.count(f"{y:04d}-01-01", f"{y:04d}-12-31") == 0]
        if not years or not cov.dates:
            return mask
        near = cov.nearest(f"{min(years):04d}-01-01", f"{max(years):04d}-12-31")
        result.uncovered = {"missing": " or ".join(str(y) for y in years), "nearest": near.label if near else None,
                            "periods": cov.describe(), "mentions": True}
        names = [str(y) for y in years]
        named = np.array([any(y in t.text or y in (t.question or "") for y in names) for t in self._chunk_turn],
                         dtype=bool)
        return named if mask is None else mask & named

    def _outlet_rows(self, outlet: str) -> np.ndarray:
        """Chunks of turns asked by ``outlet`` or naming it (in the question or the answer)."""
        with self._ranker_lock:
            if self._mentions is None:
                from .sources.outlets import canonical_outlet, outlet_parts, outlets_in

                mentions: dict[str, set[str]] = {}
                for t in self.index.turns.values():
                    named = {o for o, _, _ in outlets_in(t.exchange)}
                    asked = set(outlet_parts(canonical_outlet(t.outlet))) if t.outlet else set()
                    for o in named | asked:
                        mentions.setdefault(o, set()).add(t.turn_id)
                self._mentions = mentions
            if outlet not in self._outlet_masks:  # a row mask per outlet, built once
                ids = self._mentions.get(outlet, set())
                self._outlet_masks[outlet] = np.array([c.turn_id in ids for c in self.index.chunks], dtype=bool)
            return self._outlet_masks[outlet]

    def _before_outlets(self, mask: np.ndarray | None) -> bool:
        """Whether ``mask`` searches transcripts dated before the first that names the asking outlets."""
        since = self._outlets_since
        return bool(since) and any(d and d < since for d in (self._date if mask is None else self._date[mask]))

    def _searched_range(self, mask: np.ndarray | None) -> tuple[str | None, str | None]:
        """First and last date of the transcripts ``mask`` searches ("nothing in the 89 transcripts of Lu Kang dated
        2018-05-11 to 2019-07-19", not the whole archive's dates); the archive's when it searches none."""
        if mask is None:
            return self.index.date_range()
        dates = [d for d in self._date[mask] if d]
        return (min(dates), max(dates)) if dates else self.index.date_range()

    def _count_sources(self, mask: np.ndarray | None) -> int:
        if mask is None:
            return len(self.index.sources)
        return len({self.index.chunks[i].source for i in np.flatnonzero(mask)})

    def _dense(self, qvec: np.ndarray, n: int, mask: np.ndarray | None) -> dict[int, float]:
        return dense_search(self.index.dense, qvec, min(n, self._n), mask)

    def _bm25_scores(self, question: str, mask: np.ndarray | None) -> np.ndarray | None:
        """BM25 score of every chunk (0 outside ``mask``); None when no query term is in the vocabulary."""
        # every spelling the archive has of each word, accents aside: "Erdoğan" asked finds "Erdogan" (4 transcripts)
        toks = [u for t in bm25_tokens(question) for u in self._twins.get(fold_accents(t), ())]
        if not toks:
            return None
        scores = np.asarray(self.index.bm25.get_scores(toks), dtype=np.float32)[: self._n]
        return np.where(mask, scores, 0.0) if mask is not None else scores

    def _fold(self, fused: dict[int, float], dense: dict[int, float], bm25: dict[int, float], k: int,
              qvec: np.ndarray | None = None) -> list[Hit]:
        """The best ``k`` turns, each by its best chunk; with ``qvec`` (hybrid), the top ``turn_lift.DEPTH``
        lifted by their best sentence's cosine (:mod:`rag.turn_lift`), whatever ``k``."""
        best: dict[str, tuple[float, int]] = {}
        for i, s in fused.items():
            tid = self.index.chunks[i].turn_id
            if tid not in best or s > best[tid][0]:
                best[tid] = (s, i)
        ranked = sorted(best.values(), key=lambda x: (-x[0], x[1]))
        if qvec is not None and self.lift and self.index.sentences is not None:
            top = ranked[:turn_lift.DEPTH]  # the lift never lowers a score: the rest stay below
            chunk_ids = [self._turn_chunks[self.index.chunks[i].turn_id] for _, i in top]
            cosines = turn_lift.best_cosines(self.index.sentences, chunk_ids, qvec)
            ranked = [(s, top[j][1]) for j, s in turn_lift.lift([s for s, _ in top], cosines, self.lift)] \
                + ranked[turn_lift.DEPTH:]
        ranked = ranked[:k]
        hits = []
        for r, (s, i) in enumerate(ranked, start=1):
            c = self.index.chunks[i]
            hits.append(Hit(rank=r, score=s, chunk=c, turn=self._chunk_turn[i], source=self.index.sources[c.source],
                            dense=dense.get(i, 0.0), bm25=bm25.get(i, 0.0)))
        return hits


def _top(scores: np.ndarray | None, n: int) -> dict[int, float]:
    """The ``n`` best positive scores: ``{row: score}``."""
    if scores is None:
        return {}
    n = min(n, len(scores))
    top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    return {int(i): float(scores[i]) for i in top if scores[i] > 0}


def check_question(question: str) -> str:
    """Validate a question (empty or too long -> QueryError); return it whitespace-normalised."""
    if not isinstance(question, str) or not question.strip():
        raise QueryError("the question is empty: type what you want to find, e.g. 'What did China say about the SCO?'")
    if len(question) > MAX_QUESTION_CHARS:
        raise QueryError(f"the question is too long ({len(question)} characters; at most {MAX_QUESTION_CHARS})")
    return " ".join(question.split())
