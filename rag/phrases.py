"""Exact phrases: every verbatim occurrence of a phrase in the spokespersons' answers.

``find_phrase(index, "win-win")`` scans the answer span ``canonical[turn.start:turn.end]`` of every turn
of every source, and, counted apart, the journalists' questions (``question_start:question_end``).
Each occurrence keeps ``quote == source.canonical[start:end]``: the text as it stands, never retyped.

Matching rules (the phrase and the text are folded the same way, one character for one character):

* case: ``str.lower()`` (and ``İ`` U+0130 folds to ``i``, the one character whose lower case is longer), except
  that a phrase of one word in capitals ("WHO", "US") is matched only as written (not "who", "us");
* whitespace: any run of whitespace (``str.isspace()``: spaces, tabs, newlines, NBSP U+00A0, U+2000-U+200A,
  U+202F, U+3000, ...) matches one space of the phrase; the phrase is trimmed;
* single quotes and apostrophes ``‘ ’ ‚ ‛ ′ ʼ ＇`` (U+2018 U+2019 U+201A U+201B U+2032 U+02BC U+FF07) match ``'``;
  double quotes ``“ ” „ ‟ ″ ＂`` (U+201C U+201D U+201E U+201F U+2033 U+FF02) match ``"``; the hyphens
  U+2010 and U+2011 match ``-`` (en and em dashes are other punctuation and are not folded);
* words are whole: a phrase that starts (ends) with a letter, digit or ``_`` does not match inside a word
  ("one" does not match "someone"); occurrences do not overlap (left to right, as a regex scan).

Speed: the folded text of all answers (and of all questions) is built once per index and cached
(:func:`phrase_index`). On the 500-page index (501 transcripts, 4,851 turns, 4.4 M characters of answers),
measured on this shared 2-core machine: building it takes 0.4-1.1 s; then "win-win" (240 + 2 in questions)
takes 6-16 ms, "internal affairs" (409 + 16) 5-12 ms, and a stop word, "the" (50,707 + 14,303), 0.3-0.7 s,
most of it making the occurrence records. ``rag phrase`` spends about 3 s more loading the index files.

    >>> from types import SimpleNamespace
    >>> from rag.records import Source, Turn
    >>> text = "Q: And the deal?\\nA: It is WIN-WIN.\\nWin\\n-win? No: win–win."
    >>> t = Turn("s:1", "s.txt", 1, "answer", "Hua Chunying", None, "And the deal?", 3, 16, 20, len(text), "")
    >>> src = Source("s.txt", text, None, "2019-05-13", False, "Hua Chunying", None, "conference", (t,))
    >>> report = find_phrase(SimpleNamespace(sources={"s.txt": src}), "win-win")
    >>> report.count, [o.quote for o in report.occurrences]
    (1, ['WIN-WIN'])
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .errors import QueryError
from .filters import Filters, check_names, filter_mask

MIN_CHARS, MAX_CHARS = 2, 300

_FOLD = str.maketrans({**dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\uff07", "'"),
                       **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\uff02", '"'),
                       "\u2010": "-", "\u2011": "-", "\u0130": "I"})
_WS = re.compile(r"\s+")
_IS_SPACE = np.array([chr(c).isspace() for c in range(0x3002)], dtype=bool)  # none above U+3000; last: False
_QUOTED = re.compile(r"[\"\u201c\u201e\u201f\uff02]([^\"\u201c\u201d\u201e\u201f\uff02]+)[\"\u201d\u201c\u201f\uff02]")


def fold(text: str) -> str:
    """The text as phrases are matched: quotes folded, lower case, whitespace runs as one space."""
    return _WS.sub(" ", text.translate(_FOLD).lower())


def _fold_with_map(text: str) -> tuple[str, np.ndarray]:
    """``fold(text)`` and, for each of its characters, the offset in ``text`` it comes from."""
    low = text.translate(_FOLD).lower()  # one character for one (U+0130 is folded first)
    codes = np.frombuffer(low.encode("utf-32-le"), dtype=np.uint32).copy()
    space = _IS_SPACE[np.minimum(codes, len(_IS_SPACE) - 1)]
    keep = ~space
    keep[1:] |= space[1:] & ~space[:-1]  # the first character of each whitespace run stays, as " "
    keep[:1] |= space[:1]
    codes[space] = 32
    return codes[keep].tobytes().decode("utf-32-le"), np.flatnonzero(keep)


@dataclass(frozen=True, slots=True)  # slots: "the" has 50,000 of them
class Occurrence:
    """One verbatim occurrence: ``quote == index.sources[source].canonical[start:end]``."""

    source: str
    date: str | None
    spokesperson: str | None
    outlet: str | None
    turn_id: str
    start: int
    end: int
    quote: str
    in_question: bool = False  # True: in the journalist's question of the turn, not in the answer


@dataclass(frozen=True)
class PhraseReport:
    """Where a phrase was said. ``count``, ``by_year``, ``by_spokesperson``, ``first``/``last`` and
    ``occurrences`` are about answers only; ``question_occurrences`` (``in_questions`` of them) are apart.
    Occurrences are sorted by date, undated last (``undated`` of them); ``first``/``last`` are the
    earliest and latest dated ones (undated ones only when none is dated)."""

    phrase: str
    filters: Filters
    occurrences: tuple[Occurrence, ...]
    question_occurrences: tuple[Occurrence, ...]
    by_year: dict[str, int]  # "2019" -> n, in year order; "undated" last when any
    by_spokesperson: dict[str, int]  # most first; "unknown" when the turn names nobody

    @property
    def count(self) -> int:
        return len(self.occurrences)

    @property
    def in_questions(self) -> int:
        return len(self.question_occurrences)

    @property
    def conferences(self) -> int:
        return len({o.source for o in self.occurrences})

    @property
    def undated(self) -> int:
        return sum(1 for o in self.occurrences if not o.date)

    @property
    def first(self) -> Occurrence | None:
        return self.occurrences[0] if self.occurrences else None

    @property
    def last(self) -> Occurrence | None:
        dated = [o for o in self.occurrences if o.date]
        return dated[-1] if dated else (self.occurrences[-1] if self.occurrences else None)


@dataclass(frozen=True)
class _Side:
    """The folded text of one kind of span (answers or questions), one line per span, and per character
    of it the canonical offset it comes from (-1 for the "\\n" between spans: folded text has no "\\n",
    so no match crosses spans)."""

    text: str
    offsets: np.ndarray
    starts: np.ndarray  # where each span's line starts in ``text``
    turns: list[tuple[int, int]]  # (source number, turn number) of each span
    columns: tuple[list[str], ...]  # dates, spokespersons, outlets: the columns rag.filters.filter_mask reads
    rank: np.ndarray  # each span's place in date order (undated last, then by source and turn)


class PhraseIndex:
    """The folded answers and questions of one index, ready to scan. Get it with :func:`phrase_index`."""

    def __init__(self, index) -> None:  # noqa: ANN001 - rag.store.Index or anything with ``.sources``
        self.sources = list(index.sources.values())
        spans: dict[bool, list] = {False: [], True: []}  # in_question -> (source, turn, folded, offsets)
        for si, src in enumerate(self.sources):
            folded, fmap = _fold_with_map(src.canonical)
            for ti, t in enumerate(src.turns):
                for in_q, a, b in ((False, t.start, t.end), (True, t.question_start, t.question_end)):
                    if a is None or b is None:
                        continue
                    i, j = np.searchsorted(fmap, [a, b])  # the folded characters of offsets a..b
                    seg = folded[i:j]
                    lead = len(seg) - len(seg.lstrip(" "))
                    seg = seg.strip(" ")
                    spans[in_q].append((si, ti, seg, fmap[i + lead:i + lead + len(seg)]))
        self._sides = {in_q: self._side(v) for in_q, v in spans.items()}
        turns = [t for src in self.sources for t in src.turns]  # the names a filter is checked against, once
        self._spokespersons = {t.spokesperson for t in turns if t.spokesperson}
        self._outlets = [t.outlet for t in turns if t.outlet]

    def _side(self, spans: list) -> _Side:
        from .sources.outlets import canonical_outlet

        starts = np.cumsum([0] + [len(x[2]) + 1 for x in spans[:-1]]) if spans else np.zeros(0)
        offsets = [np.append(x[3], -1) for x in spans]
        turns = [self.sources[s].turns[t] for s, t, _, _ in spans]
        columns = ([self.sources[s].date or "" for s, _, _, _ in spans], [(t.spokesperson or "").lower() for t in turns],
                   [canonical_outlet(t.outlet).lower() if t.outlet else "" for t in turns])  # as the retriever has them
        order = sorted(range(len(spans)), key=lambda k: (columns[0][k] == "", columns[0][k],
                                                         self.sources[spans[k][0]].source, k))
        rank = np.empty(len(spans), dtype=np.int64)
        rank[order] = np.arange(len(spans))
        return _Side("\n".join(x[2] for x in spans), np.concatenate(offsets) if offsets else np.zeros(0, np.int64),
                     np.asarray(starts, dtype=np.int64), [(x[0], x[1]) for x in spans], columns, rank)

    def find(self, phrase: str, filters: Filters | None = None) -> PhraseReport:
        """Every occurrence of ``phrase`` (see the module docstring for the rules). Raises QueryError."""
        phrase = check_phrase(phrase)
        f = filters or Filters()
        check_names(f, self._spokespersons, self._outlets)
        needle = fold(phrase)
        whole = (_is_word(needle[0]), _is_word(needle[-1]))
        answers, questions = (self._scan(needle, whole, f, in_question=q) for q in (False, True))
        if _is_acronym(phrase):  # "WHO" is the organisation, not the pronoun: matched as written
            answers, questions = (tuple(o for o in occ if o.quote == phrase) for occ in (answers, questions))
        years = Counter((o.date or "")[:4] or "undated" for o in answers)
        people = Counter(o.spokesperson or "unknown" for o in answers)
        return PhraseReport(phrase, f, answers, questions,
                            dict(sorted(years.items(), key=lambda kv: (kv[0] == "undated", kv[0]))),
                            dict(sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))))

    def _scan(self, needle: str, whole: tuple[bool, bool], f: Filters, *, in_question: bool) -> tuple:
        # str.find, not a regex with look-arounds: those cost the regex engine its fast literal search (20x)
        side = self._sides[in_question]
        text, hits, i, n = side.text, [], side.text.find(needle), len(needle)
        while i >= 0:
            if (whole[0] and i > 0 and _is_word(text[i - 1])) or (whole[1] and _is_word(text[i + n:i + n + 1])):
                i = text.find(needle, i + 1)  # inside a word: look on, from the next character
                continue
            hits.append(i)
            i = text.find(needle, i + n)
        if not hits:
            return ()
        at = np.array(hits, dtype=np.int64)
        span = np.searchsorted(side.starts, at, side="right") - 1
        starts, ends = side.offsets[at], side.offsets[at + n - 1] + 1  # the folded match back to offsets
        mask = filter_mask(f, *side.columns)
        if mask is not None:
            ok = mask[span]
            span, starts, ends = span[ok], starts[ok], ends[ok]
        order = np.lexsort((starts, side.rank[span]))  # by date, undated last
        span, starts, ends = span[order], starts[order], ends[order]
        out = []
        for k, start, end in zip(span.tolist(), starts.tolist(), ends.tolist(), strict=True):
            s, t = side.turns[k]
            src = self.sources[s]
            turn = src.turns[t]
            out.append(Occurrence(src.source, src.date, turn.spokesperson, turn.outlet, turn.turn_id, start, end,
                                  src.canonical[start:end], in_question))
        return tuple(out)


def _is_acronym(phrase: str) -> bool:
    """A phrase of one word of capitals ("WHO", "US", "G20") is matched in exactly that case, since the same
    letters in lower case are another word ("who", "us"); every other phrase, whatever its case, in any case.

    >>> _is_acronym("WHO"), _is_acronym("G20"), _is_acronym("Who"), _is_acronym("WIN-WIN"), _is_acronym("UN report")
    (True, True, False, False, False)
    """
    return len(phrase) >= 2 and phrase.isalnum() and phrase.isupper()


def _is_word(ch: str) -> bool:
    """What a regex's ``\\w`` matches: a letter, digit or underscore (False for "")."""
    return ch.isalnum() or ch == "_"


def check_phrase(phrase: str) -> str:
    """The phrase trimmed, whitespace runs as one space, one pair of enclosing double quotes dropped.
    Raises QueryError when it is shorter than 2 or longer than 300 characters."""
    p = _WS.sub(" ", phrase or "").strip()
    if len(p) >= 2 and _QUOTED.fullmatch(p):
        p = p[1:-1].strip()
    if len(p) < MIN_CHARS:
        raise QueryError(f"give a phrase of at least {MIN_CHARS} characters to look for, e.g. \"win-win\"")
    if len(p) > MAX_CHARS:
        raise QueryError(f"the phrase is {len(p)} characters long; an exact phrase can be at most {MAX_CHARS}")
    return p


def quoted_phrase(question: str) -> str | None:
    """The phrase in double quotes (“…” or "...") in a reader's question, when it is one
    :func:`find_phrase` accepts (2 to 300 characters); else None. The first such phrase wins.

    >>> quoted_phrase('How often did they say "owes no one, begs no one"?')
    'owes no one, begs no one'
    >>> quoted_phrase("Who said “ win-win ” first?"), quoted_phrase('What about "a"?'), quoted_phrase("no quotes")
    ('win-win', None, None)
    """
    for m in _QUOTED.finditer(question or ""):
        p = _WS.sub(" ", m.group(1)).strip()
        if MIN_CHARS <= len(p) <= MAX_CHARS:
            return p
    return None


_cache: dict[int, tuple[weakref.ref, PhraseIndex]] = {}
_cache_lock = threading.Lock()


def phrase_index(index) -> PhraseIndex:  # noqa: ANN001
    """The :class:`PhraseIndex` of ``index``, built on first use and kept while ``index`` lives."""
    with _cache_lock:
        hit = _cache.get(id(index))
        if hit is not None and hit[0]() is index:
            return hit[1]
        built = PhraseIndex(index)
        try:
            ref = weakref.ref(index, lambda _r, key=id(index): _cache.pop(key, None))
        except TypeError:  # an object that takes no weak reference is not cached
            return built
        _cache[id(index)] = (ref, built)
        return built


def find_phrase(index, phrase: str, filters: Filters | None = None) -> PhraseReport:  # noqa: ANN001
    """Every verbatim occurrence of ``phrase`` in ``index`` (a :class:`rag.store.Index`), answers and
    questions apart, with the search filters applied to each occurrence. Raises QueryError."""
    return phrase_index(index).find(phrase, filters)


def _where(o: Occurrence | None) -> dict | None:
    return None if o is None else {"date": o.date, "source": o.source, "spokesperson": o.spokesperson}


def to_json(report: PhraseReport) -> dict:
    """The JSON view (``rag phrase --json``); ``count`` and everything but ``in_questions`` are answers."""
    return {"phrase": report.phrase, "count": report.count, "conferences": report.conferences,
            "first": _where(report.first), "last": _where(report.last), "by_year": report.by_year,
            "by_spokesperson": report.by_spokesperson, "in_questions": report.in_questions,
            "undated": report.undated,
            "occurrences": [{"source": o.source, "date": o.date, "spokesperson": o.spokesperson, "quote": o.quote,
                             "start": o.start, "end": o.end, "turn_id": o.turn_id} for o in report.occurrences]}

