"""Each English turn's Chinese original: a monotonic alignment of two transcripts of one day.

The Chinese transcript is the original and the English one its translation, in the same order, but
not always cut into the same turns: the English page may split an exchange the Chinese page keeps as
one turn ("By whom?" / "I don't know." inside one Chinese answer), both pages may append a closing
announcement to the last answer or not, and either page may lack a turn. So the alignment is a
dynamic programme over the two lists of turns (Needleman-Wunsch) whose steps are:

=============  ==========================================================  =====================
step           meaning                                                     prior (log)
=============  ==========================================================  =====================
1 : 1          an English turn and its Chinese turn                        0
k : 1          k English turns (k <= 4) held by one Chinese turn           -2.0 per extra turn
1 : 2          one English turn held by two Chinese turns                  -2.5
1 : 0, 0 : 1   a turn without counterpart                                  -3.5 (English), -3.0
=============  ==========================================================  =====================

each step scored by :func:`rag.align.evidence.pair_score` (a log-likelihood ratio; the priors were
set by hand and checked on ``eval/align``, the evidence's weights were fitted). The best path is
the most likely alignment; an English turn's **confidence** compares the best path with the best
path that gives the turn any *other* counterpart (or none): ``1 / (1 + exp(-margin))`` where
``margin`` is the difference of their log scores (forward and backward passes give every step's
best path at once). Order is evidence by itself: a short "No, we are not." between two certain
neighbours can only be the Chinese turn between theirs, and its confidence says so.

A 1 : 2 step gives the English turn the Chinese turn with its question; a statement (no question)
gets the part that holds two thirds of the Chinese text, else none ("spans two Chinese turns").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..records import Source
from .dp import Step, best, confidence
from .evidence import Side, day, joined, pair_score, side

G_EN, G_ZH = -3.5, -3.0  # a turn without counterpart (English, Chinese)
G_MERGE = -2.0  # each further English turn held by the same Chinese turn
G_SPLIT = -2.5  # one English turn held by two Chinese turns
MAX_MERGE = 4
# Calibrated on eval/align (see its README): below this, an alignment is reported as ambiguous.
THRESHOLD = 0.95
# The summed evidence (log-likelihood ratio, without priors) of the turns a page pair aligns with
# confidence must reach this. Over the corpus a page and its translation have 4.7 or more (a one-turn
# remarks page; 13.8 or more from three turns), a page and another page of the same day 1.7 or less.
MIN_SUPPORT = 4.0
# More than this share of the English turns must find their Chinese turn. Paired with the next day's
# conference instead of its own, an English page finds at most half of its turns there (stories go on
# from day to day); with its own, 71 % or more (all but the odd one on all but one day).
MIN_SHARE = 0.5
_NONE, _SPAN = -1, -2  # assignment keys: no counterpart; spread over two Chinese turns


@dataclass(frozen=True)
class TurnAlignment:
    """The Chinese original of one English turn, or why there is none.

    ``zh_turn_id``/``zh_source`` are None when no counterpart was found with confidence; ``confidence``
    is how sure the aligner is of what it reports (of the counterpart, or of there being none);
    ``reason`` says in words what was found.
    """

    en_turn_id: str
    zh_turn_id: str | None
    zh_source: str | None
    confidence: float
    reason: str


def _steps(en: Sequence[Side], zh: Sequence[Side], en_questions: Sequence[bool]) -> list[Step]:
    """Every step the programme may take, within a band around the diagonal."""
    n, m = len(en), len(zh)
    band = 5 + abs(n - m)
    ctx = day(en, zh)
    steps = []
    for i in range(n + 1):
        centre = i * m / n if n else 0
        for j in range(max(0, int(centre) - band), min(m, int(centre + band)) + 1):
            if i < n:
                steps.append(Step(i, j, 1, 0, G_EN, _NONE, G_EN))
            if j < m:
                steps.append(Step(i, j, 0, 1, G_ZH, _NONE, G_ZH))
            if i < n and j < m:
                for k in range(1, min(MAX_MERGE, n - i) + 1):
                    joint = en[i] if k == 1 else joined(en[i:i + k])
                    steps.append(Step(i, j, k, 1, pair_score(joint, zh[j], ctx) + (k - 1) * G_MERGE, j, (k - 1) * G_MERGE))
                if j + 1 < m:
                    score = pair_score(en[i], joined(zh[j:j + 2]), ctx) + G_SPLIT
                    if en_questions[i]:
                        target = j
                    else:
                        a, b = zh[j].a_len, zh[j + 1].a_len
                        target = j if a >= 2 * b else j + 1 if b >= 2 * a else _SPAN
                    steps.append(Step(i, j, 1, 2, score, target, G_SPLIT))
    return steps


def _align(en: Source, zh: Source, en_sides: Sequence[Side], zh_sides: Sequence[Side],
           threshold: float) -> tuple[float, float, float, list[TurnAlignment]]:
    """How much better than no alignment at all the best alignment of ``en``'s turns to ``zh``'s is;
    how much the content alone supports it (the summed evidence of the steps of the English turns it
    aligns with confidence); the share of English turns it so aligns; and the alignments."""
    n, m = len(en_sides), len(zh_sides)
    steps = _steps(en_sides, zh_sides, [bool(t.question) for t in en.turns])
    per_turn = best(steps, n, m)
    total = max(v for v, _ in per_turn[0].values()) if n else 0.0  # every path covers turn 0
    out, support = [], []
    for i, turn in enumerate(en.turns):
        target, conf = confidence(per_turn[i])
        if target >= 0 and conf >= threshold:
            support.append(per_turn[i][target][1])
            zt = zh.turns[target]
            out.append(TurnAlignment(turn.turn_id, zt.turn_id, zh.source, conf, "aligned"))
        elif target >= 0:
            out.append(TurnAlignment(turn.turn_id, None, None, conf,
                                     f"ambiguous: best candidate {zh.turns[target].turn_id} at confidence {conf:.2f}"))
        elif conf < threshold:
            out.append(TurnAlignment(turn.turn_id, None, None, conf, "ambiguous: no Chinese turn matches with confidence"))
        elif target == _SPAN:
            out.append(TurnAlignment(turn.turn_id, None, None, conf,
                                     "English turn spans two Chinese turns, neither holds most of it"))
        else:
            out.append(TurnAlignment(turn.turn_id, None, None, conf,
                                     "English turn has no counterpart (answer missing in Chinese)"))
    return total - (n * G_EN + m * G_ZH), sum(support), len(support) / max(n, 1), out


def align_sources(en: Source, zh: Source, *, threshold: float = THRESHOLD) -> list[TurnAlignment]:
    """Each turn of the English transcript ``en`` with its turn of the Chinese transcript ``zh`` of the
    same day (conference with conference, remarks with remarks), in English turn order.

    >>> from rag.records import Source, Turn
    >>> def src(name, lang, turns):
    ...     ts = tuple(Turn(f"{name}:{n}", name, n, "answer", None, None, q, None, None, 0, len(a), a)
    ...                for n, (q, a) in enumerate(turns, 1))
    ...     return Source(name, "", None, "2019-05-06", False, None, None, "conference", ts, lang=lang)
    >>> en = src("t1", "en", [("Will the delegation go to Washington this week?",
    ...                        "As I just said, the Chinese delegation is preparing to travel to the US."),
    ...                       ("Forty-one people were killed on a Russian plane on Sunday. Any comment?",
    ...                        "We are deeply saddened by the heavy casualties and mourn the victims.")])
    >>> zh = src("t2", "zh", [("中方是否还会于本周赴华盛顿磋商？", "我刚才已经说过了，中方团队正在准备赴美磋商。"),
    ...                       ("周日，一架俄罗斯客机起火，造成41名乘客遇难。你对此有何评论？",
    ...                        "我们对这一不幸事件深感痛心，对遇难者表示哀悼。")])
    >>> [(a.en_turn_id, a.zh_turn_id, a.confidence > 0.99) for a in align_sources(en, zh)]
    [('t1:1', 't2:1', True), ('t1:2', 't2:2', True)]
    """
    if en.date and zh.date and en.date != zh.date:
        return [TurnAlignment(t.turn_id, None, None, 1.0, f"the Chinese page is of {zh.date}, not {en.date}")
                for t in en.turns]
    return _checked(en, [_align(en, zh, [side(t, "en") for t in en.turns], [side(t, "zh") for t in zh.turns],
                                threshold) + (zh,)], threshold)


def best_of(en: Source, candidates: Sequence[tuple[Source, Sequence[Side]]], threshold: float = THRESHOLD
            ) -> list[TurnAlignment]:
    """Align ``en`` with the one of several same-day Chinese pages that fits it clearly best
    (a day's remarks page among the single-topic ones); all unaligned when none or two fit."""
    en_sides = [side(t, "en") for t in en.turns]
    return _checked(en, [(*_align(en, zh, en_sides, sides, threshold), zh) for zh, sides in candidates], threshold)


def _checked(en: Source, tried: list[tuple[float, float, float, list[TurnAlignment], Source]], threshold: float
             ) -> list[TurnAlignment]:
    """The alignment with the Chinese page that fits best, if it is the page's translation: its turns'
    own evidence must carry it (:data:`MIN_SUPPORT`; order and priors alone would pair any two pages
    turn by turn), more than half of the English turns must find their turn (another day's conference
    shares a few topics, not most), and it must beat the runner-up page with confidence."""
    tried = sorted(tried, key=lambda r: -r[0])
    gain, support, share, result, zh = tried[0]
    if gain <= 0 or support < MIN_SUPPORT or share <= MIN_SHARE:
        return [TurnAlignment(t.turn_id, None, None, 1.0, f"the Chinese page of that day ({zh.source}) does not match")
                for t in en.turns]
    if len(tried) > 1 and (sure := confidence({0: (gain, 0.0), 1: (tried[1][0], 0.0)})[1]) < threshold:
        return [TurnAlignment(t.turn_id, None, None, sure,
                              f"ambiguous: two Chinese pages of that day fit ({zh.source}, {tried[1][4].source})")
                for t in en.turns]
    return result
