"""Names of a question that no transcript of the archive holds: "What did China say about the Mars rover Zhurong?"

The search always returns its closest turns, and for a question about something the archive never mentions those
can pass the "found" threshold on the question's other words: the Zhurong question above quoted a readout of Kim
Jong Un's visit, with nothing to tell the reader that "Zhurong" is nowhere in the archive. So the answer says so:
a word written with a capital (a name, an acronym) whose keyword token is in no turn's question or answer gets
a warning, and the reader knows the quotes were found for the rest of the question.

Only capitalised words count, and not a sentence's first word unless written in capitals ("Reply to ...").
A lower-case word the ministry never used is a paraphrase ("blasting", "itinerary"), and the quotes may well
answer; a name nobody in the archive spoke is a fact a reporter needs. A word with another form in the archive
("Qatari" beside "Qatar", "Ukrainian" beside "Ukraine") is not reported, nor a party the keyword search knows by
the ministry's names ("Washington", "Islamabad": :mod:`rag.parties`): the topic is there under its spelling.

Measured on the questions of the dev and training sets, whose answers are in the archive (500 English pages +
seeds), as the search reads them (an asking outlet left out): the warning is given for 2 of 154 paraphrase
questions ("FCC", "WWI"), 1 of 40 trust questions ("AUKUS", 2021: after the English pages end), none of the 300
journalist, 45 thread and 18 seeds questions, and 89 of the 3,644 training questions (2.4 %: "Havana", "Ankara",
"Lisbon", "Skripal", "FT"): each time a true statement about the archive, which names the city, person or body
otherwise or not at all. (The form and first-word rules were added after reading these lists and the seeds'.)

    >>> absent_names("What did China say about the Mars rover Zhurong?", {"mar", "rover"}.__contains__)
    ('Zhurong',)
    >>> absent_names("The Qatari emir's visit", {"qatar", "emir", "visit"}.__contains__, forms=("qatar", "emir"))
    ()
    >>> absent_warning(("Zhurong",))
    '“Zhurong” is not named in any transcript of the archive: the quotes were found for the rest of the question.'
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable

from .named import capitalised
from .parties import places
from .text import bm25_tokens

MIN_FORM = 4  # a shorter token ("us", "eu") is a prefix of too many words to stand for another form of a name


def absent_names(question: str, holds: Callable[[str], bool], forms: Iterable[str] = ()) -> tuple[str, ...]:
    """The capitalised words of ``question`` (:func:`rag.named.capitalised`: not its framing or time words, nor
    a sentence's first word unless in capitals) whose keyword token is not held (``holds(token)`` is False) and has
    no other form among ``forms`` (the archive's tokens: one a prefix of the other, both at least :data:`MIN_FORM`
    letters). A name of a party the keyword search knows by its other names ("Washington", "Islamabad": the United
    States, Pakistan; :mod:`rag.parties`) is not reported. Words as the question writes them, in order."""
    parties = [(a, b) for _, a, b in places(question)]
    missing = [(w, t) for w, at, toks in capitalised(question) for t in toks
               if not holds(t) and not any(a <= at < b for a, b in parties)]
    if not missing:
        return ()
    forms = list(forms)
    out: dict[str, None] = {}
    for w, t in missing:
        if len(t) >= MIN_FORM and any(len(f) >= MIN_FORM and (f.startswith(t) or t.startswith(f)) for f in forms):
            continue
        out.setdefault(w, None)
    return tuple(out)


def absent_warning(names: tuple[str, ...]) -> str:
    """The reader's warning for :func:`absent_names`."""
    shown = " and ".join(f"“{n}”" for n in names)
    verb = "is" if len(names) == 1 else "are"
    return (f"{shown} {verb} not named in any transcript of the archive: the quotes were found for the rest of the "
            "question.")


class ArchiveWords:
    """The keyword tokens of an index's English turns (question and answer, whole), for :func:`absent_names`.

    The keyword index's vocabulary answers most lookups at no cost; only a token it lacks (it holds the first 80
    tokens of a journalist's question) makes the whole archive be tokenised, once (about 0.5 s for 500 pages).
    """

    def __init__(self, index, vocab: Iterable[str] = ()) -> None:  # noqa: ANN001 - rag.store.Index
        self._index = index
        self._vocab = frozenset(vocab)
        self._all: frozenset[str] | None = None
        self._lock = threading.Lock()

    def english(self) -> bool:
        """Whether the archive holds English transcripts (a Chinese archive names nothing in English words)."""
        return any(getattr(s, "lang", "en") == "en" for s in self._index.sources.values())

    def all_tokens(self) -> frozenset[str]:
        with self._lock:
            if self._all is None:
                words: set[str] = set()
                for t in self._index.turns.values():
                    if getattr(self._index.sources[t.source], "lang", "en") == "en":
                        words.update(bm25_tokens(re.sub(r"['\u2019]s\b", "", f"{t.question or ''}\n{t.text}")))
                self._all = frozenset(words)
            return self._all

    def absent(self, question: str) -> tuple[str, ...]:
        """:func:`absent_names` of ``question`` in this archive (none for an archive without English turns)."""
        if not absent_names(question, self._vocab.__contains__) or not self.english():
            return ()
        words = self.all_tokens()
        return absent_names(question, words.__contains__, forms=words)
