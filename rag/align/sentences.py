"""The Chinese sentence(s) of a short English quote, inside the Chinese turn it was aligned with.

The sentences of the English turn and of the Chinese turn are aligned like the turns of a day
(:mod:`rag.align.dp`), with steps of one to three sentences a side (a Chinese sentence often holds
two English ones, or the reverse) scored by :func:`rag.align.evidence.pair_score`: length against the
turn's own characters-per-word ratio, names and numbers. Paragraphs are evidence too: when both turns
have the same number of paragraphs, a sentence stays in the paragraph of the same rank.

The quote's Chinese span is returned only when every English sentence of the quote has its Chinese
sentence(s) with confidence (:data:`THRESHOLD`); otherwise None, and the caller shows the whole
Chinese answer. A Chinese sentence ends at 。！？； (with any closing quotes or brackets after it) or at
a paragraph break.

    >>> en = "We noted the reports. China firmly opposes the US arms sales to Taiwan. We urge the US to stop."
    >>> zh = "我们注意到有关报道。中方坚决反对美国售台武器。我们敦促美方停止。"
    >>> start, end = align_sentences("China firmly opposes the US arms sales to Taiwan.", zh, 100, en_turn_text=en)
    >>> zh[start - 100:end - 100]
    '中方坚决反对美国售台武器。'
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable

from ..text import paragraph_spans, sentence_spans
from .dp import Step, best, confidence
from .evidence import Day, Side, day, joined, pair_score, tokens

THRESHOLD = 0.95
MAX_QUOTE_SENTENCES = 2  # a longer quote gets the whole Chinese answer
# (English sentences, Chinese sentences) of a step, and its prior (log).
_SHAPES = {(1, 1): 0.0, (1, 2): -1.5, (2, 1): -1.5, (2, 2): -3.0, (1, 3): -3.0, (3, 1): -3.0,
           (1, 0): -6.0, (0, 1): -6.0}
_CROSS = -4.0  # a step whose sentences lie in two paragraphs of one side only (paragraphs agree)
_ZH_END = re.compile(r"[。！？；!?]+[”’」』）)》\"']*|\n\s*\n")
_ZH_UNITS = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9]+")


def zh_sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of a Chinese text, without surrounding whitespace.

    >>> text = "中方对此坚决反对。美方应当：第一，停止干涉；第二，“不要”误判！"
    >>> [text[s:e] for s, e in zh_sentence_spans(text)]
    ['中方对此坚决反对。', '美方应当：第一，停止干涉；', '第二，“不要”误判！']
    """
    spans, start = [], 0
    for m in (*_ZH_END.finditer(text), None):
        end = len(text) if m is None else (m.start() if m.group().startswith("\n") else m.end())
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        if m is not None:
            start = m.end()
    return spans


def _side(text: str, lang: str) -> Side:
    length = len(text.split()) if lang == "en" else len(_ZH_UNITS.findall(text))
    return Side(0, length, frozenset(), tokens(text, lang), None, "answer", False)


def _paragraph_of(spans: list[tuple[int, int]], text: str) -> list[int]:
    paras = paragraph_spans(text)
    return [next((k for k, (ps, pe) in enumerate(paras) if ps <= s < pe), 0) for s, _ in spans]


def _steps(en: list[Side], zh: list[Side], en_par: list[int], zh_par: list[int], ctx: Day) -> list[Step]:
    n, m = len(en), len(zh)
    agree = max(en_par, default=0) == max(zh_par, default=0) > 0
    steps = []
    for i in range(n + 1):
        for j in range(m + 1):
            for (di, dj), prior in _SHAPES.items():
                if i + di > n or j + dj > m:
                    continue
                if di and dj:
                    score = prior + pair_score(joined(en[i:i + di]), joined(zh[j:j + dj]), ctx)
                    if agree and (len(set(en_par[i:i + di])) > 1 or len(set(zh_par[j:j + dj])) > 1
                                  or en_par[i] != zh_par[j]):
                        score += _CROSS
                else:
                    score = prior
                steps.append(Step(i, j, di, dj, score, (j, j + dj) if dj and di else None, prior))
    return steps


def align_sentences(en_quote: str, zh_turn_text: str, zh_turn_start: int, *,
                    en_turn_text: str | None = None, en_quote_start: int | None = None,
                    threshold: float = THRESHOLD) -> tuple[int, int] | None:
    """Offsets ``(start, end)`` into the Chinese canonical text of the sentence(s) that translate
    ``en_quote`` (one or two English sentences), or None when they are not certain.

    ``zh_turn_text`` is the aligned Chinese turn's text, which starts at ``zh_turn_start`` of its
    canonical text, so ``canonical[start:end]`` is a verbatim span of it. ``en_turn_text``, the English
    turn the quote was cut from, is needed: the quote's place among the turn's sentences is most of
    the evidence (without it, or when the quote is not in it, the answer is None). ``en_quote_start``
    is where the quote starts in ``en_turn_text`` (a citation's ``start - turn_start``); without it the
    quote is looked for, and a quote found twice ("The facts are clear.") gets None. ``threshold`` is
    the confidence each of the quote's sentences needs.
    """
    quote = en_quote.strip()
    if not quote or not en_turn_text:
        return None
    if en_quote_start is not None:
        at = en_turn_text.find(quote, en_quote_start, en_quote_start + len(en_quote))
    else:
        at = en_turn_text.find(quote)
        if at >= 0 and en_turn_text.find(quote, at + 1) >= 0:
            return None
    if at < 0:
        return None
    en_spans = sentence_spans(en_turn_text) or [(0, len(en_turn_text))]
    zh_spans = zh_sentence_spans(zh_turn_text)
    wanted = [k for k, (s, e) in enumerate(en_spans) if s < at + len(quote) and e > at]
    if not wanted or len(wanted) > MAX_QUOTE_SENTENCES or not zh_spans:
        return None
    en = [_side(en_turn_text[s:e], "en") for s, e in en_spans]
    zh = [_side(zh_turn_text[s:e], "zh") for s, e in zh_spans]
    ctx = day(en, zh)
    ctx = Day(ctx.weight, _turn_ratio(en, zh))
    steps = _steps(en, zh, _paragraph_of(en_spans, en_turn_text), _paragraph_of(zh_spans, zh_turn_text), ctx)
    per_sentence = best(steps, len(en), len(zh))
    ranges: list[Hashable] = []
    for k in wanted:
        target, conf = confidence(per_sentence[k])
        if target is None or conf < threshold:
            return None
        ranges.append(target)
    first, last = min(r[0] for r in ranges), max(r[1] for r in ranges)
    return zh_turn_start + zh_spans[first][0], zh_turn_start + zh_spans[last - 1][1]


def _turn_ratio(en: list[Side], zh: list[Side]) -> float:
    """The mean log length ratio of this turn's sentences: its own translation's ratio."""
    return math.log((sum(s.a_len for s in zh) + 8) / (sum(s.a_len for s in en) + 5))
