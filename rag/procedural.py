"""Procedural sentences: the spokesperson's lines that run the conference rather than state a position.

Greetings, hand-overs to another department, "I have no information to offer", "we have noted the
reports", "I have seen the reports", questions back to the reporter. A journalist never wants one of
these as the first quote of an answer (unless nothing else answers), so the quote selector ranks them
down. The rule is a list of patterns, each with a name so its precision can be measured.

    >>> procedural_kind("I would like to refer you to the competent authorities.")
    'referral'
    >>> procedural_kind("China firmly opposes the so-called sanctions.") is None
    True
    >>> procedural_kind("Which report are you referring to?")
    'question back'
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(rx, re.IGNORECASE)) for name, rx in (
    ("greeting", r"^(good (morning|afternoon|evening)|hello|thank you|thanks)\b|^i'?m \w+ \w+,? (the )?spokesperson"
                 r"|^(now,? )?(the floor is open|i'?m ready to take|i(?:'| a)m happy to take) (your )?questions"
                 r"|^(next|any other) question|^(that|this) concludes|^the press conference is over"),
    ("referral", r"\b(refer|direct) you to\b|\bplease (refer to|ask|consult|check with)\b|\bcompetent (authorities|"
                 r"department)\b|\b(you may|please) (follow|stay tuned|check)\b|\bask the (relevant|competent)\b"
                 r"|\b(is|are) not a (diplomatic|foreign policy) (question|issue|matter)\b"),
    ("no information", r"\b(i )?(have|had|don'?t have|do not have) no (information|details|specifics|update)\b"
                       r"|\bi (am|'m) not aware\b|\bi have not (seen|heard)\b|\bi don'?t have (any )?(information|"
                       r"details|specifics)\b|\bno (information|details) (to|that i can) (offer|share|release|provide)\b"
                       r"|\bi (will|would) (have to )?check\b|\bwe will (release|keep you (posted|updated))\b"),
    ("noted", r"^(i|we) (have )?(also )?(noted|seen|learned of|read)\b.{0,60}?\b(reports?|news|statements?|remarks"
              r"|comments)\b|^you (may|might) have (noticed|seen|heard)\b"),
    ("question back", r"\?[\"'”’)\]]*$"),
))


def procedural_kind(sentence: str) -> str | None:
    """The name of the first procedural pattern ``sentence`` matches, or None for a substantive sentence."""
    s = " ".join(sentence.split())
    for name, rx in _PATTERNS:
        if rx.search(s):
            return name
    return None


def is_procedural(sentence: str) -> bool:
    return procedural_kind(sentence) is not None
