"""What a sentence is, whatever the question: procedural, only announcing a position, how many stance words.

Three of the sentence ranker's features (:mod:`rag.sentence_rank`) depend on the sentence alone. They are
regular expressions over the text (the procedural rule of :mod:`rag.procedural` alone is some sixty searches a
sentence) and cost ~10 ms an answer for the ten hits' sentences, a quarter of `rag ask`; so the index computes
them once, at build time, into its sentence table (:mod:`rag.sentences`), under :data:`FLAGS_KEY` — a digest of the
patterns, so an index built with other patterns is read as having none and they are computed at ask time as before.

    >>> flags_of(["Our position on the issue is consistent and clear.", "China firmly opposes it and urges restraint.",
    ...           "I would refer you to the competent authorities."]).tolist()
    [[0, 1, 1], [0, 0, 3], [1, 0, 0]]
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from . import procedural

_STANCE = re.compile(
    r"\b(oppose[sd]?|urge[sd]?|hope[sd]?|believe[sd]?|welcome[sd]?|support[sd]?|firmly|never|always|should|must"
    r"|stand ready|call on|reject[sd]?|condemn[sd]?|demand[sd]?|consistent|clear-cut|resolutely|strongly|will not"
    r"|won't|cannot|no one|nobody|groundless|totally|completely)\b", re.IGNORECASE)


# A sentence that only announces that there is a position ("Our position on Kashmir is consistent and
# clear.", "I would like to stress three points:") is not the position: the sentence after it is, so
# the two are quoted together (rag.quoting). 234 such sentences in the 500 English pages; in a random
# 25 of them the next sentence stated the position (or its first point) 21 times (the rest: two
# referrals, "The relevant companies know it very well.", nothing after it).
_ANNOUNCES = re.compile(
    r"\b(position|stance|attitude)\b[^.;:]{0,80}\b(is|are|remains?|has (always )?been)\s+(very |also |always |both )?"
    r"(clear|consistent|firm|unchanged|clear-cut|unequivocal|clear and consistent|consistent and clear|firm and clear)"
    r"\s*[.!]?\s*$"
    r"|\b(consistent|clear|firm)( and (clear|consistent|firm))? (position|stance)( (on|regarding|towards?) [^.;:]{0,50})?"
    r"[.!]?\s*$"
    r"|:\s*$", re.IGNORECASE)


def announces_position(text: str) -> bool:
    """Whether ``text`` only announces a position that the next sentence states.

    >>> announces_position("China's position on the issue of Kashmir is consistent and clear.")
    True
    >>> announces_position("China's position is clear: we oppose unilateral sanctions.")
    False
    """
    return bool(_ANNOUNCES.search(text.strip()))


def stance(text: str) -> float:
    """Share of three position-stating words found in ``text`` (0, 1/3, 2/3 or 1).

    >>> stance("China firmly opposes it and urges the US to stop.")
    1.0
    """
    return stance_words(text) / 3


def stance_words(text: str) -> int:
    """How many position-stating words ``text`` holds, up to three (the stored flag; :func:`stance` is its share)."""
    return min(len(_STANCE.findall(text)), 3)


def flags_of(texts: list[str]) -> np.ndarray:
    """``uint8 [n, 3]``: is procedural (0/1), only announces a position (0/1), stance words found (0..3)."""
    out = np.zeros((len(texts), 3), dtype=np.uint8)
    for i, t in enumerate(texts):
        out[i] = (procedural.is_procedural(t), announces_position(t), stance_words(t))
    return out


FLAGS_KEY = hashlib.sha1(repr((procedural._RULES, _STANCE.pattern, _ANNOUNCES.pattern)).encode()).hexdigest()[:12]
