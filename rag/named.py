"""Turns that name every word of a short question: what a timeline counts for a name ("Kovrig and Spavor").

The timeline counts a turn when its fused score (cosine + BM25 share) reaches a threshold calibrated on topic
questions (:mod:`rag.timeline`). A rare name is a poor fit for that score: MiniLM reads "Kovrig" as word pieces, so
the 36 turns of the 500-page archive that name him have a median cosine of 0.26 with the question "Kovrig and
Spavor", and one of them reached the threshold. Yet a turn that names both men, in the journalist's question or
the answer, is plainly about their case. So a question of at most :data:`MAX_WORDS` words besides stop words also
counts every turn holding all of them, when they are *specific*: the turns holding them all are at most
:data:`MAX_SHARE` of the archive's. A common word ("China", "cooperation", "trade" alone) runs through the archive,
and its mentions in passing would swamp the bars: those questions are left to the score. The share is the whole
archive's, not the filtered slice's, so a word in August 2019 is read as over all years ("Hong Kong", in 7 % of
the 500-page archive's turns, is left to the score; the timeline then says how many turns name it). Words
written next to each other in the question ("trade war", "Meng Wanzhou", "Nobel Peace Prize") must be next to each
other in the turn too (a turn on trade talks that mentions a war elsewhere is not about the trade war); words joined
by "and" ("Kovrig and Spavor", "Belt and Road") may be anywhere in it.

The words that frame a question rather than name its topic ("What did China say about …", "the ministry's
position on …") are not required (:data:`FRAME`). Words are matched as the keyword search matches them
(:func:`rag.text.bm25_tokens`: lower case, stemmed) in each turn's whole question and answer (:class:`TurnWords`,
tokenised once per index); words in capitals as written (:func:`acronyms`).

    >>> key_words("Kovrig and Spavor")
    [('Kovrig', 'kovrig'), ('Spavor', 'spavor')]
    >>> key_words("What did China say about the drills around Taiwan?")
    [('drills', 'drill'), ('Taiwan', 'taiwan')]
    >>> phrases("the trade war and Meng Wanzhou"), phrases("Kovrig and Spavor")
    ([('trade', 'war'), ('meng', 'wanzhou')], [])
    >>> shown_words("What did China say about Meng Wanzhou and Kovrig in 2019?")
    ('Meng Wanzhou', 'Kovrig')
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .text import bm25_tokens

MAX_WORDS = 3  # "Kovrig and Spavor", "Huawei and 5G", "Belt and Road Initiative"; a sentence is left to the score
MAX_SHARE = 0.05  # of the archive's turns: "Kovrig" (under 1 %), "Pompeo" (4 %) pass; "Hong Kong" (7 %) does not

# Words that frame a question about a name instead of naming it; as stemmed tokens.
# Words of time: the time phrase is a filter, not a topic ("Kovrig and Spavor in 2019", "Huawei last summer").
TIME = frozenset(bm25_tokens(
    "last this next past year years month months week weeks summer winter spring autumn fall ago today yesterday "
    "early late mid start beginning end half quarter since after before until till during between from through up "
    "over first second third fourth Q1 Q2 Q3 Q4 one two three four five six seven eight nine ten eleven twelve few "
    "several January February March April May June July August September October November December Jan Feb Mar "
    "Apr Jun Jul Aug Sep Sept Oct Nov Dec"))
_YEAR = re.compile(r"(?:19|20)\d\d")
# Stop words are dropped already; these are the asking words the keyword search keeps ("WHO" is a name, kept).
FRAME = frozenset(bm25_tokens(
    "China Chinese say said says comment comments position stance view views react reaction respond response "
    "responded spokesperson spokespersons ministry statement statements what did does do about has have had how "
    "why when where whom which were it those any anything tell told think regarding concerning latest recent "
    "recently ever please can could would around against amid among near toward towards within without across "
    "along via upon onto"))
# A word: letters and digits, an inner apostrophe kept ("O'Brien"), a possessive "'s" left out ("Kovrig's").
_WORD = re.compile(r"\w+(?:['\u2019](?!s\b)\w+)*")


def _topical(tok: str) -> bool:
    return tok not in FRAME and tok not in TIME and not _YEAR.fullmatch(tok)


# Framing and time words that are part of a name when capitalised beside another capitalised word.
_IN_NAMES = TIME | frozenset(bm25_tokens("China Chinese"))


def _runs(text: str) -> list[tuple[int, int, list[str]]]:
    """The key words of ``text`` in runs written next to each other (a space, hyphen or possessive between) and
    alike in case: ``(start, end, tokens)`` of each run, single words included. "trade war" and "Meng Wanzhou" are
    runs; in "Meng Wanzhou's extradition" the name is one and "extradition" another (the turn may say "the
    extradition of Meng Wanzhou"). A time word or "China" is kept inside a name of capitalised words ("East China
    Sea", "Spring Festival", "USA Today"), where it is part of what is named."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)
             if not (m.group().lower() == "s" and text[m.start() - 1:m.start()] in ("'", "\u2019"))]
    joined = [i > 0 and re.fullmatch(r"(?:['\u2019]s)?[\s\-]+", text[words[i - 1][1]:words[i][0]]) is not None
              for i in range(len(words))]  # word i follows word i - 1 with nothing but a space, hyphen or 's
    caps = [w[0].isupper() for _, _, w in words]
    out: list[tuple[int, int, list[str]]] = []
    last = -2  # index of the last word kept
    for i, (a, b, w) in enumerate(words):
        in_name = caps[i] and ((joined[i] and caps[i - 1]) or (i + 1 < len(words) and joined[i + 1] and caps[i + 1]))
        hyphen = i > 0 and text[words[i - 1][1]:a] == "-"  # "COVID-19", "Sino-US": one word, whatever the case
        after_hyphen = i + 1 < len(words) and text[b:words[i + 1][0]] == "-"
        # a bare number is a date's or a count's ("June 4", "three years"), not a name; "COVID-19" keeps its own
        toks = [t for t in bm25_tokens(w) if (_topical(t) or (in_name and t in _IN_NAMES))
                and (not t.isdigit() or hyphen or after_hyphen)]
        if not toks:
            continue
        if out and last == i - 1 and joined[i] and (caps[i] == caps[i - 1] or hyphen):
            out[-1] = (out[-1][0], b, out[-1][2] + toks)
        else:
            out.append((a, b, toks))
        last = i
    return out


def key_words(text: str) -> list[tuple[str, str]]:
    """The words of ``text`` the keyword search uses, each with its token (first spelling of each token kept)."""
    out: dict[str, str] = {}
    for a, b, toks in _runs(text):
        for tok in toks:
            out.setdefault(tok, text[a:b])
    return [(w, t) for t, w in out.items()]


def phrases(text: str) -> list[tuple[str, ...]]:
    """Runs of two or more key words of ``text`` written next to each other, as tokens."""
    return [tuple(toks) for _, _, toks in _runs(text) if len(toks) > 1]


def shown_words(text: str) -> tuple[str, ...]:
    """The key words of ``text`` as a reader would name them, runs kept together: ``("Meng Wanzhou",)``."""
    return tuple(dict.fromkeys(text[a:b] for a, b, _ in _runs(text)))


# Abbreviations whose full stop ends no sentence ("Mr. Skripal", "Dr. Tedros"), for :func:`capitalised`.
_TITLE = r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Amb|St|Lt|Col|Maj|Capt|Jr|Sr)|\b[A-Z])\."
_TITLE_DOT = re.compile(_TITLE)
_TITLE_WORDS = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof", "Madam", "Madame"})  # titles with no full stop ("Mrs May")
_SENTENCE_START = re.compile(r"(?:^|[.?!:;]\s+)\W*")  # where a sentence's first word begins (after quotes, brackets)


def capitalised(text: str) -> list[tuple[str, int, list[str], bool]]:
    """The key words of ``text`` written with a capital (names, acronyms): ``(word, start, tokens, initial)``,
    ``initial`` when the word opens a sentence (its capital may be the sentence's, not a name's).

    >>> [(w, i) for w, _, _, i in capitalised("Report: what did China say about Mr. Skripal and the WHO in May?")]
    [('Report', True), ('Skripal', False), ('WHO', False)]
    """
    # sentence starts found once (not by re-reading the text before every word): not after a title's full stop
    starts = {m.end() for m in _SENTENCE_START.finditer(text)
              if m.start() == 0 or not _TITLE_DOT.match(text, _title_start(text, m.start()))}
    out = []
    for a, b, _ in _runs(text):
        for m in _WORD.finditer(text, a, b):
            w = m.group()
            toks = [t for t in bm25_tokens(w) if _topical(t)]
            if w[:1].isupper() and toks and not _TITLE_DOT.match(text, m.start()) and w not in _TITLE_WORDS:
                out.append((w, m.start(), toks, m.start() in starts))
    return out


def _title_start(text: str, dot: int) -> int:
    """Where the word ending at the full stop at ``dot`` begins."""
    i = dot
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return i


def turn_tokens(text: str) -> list[str]:
    """A turn's words as :func:`phrases` compares them (the "s" of possessives left out).

    >>> turn_tokens("Meng Wanzhou's case, O'Brien")
    ['meng', 'wanzhou', 'case', 'o', 'brien']
    """
    return bm25_tokens(re.sub(r"['\u2019]s\b", "", text))


def holds_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` occurs in the token sequence ``tokens`` (both as :func:`rag.text.bm25_tokens` gives them)."""
    n = len(phrase)
    return any(tuple(tokens[i:i + n]) == phrase for i in range(len(tokens) - n + 1))


class TurnWords:
    """The words of each turn of an index (its journalist's question and its answer, whole: the keyword index holds
    only the first 80 tokens of a question), tokenised on first use and kept.

    >>> w = TurnWords(["Kovrig's case.", "The WHO said so."])
    >>> w.tokens(0), "who" in w.token_set(1), w.text(1)
    (['kovrig', 'case'], True, 'The WHO said so.')
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts
        self._tokens: dict[int, list[str]] = {}
        self._sets: dict[int, frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def text(self, i: int) -> str:
        return self._texts[i]

    def tokens(self, i: int) -> list[str]:
        if i not in self._tokens:
            self._tokens[i] = turn_tokens(self._texts[i])
        return self._tokens[i]

    def token_set(self, i: int) -> frozenset[str]:
        if i not in self._sets:
            self._sets[i] = frozenset(self.tokens(i))
        return self._sets[i]


def acronyms(text: str) -> list[str]:
    """Words of ``text`` written in capitals, matched as written ("WHO" is not "who"; "UN" is not "Kim Jong Un").

    >>> acronyms("WHO and the UN on COVID-19, says Xinhua")
    ['WHO', 'UN', 'COVID']
    """
    return [w for w in dict.fromkeys(_WORD.findall(text)) if len(w) > 1 and w.isalpha() and w.isupper()
            and any(_topical(t) for t in bm25_tokens(w))]


def naming_turns(words: TurnWords, tokens: list[str], runs: Sequence[tuple[str, ...]] = (),
                 exact: Sequence[str] = (), *, allowed: np.ndarray | None = None,
                 max_share: float | None = MAX_SHARE) -> np.ndarray | None:
    """Which turns of ``words`` hold every token, every run of ``runs`` (:func:`phrases`) in order and every word
    of ``exact`` (:func:`acronyms`) as written; None when the rule does not apply: no token, more than
    :data:`MAX_WORDS`, or the turns holding them all are more than ``max_share`` of all turns (None: any share).
    ``allowed`` (turns inside the filters) limits what is returned, not the share, which is the archive's."""
    n = len(words)
    if not tokens or len(tokens) > MAX_WORDS or n == 0:
        return None
    held = np.array([all(t in words.token_set(i) for t in tokens) for i in range(n)], dtype=bool)
    pats = [re.compile(rf"(?<!\w){re.escape(w)}(?!\w)") for w in exact]
    for i in np.flatnonzero(held):
        held[i] = all(holds_phrase(words.tokens(int(i)), r) for r in runs) and \
            all(p.search(words.text(int(i))) for p in pats)
    if max_share is not None and not specific(held, max_share):
        return None
    return held if allowed is None else held & allowed


def specific(held: np.ndarray, max_share: float = MAX_SHARE) -> bool:
    """Whether the turns ``held`` (of all the archive's) are few enough for the rule: at most ``max_share``."""
    return bool(held.sum() <= max_share * len(held))
