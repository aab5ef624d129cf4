"""How much an English turn and a Chinese turn look like one exchange: a log-likelihood ratio.

:func:`pair_score` compares an English turn (or several, joined) with a Chinese turn and returns
``log P(evidence | same exchange) - log P(evidence | two exchanges of the same day)``:

* **length** — Chinese characters against English words: log((zh + 8) / (en + 5)) is 0.40 for a
  turn and its translation on average, but each day has its own mean (one translator is terser than
  another: 0.2 to 0.6), which the day's total lengths give; around it a turn's spread is 0.07 for long
  answers and 0.19 for fifteen words, while two turns of one day spread 1.17 (answers) and 0.65
  (questions);
* **names and numbers** — the :mod:`rag.align.names` concepts and the numbers of both texts
  (``$200 billion`` is ``2000亿美元``, ``May 6`` is ``5月6日``), each weighted by how rare it is that day
  (a name every turn mentions says little); shared ones count for, one-sided ones against;
* **outlet** of the question (canonical in both languages), **kind** (statement or answer) and
  **after the conference**: agreeing or not.

The weights come from a logistic regression over the 478 conferences of 2018-2020 whose English and
Chinese pages have the same number of turns, the n-th turn taken as the n-th turn's translation and
every other same-day pair as a non-match (4,646 against 43,706 pairs); the lengths' coefficients came
out near 1 (0.9, 0.8), i.e. the Gaussian model above is calibrated. A length says at most 8 against a
pair when the Chinese is the longer (the English translation is sometimes shortened) but up to 20 when
the English is longer than its Chinese could be (it then holds something the Chinese turn lacks).

    >>> numbers_en("On May 6, $200 billion, 25 percent and Forty-one people; COVID-19")
    [5.0, 6.0, 25.0, 41.0, 200000000000.0]
    >>> numbers_zh("5月6日，2000亿美元，税率25%，41名乘客")
    [5.0, 6.0, 25.0, 41.0, 200000000000.0]
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..records import Turn
from .names import concepts_en, concepts_zh

_MONTHS = {m: i for i, m in enumerate(("january february march april may june july august september "
                                        "october november december").split(), start=1)}
_MAGNITUDE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine".split())}
_TEENS = {w: i for i, w in enumerate("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen "
                                     "nineteen".split(), start=10)}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_WORDS = {**_UNITS, **_TEENS, **_TENS}
_MONTH_ALT = "|".join(_MONTHS)
_MAG_ALT = "|".join(_MAGNITUDE)
# A day next to a month ("6 may"; "may 6" below), a figure (with a magnitude), a number word (small
# ones only before a magnitude: "one" is rarely a figure, "three million" is); the Chinese is 5月6日.
# Tried only at a word start whose first character can begin one of them (the text is lower-cased).
_NUM_EN_RE = re.compile(
    rf"(?<![\w.])(?=[\dzotfsenjmad])(?:(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH_ALT})\b"
    rf"|(?P<fig>\d+(?:\.\d+)?)(?:\s*(?P<fmag>{_MAG_ALT})\b)?"
    rf"|(?P<word>{'|'.join(_WORDS)})(?:-(?P<unit>{'|'.join(w for w in _UNITS if w != 'zero')}))?\b"
    rf"(?:\s+(?P<wmag>{_MAG_ALT})\b)?"
    rf"|(?P<month>{_MONTH_ALT})\s+(?P<day>\d{{1,2}})\b)")
# Digits that are part of a name, not a figure: COVID-19 is 新冠肺炎, G20 is 二十国集团.
_NOT_FIGURES_RE = re.compile(r"\bCOVID-19\b|\bG\d+\b|\b\d+G\b", re.IGNORECASE)
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3})")
_ZH_MAGNITUDE = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3}
_NUM_ZH_RE = re.compile(r"(\d+(?:\.\d+)?)(万亿|亿|万|千)?")
_ZH_UNITS_RE = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9]+")  # a Chinese character or a Latin/digit run


def numbers_en(text: str) -> list[float]:
    """The figures of an English text, sorted, as values (magnitudes applied, months as numbers)."""
    # Lower case (the pattern is written so): matching without IGNORECASE is several times faster.
    text = _THOUSANDS_RE.sub("", _NOT_FIGURES_RE.sub(" ", text)).lower()
    found: set[float] = set()
    for m in _NUM_EN_RE.finditer(text):
        if m["fig"]:
            found.add(float(m["fig"]) * _MAGNITUDE.get(m["fmag"] or "", 1))
        elif m["word"]:
            value = _WORDS[m["word"]] + (_UNITS[m["unit"]] if m["unit"] else 0)
            if m["wmag"]:
                found.add(float(value) * _MAGNITUDE[m["wmag"]])
            elif value > 10:  # "one", "two", "ten": words more often than figures ("one-China")
                found.add(float(value))
        else:
            found.add(float(_MONTHS[m["month"] or m["month2"]]))
            found.add(float(m["day"] or m["day2"]))
    return sorted(found)


def numbers_zh(text: str) -> list[float]:
    """The figures of a Chinese text written in digits, sorted, as values (万, 亿 applied)."""
    text = _THOUSANDS_RE.sub("", _NOT_FIGURES_RE.sub(" ", unicodedata.normalize("NFKC", text)))
    return sorted({float(m[1]) * _ZH_MAGNITUDE.get(m[2] or "", 1) for m in _NUM_ZH_RE.finditer(text)})


@dataclass(frozen=True)
class Side:
    """What the evidence reads of one turn (or of consecutive turns joined): lengths in words
    (English) or characters (Chinese), names and numbers of question and answer, labels."""

    q_len: int
    a_len: int
    q_tokens: frozenset[str]
    a_tokens: frozenset[str]
    outlet: str | None
    kind: str
    after_conference: bool


def tokens(text: str, lang: str, outlets: bool = False) -> frozenset[str]:
    """The names and numbers of a text (``lang`` "en" or "zh"); numbers as ``#value``.

    >>> sorted(tokens("Japan, 2019", "en")), sorted(tokens("日本，2019年", "zh"))
    (['#2019', 'Japan'], ['#2019', 'Japan'])
    """
    if not text:
        return frozenset()
    if lang == "en":
        return frozenset(concepts_en(text, outlets)) | frozenset(f"#{v:g}" for v in numbers_en(text))
    return frozenset(concepts_zh(text, outlets)) | frozenset(f"#{v:g}" for v in numbers_zh(text))


def side(turn: Turn, lang: str) -> Side:
    """The evidence of one turn; ``lang`` is its source's language ("en" or "zh")."""
    q, a = turn.question or "", turn.text
    if lang == "en":
        q_len, a_len = len(q.split()), len(a.split())
    else:
        q_len, a_len = len(_ZH_UNITS_RE.findall(q)), len(_ZH_UNITS_RE.findall(a))
    # Outlets named in the text are looked for in the question only (where they are named: "CNN
    # reported ..."): in answers they changed no alignment and took a third of the time.
    return Side(q_len, a_len, tokens(q, lang, True), tokens(a, lang), turn.outlet, turn.kind,
                turn.after_conference)


def joined(sides: Sequence[Side]) -> Side:
    """Consecutive turns as one: lengths added, names and numbers pooled, labels of the first."""
    first = sides[0]
    return Side(sum(s.q_len for s in sides), sum(s.a_len for s in sides),
                frozenset().union(*(s.q_tokens for s in sides)), frozenset().union(*(s.a_tokens for s in sides)),
                first.outlet, first.kind, first.after_conference)


# -- the fitted model (see the module docstring) --------------------------------------------------------
_MU = 0.40  # log((zh + 8) / (en + 5)) of a turn and its translation, on average over all days
_BACKGROUND_SD = {"a": 1.17, "q": 0.65}  # the same across two turns of one day
# A length alone never says more than this against a pair when the Chinese text is the longer one (the
# English translation is sometimes shortened), nor more than the second when the English is longer
# than its Chinese could be (the English then holds something the Chinese turn lacks).
_LENGTH_FLOOR, _LENGTH_FLOOR_SHORT_ZH = -8.0, -20.0
W_LENGTH_A, W_LENGTH_Q = 0.9, 0.8  # near 1: the length model is calibrated
W_SHARED, W_EN_ONLY, W_ZH_ONLY = 1.05, -0.72, -0.52  # per unit of rarity
# Set by hand, near what the regression gave for the outlet (1.9 and -2.9, from its 687 pairs with both
# outlets); kind and after-the-conference disagree on too few true pairs to fit.
W_OUTLET_SAME, W_OUTLET_OTHER = 2.0, -3.0
W_KIND_OTHER, W_AFTER_OTHER = -4.0, -3.0
BIAS = 0.6  # the regression's intercept less log(4,646 / 43,706), the share of matches among its pairs
# Outlets the two pages name differently for the same question (RIA Novosti on the English page is
# 今日俄罗斯 RT on the Chinese one; CNR and CRI, CCTV and CNR swap): no evidence either way.
_OUTLET_FAMILIES = ({"RIA Novosti", "RT", "Sputnik", "TASS"}, {"CCTV", "CNR", "CRI", "CGTN", "China Media Group"})


@dataclass(frozen=True)
class Day:
    """What one pair of transcripts sets for all its pairs: how rare each name or number is that day
    (log((turns + 1) / turns naming it)), and the day's length ratio (translators differ: one day's
    English runs 1.2 Chinese characters a word, another's 1.8)."""

    weight: dict[str, float]
    mu: float


def day(en: Sequence[Side], zh: Sequence[Side]) -> Day:
    """The :class:`Day` of two transcripts' turns."""
    df = Counter(t for s in (*en, *zh) for t in s.q_tokens | s.a_tokens)
    n = len(en) + len(zh) + 1
    ratio = math.log((sum(s.q_len + s.a_len for s in zh) + 8) / (sum(s.q_len + s.a_len for s in en) + 5))
    mu = min(max(_MU + 0.85 * (ratio - 0.39), 0.2), 0.6)  # the day's mean, from its total lengths
    return Day({t: math.log(n / c) for t, c in df.items()}, mu)


def length_llr(en_len: int, zh_len: int, part: str, mu: float = _MU) -> float:
    """Log-likelihood ratio of two lengths (``part`` "a" answer or "q" question; ``mu`` the day's mean).

    >>> round(length_llr(100, 170, "a"), 1), round(length_llr(100, 400, "a"), 1), round(length_llr(100, 50, "a"), 1)
    (1.6, -8.0, -20.0)
    """
    x = math.log((zh_len + 8) / (en_len + 5))
    # The spread around the day's mean: 0.07 for 300-word answers, 0.19 for 15 words (questions a bit more).
    sd = math.sqrt(0.0045 + 0.5 / (en_len + 5) + (0.005 if part == "q" else 0.0))
    bg = _BACKGROUND_SD[part]
    llr = -((x - mu) / sd) ** 2 / 2 - math.log(sd / bg) + ((x - mu) / bg) ** 2 / 2
    return max(llr, _LENGTH_FLOOR if x > mu else _LENGTH_FLOOR_SHORT_ZH)


def _outlet_llr(en: str | None, zh: str | None) -> float:
    if not en or not zh:
        return 0.0
    if en == zh:
        return W_OUTLET_SAME
    if any(en in f and zh in f for f in _OUTLET_FAMILIES):
        return 0.0
    return W_OUTLET_OTHER


def pair_score(en: Side, zh: Side, ctx: Day) -> float:
    """Log-likelihood ratio that ``en`` and ``zh`` are one exchange (positive: more likely than not).

    ``ctx`` is the :func:`day` of both transcripts.
    """
    weight = ctx.weight
    score = BIAS + W_LENGTH_A * length_llr(en.a_len, zh.a_len, "a", ctx.mu)
    if en.q_len and zh.q_len:
        score += W_LENGTH_Q * length_llr(en.q_len, zh.q_len, "q", ctx.mu)
    en_tokens, zh_tokens = en.q_tokens | en.a_tokens, zh.q_tokens | zh.a_tokens
    score += W_SHARED * sum(weight.get(t, 0.0) for t in en_tokens & zh_tokens)
    score += W_EN_ONLY * sum(weight.get(t, 0.0) for t in en_tokens - zh_tokens)
    score += W_ZH_ONLY * sum(weight.get(t, 0.0) for t in zh_tokens - en_tokens)
    score += _outlet_llr(en.outlet, zh.outlet)
    if en.kind != zh.kind:
        score += W_KIND_OTHER
    if en.after_conference != zh.after_conference:
        score += W_AFTER_OTHER
    return score
