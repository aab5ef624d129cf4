"""Pick the sentences of the top turns that best answer the question, as verbatim spans.

A :class:`Quote` is only ever made from offsets into a source's canonical text:
``quote.text == source.canonical[quote.start:quote.end]`` by construction, and
:func:`check_verbatim` re-checks it before anything is returned.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .errors import RagError
from .procedural import procedural_kind
from .retrieval import MIN_DENSE, Hit, SearchResult  # noqa: F401 - MIN_DENSE: re-exported, callers import it here
from .sentence_rank import ScoredUnit
from .text import bm25_tokens, sentence_spans

# Statements from other dates offered for a year the archive does not cover ("the 2022 Winter
# Olympics") must be clearly on topic: naming the year is not enough ("In 2022, the US and Europe...").
OTHER_DATES_MIN_DENSE = 0.5
# A statement may be put before procedural quotes when nearly as relevant as the least of them.
FALLBACK_MARGIN = 0.1


@dataclass(frozen=True)
class Quote:
    n: int
    start: int
    end: int
    text: str
    hit: Hit
    score: float | None = None  # the selector's score for this quote (None: the selector gives none)
    procedural: str | None = None  # kind of procedural line when every sentence of the quote is one


def check_verbatim(q: Quote) -> None:
    """Raise if a quote is not exactly its source's canonical text at its offsets."""
    if q.hit.source.canonical[q.start:q.end] != q.text or not q.text:
        raise RagError(f"internal error: quote [{q.n}] is not verbatim in {q.hit.source.source}")


def is_found(result: SearchResult, min_dense: float = MIN_DENSE) -> bool:
    """Whether the best hit is close enough to count as an answer."""
    if not result.hits:
        return False
    top = result.hits[0]
    if result.query_vector is None:  # BM25 only: any lexical match counts
        return top.bm25 > 0
    return top.dense >= min_dense


SELECTORS = ("sentence", "chunk", "first")
# A sentence shorter than this rarely stands alone as a quote ("Yes.", "This is a fact."): it is
# joined with its better-scored neighbour.
SHORT_WORDS = 12
# A turn's second-best statement (outside the first quote) is quoted too when it scores within this margin
# of the best: the head cannot tell which of the two answers, so the reader gets both. On the 2,439 training
# turns (eval/sentences_train, no dev set), scored by the head before its query map, a gold sentence is in the
# turn's quotes for 0.762 of turns with one span, 0.872 / 0.911 / 0.921 with a second one within 0.1 / 0.2 / 0.3
# (36, 57, 66, 70 words a turn): 0.2 is where the curve flattens. Re-checked with the shipped head (in sample,
# so higher: 0.877 / 0.955 / 0.968 / 0.969): still 0.2. The second span is joined to the first when they touch and stay under
# MAX_JOINED_WORDS; otherwise it is a quote of its own, after the first.
SECOND_MARGIN = 0.2
# The best sentence's better neighbour is joined to it when it scores within this margin: the scores of
# two adjacent sentences that close cannot tell which of them answers (measured: eval/results/sentence_head.md).
JOIN_MARGIN = 0.2
# ... unless the two sentences together would be longer than this (a quote must stay pasteable).
MAX_JOINED_WORDS = 70
# The passage shown for a turn (``hits[i].text``): whole sentences around its quotes, grown up to this size
# (about 200 words; longer only when its quotes alone are further apart). On the training turns a passage
# grown around the best sentence held a gold sentence for 0.941 / 0.966 / 0.979 / 0.992 of turns at 800 /
# 1,000 / 1,200 / 1,500 characters (head before the query map; with it, in sample: 0.970 / 0.982 / 0.990 /
# 0.994); grown around both quotes, 0.991 at 1,200.
# Quotes further apart than this are still both in it (:func:`passage`): on all 3,644 training turns, with
# the shipped models (in sample), 0.984 -> 0.992 hold gold; 7 % of passages are longer (median 1,485 chars).
PASSAGE_CHARS = 1200


def choose_turns(result: SearchResult, *, max_turns: int = 3, min_dense: float = MIN_DENSE) -> list[Hit]:
    """The turns an answer quotes: the best one, and the next ones when nearly as relevant."""
    top = result.hits[0]
    return [top] + [
        h for h in result.hits[1:max_turns]
        if h.turn.turn_id != top.turn.turn_id and (result.query_vector is None or h.dense >= max(min_dense, top.dense - 0.08))
    ]


def select_quotes(result: SearchResult, encoder=None, *, max_turns: int = 3,  # noqa: ANN001
                  max_per_turn: int = 2, min_dense: float = MIN_DENSE, selector: str = "chunk",
                  units: dict[str, list[ScoredUnit]] | None = None) -> list[Quote]:
    """Verbatim quotes from the best hits, numbered from 1.

    ``selector``: ``"sentence"`` ranks every sentence of each chosen turn (``units``: the scored
    sentence units of each turn, from :class:`rag.sentence_rank.SentenceRanker`) and quotes the best
    first; ``"chunk"`` ranks the sentences of each turn's best chunk (the earlier selector);
    ``"first"`` quotes the first sentence of each turn (a baseline for the evaluation).
    """
    if selector not in SELECTORS:
        raise RagError(f"unknown quote selector {selector!r} (one of {', '.join(SELECTORS)})")
    if not is_found(result, min_dense):
        return []
    chosen = choose_turns(result, max_turns=max_turns, min_dense=min_dense)
    if selector == "first":
        return _number([_first_sentence(h) for h in chosen])
    if selector == "sentence":
        if units is None:
            raise RagError("internal error: the sentence selector needs the scored sentence units")
        quotes: list[Quote] = []
        for h in chosen:
            quotes.extend(_best_sentences(h, units.get(h.turn.turn_id, []), max_per_turn))
        quotes = statements_first(_dedupe(quotes))
        if quotes and quotes[0].procedural:
            quotes = _statement_further_down(result, chosen, units, max_per_turn, min_dense) + quotes
        return _number(quotes)
    cands: list[tuple[int, int, int]] = []  # (hit index, start, end)
    for hi, h in enumerate(chosen):
        for s, e in sentence_spans(h.chunk.text, h.chunk.start):
            cands.append((hi, s, e))
    texts = [chosen[hi].source.canonical[s:e] for hi, s, e in cands]
    # Embedding sentences is the slow part of an answer (~4 ms each here), so only the best turn's
    # candidates are embedded; the other turns' sentences are ranked by term overlap and position.
    # Scores are only compared within a turn, so a best turn of one sentence needs no embedding.
    dense_mask = np.array([hi == 0 for hi, _, _ in cands], dtype=bool)
    if dense_mask.sum() < 2:
        dense_mask[:] = False
    first = np.array([i == 0 or cands[i - 1][0] != cands[i][0] for i in range(len(cands))], dtype=bool)
    scores = _score(result, texts, encoder, dense_mask, first)
    quotes: list[Quote] = []
    for hi, h in enumerate(chosen):
        idx = [i for i, c in enumerate(cands) if c[0] == hi]
        if not idx:
            continue
        order = sorted(idx, key=lambda i: -scores[i])
        pick = [order[0]]
        for i in order[1:max_per_turn]:
            # A second sentence only if it is nearly as good, or the best one is too short to stand alone.
            if scores[i] >= scores[order[0]] - 0.05 or len(texts[order[0]].split()) < 12:
                pick.append(i)
        pick.sort()
        for span in _merge([(cands[i][1], cands[i][2]) for i in pick], h.source.canonical):
            quotes.append(Quote(0, span[0], span[1], h.source.canonical[span[0]:span[1]], h))
    return _number(quotes)


def statements_first(quotes: list[Quote]) -> list[Quote]:
    """Mark procedural quotes (greetings, referrals, "no information", "we noted the reports",
    questions back) and move them after the statements: a reporter pastes the first quote, so it
    must state a position whenever any quote does. Order is kept otherwise."""
    marked = [replace(q, procedural=_procedural(q.text)) for q in quotes]
    return [q for q in marked if not q.procedural] + [q for q in marked if q.procedural]


def _statement_further_down(result: SearchResult, chosen: list[Hit], units: dict[str, list[ScoredUnit]],
                             max_per_turn: int, min_dense: float) -> list[Quote]:
    """When every quote of the chosen turns is procedural ("I would refer you to the competent
    authorities"), the statements of the next relevant turn that states a position, to quote first;
    [] when no relevant turn does (the procedural quotes then stand alone, marked)."""
    taken = {h.turn.turn_id for h in chosen}
    for h in result.hits:
        if h.turn.turn_id in taken or (result.query_vector is not None and h.dense < min_dense - FALLBACK_MARGIN):
            continue
        found = [q for q in statements_first(_best_sentences(h, units.get(h.turn.turn_id, []), max_per_turn))
                 if not q.procedural]
        if found:
            return found
    return []


def _procedural(text: str) -> str | None:
    kinds = [procedural_kind(text[s:e]) for s, e in sentence_spans(text)]
    return kinds[0] if kinds and all(kinds) else None


def _number(quotes: list[Quote]) -> list[Quote]:
    numbered = [replace(q, n=n) for n, q in enumerate(quotes, start=1)]
    for q in numbered:
        check_verbatim(q)
    return numbered


def _best_sentences(h: Hit, units: list[ScoredUnit], max_per_turn: int) -> list[Quote]:
    """The turn's quotes, cut by :func:`quote_groups`: the one holding the best sentence first, each with
    the score of its own best sentence (an empty turn: its first sentence)."""
    if not units:
        return [_first_sentence(h)]
    canon = h.source.canonical
    return [Quote(0, s, e, canon[s:e], h, round(units[top].score, 4))
            for top, idx in quote_groups(units, max_per_turn) for s, e in _merge([(units[i].start, units[i].end) for i in idx], canon)]


def quote_groups(units: list[ScoredUnit], max_per_turn: int = 2) -> list[tuple[int, list[int]]]:
    """``[(best unit, unit indices of the quote), ...]`` of a turn: its best-scored sentence with the
    neighbour :func:`best_span` joins to it; then, when ``max_per_turn`` > 1, its best other
    non-procedural sentence if it scores within ``SECOND_MARGIN``, cut by the same rules: joined to the
    first quote when the two touch and stay under ``MAX_JOINED_WORDS``, else a quote of its own — less any
    sentence the first quote has, and then only if what is left stands alone (not short, not a bare
    announcement). (So for the sentence selector ``max_per_turn`` means one quote or two.) No units: ``[]``.

    >>> quote_groups([ScoredUnit(0, 9, 0.9, 20, False), ScoredUnit(10, 19, 0.0, 20, False), ScoredUnit(20, 29, 0.8, 20, False)])
    [(0, [0]), (2, [2])]
    """
    if not units:
        return []
    best = best_unit(units)
    lo, hi = best_span(units, best)
    groups = [(best, list(range(lo, hi + 1)))]
    if max_per_turn > 1:
        rest = sorted((i for i in range(len(units)) if not lo <= i <= hi and not units[i].procedural),
                      key=lambda i: (-units[i].score, i))
        if rest and units[rest[0]].score >= units[best].score - SECOND_MARGIN:
            lo2, hi2 = best_span(units, rest[0])  # joined by the same rules: "It remains unchanged." never alone
            both = sorted(set(range(lo, hi + 1)) | set(range(lo2, hi2 + 1)))
            if _touching(units, both) and sum(units[i].words for i in both) <= MAX_JOINED_WORDS:
                groups = [(best, both)]
            else:  # a quote of its own: its span less any sentence the first quote has, if that stands alone
                second = [i for i in range(lo2, hi2 + 1) if not lo <= i <= hi]
                if len(second) == hi2 - lo2 + 1 or (sum(units[i].words for i in second) >= SHORT_WORDS
                                                    and not units[second[-1]].announces):
                    groups.append((rest[0], second))
    return groups


def _touching(units: list[ScoredUnit], idx: list[int]) -> bool:
    """Whether the sorted unit indices ``idx`` are one run of sentences with no paragraph break inside."""
    return all(b == a + 1 and not units[b].starts_paragraph for a, b in zip(idx, idx[1:], strict=False))


def best_unit(units: list[ScoredUnit], pool: list[int] | None = None) -> int:
    """Index of the best-scored unit (of ``pool``, default all; the earlier one on a tie)."""
    return max(range(len(units)) if pool is None else pool, key=lambda i: (units[i].score, -i))


def best_span(units: list[ScoredUnit], best: int | None = None) -> tuple[int, int]:
    """``(first, last)`` unit of the quote around the ``best`` unit (default: the best-scored one).

    The best sentence is quoted with one neighbour when it cannot stand alone or the two answer
    together: when it only announces a position ("Our position is consistent and clear."), with the
    sentence after it; when it is short (``SHORT_WORDS``), or its better-scored neighbour scores
    within ``JOIN_MARGIN`` of it, with that neighbour (not a procedural one, and not past
    ``MAX_JOINED_WORDS``); never across a paragraph break. The margins are in the units of the sentence score (the head's log-odds scaled to the
    spread of the hand-weighted sum they were set on); measured in ``eval/results/sentence_head.md``.

    >>> u = [ScoredUnit(0, 9, 0.50, 20, False, True), ScoredUnit(10, 19, 0.2, 20, False), ScoredUnit(20, 29, 0.1, 20, False)]
    >>> best_span(u)  # announces: joined with the next sentence although it scores far lower
    (0, 1)
    >>> best_span([ScoredUnit(0, 9, 0.5, 20, False), ScoredUnit(10, 19, 0.45, 20, False), ScoredUnit(20, 29, 0.1, 20, False)])
    (0, 1)
    >>> best_span([ScoredUnit(0, 9, 0.5, 20, False), ScoredUnit(10, 19, 0.2, 20, False)])
    (0, 0)
    >>> best_span([ScoredUnit(0, 9, 0.5, 20, False), ScoredUnit(11, 19, 0.45, 20, False, starts_paragraph=True)])
    (0, 0)
    """
    best = best_unit(units) if best is None else best
    n = len(units)
    after = best + 1 if best + 1 < n and not units[best + 1].starts_paragraph else None
    before = best - 1 if best > 0 and not units[best].starts_paragraph else None
    if units[best].announces and after is not None:
        return best, after
    nbrs = [i for i in (before, after) if i is not None]
    if not nbrs:
        return best, best
    nb = max(nbrs, key=lambda i: (units[i].score, -i))
    if units[best].words < SHORT_WORDS or (
            units[nb].score >= units[best].score - JOIN_MARGIN and not units[nb].procedural
            and units[best].words + units[nb].words <= MAX_JOINED_WORDS):
        return min(best, nb), max(best, nb)
    return best, best


def passage(units: list[ScoredUnit], budget: int = PASSAGE_CHARS, max_per_turn: int = 2) -> tuple[int, int] | None:
    """The span of whole sentences around the turn's quotes (:func:`quote_groups` with ``max_per_turn``, as
    :func:`select_quotes` cuts them): it always holds every quote of the turn and the sentences between them,
    and grows a sentence at a time, the one after first, while it stays within ``budget`` characters (quotes
    further apart than that give a longer passage that does not grow).

    >>> u = [ScoredUnit(0, 10, 0.1, 2, False), ScoredUnit(11, 20, 0.9, 2, False), ScoredUnit(21, 30, 0.2, 2, False)]
    >>> passage(u, budget=20)
    (11, 30)
    >>> u = [ScoredUnit(0, 10, 0.85, 20, False), ScoredUnit(11, 20, 0.1, 20, False), ScoredUnit(21, 30, 0.9, 20, False)]
    >>> passage(u, budget=30)  # the second quote (0) and the first (2) fit together
    (0, 30)
    >>> passage(u, budget=10)  # they do not: the passage still holds both
    (0, 30)
    """
    if not units:
        return None
    groups = quote_groups(units, max_per_turn)
    both = [i for _top, g in groups for i in g]
    # A reader of the passage must find in it what was quoted from the turn, so the budget bounds only the
    # growing: a second quote 1,500 characters from the first used to be left out of it.
    lo, hi = min(both), max(both)
    while True:
        grew = False
        for cand in (hi + 1, lo - 1):  # after first: the sentence after the best one usually explains it
            if 0 <= cand < len(units) and max(units[hi].end, units[cand].end) - min(units[lo].start, units[cand].start) <= budget:
                lo, hi, grew = min(lo, cand), max(hi, cand), True
        if not grew:
            return units[lo].start, units[hi].end


def _dedupe(quotes: list[Quote]) -> list[Quote]:
    """Drop a quote whose text was already quoted (the ministry repeats its lines from turn to turn)."""
    seen: set[str] = set()
    out = []
    for q in quotes:
        key = " ".join(q.text.split())
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out


def _first_sentence(h: Hit) -> Quote:
    canon, t = h.source.canonical, h.turn
    s, e = sentence_spans(canon[t.start:t.end], t.start)[0]
    return Quote(0, s, e, canon[s:e], h)


def _score(result: SearchResult, texts: list[str], encoder, dense_mask: np.ndarray,  # noqa: ANN001
           first: np.ndarray) -> np.ndarray:
    """Cosine to the question (where ``dense_mask`` and an encoder allow) plus term overlap,
    plus a small bonus for the first sentence of a chunk (where answers usually state the position)."""
    qtok = set(bm25_tokens(result.question))
    lex = np.array([len(qtok & set(bm25_tokens(t))) / max(len(qtok), 1) for t in texts], dtype=np.float32)
    sims = np.zeros(len(texts), dtype=np.float32)
    if encoder is not None and result.query_vector is not None and dense_mask.any():
        idx = np.flatnonzero(dense_mask)
        sims[idx] = encoder.encode([texts[i] for i in idx]) @ result.query_vector
    return sims + 0.3 * lex + 0.03 * first


def _merge(spans: list[tuple[int, int]], canonical: str) -> list[tuple[int, int]]:
    """Join sentence spans that are adjacent in the text (only whitespace between them)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and canonical[out[-1][1]:s].strip() == "" and "\n" not in canonical[out[-1][1]:s]:
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]
