"""Speaker labels: which ``LABEL:`` opens a question or an answer, and the notes between turns.

A paragraph that starts with a short label and a colon (``:`` or ``：``) may open a turn;
:func:`classify` decides whether the label is a speaker at all, so that sentences ending
in a colon ("I want to stress this:") stay text.

    >>> classify("Mao Ning"), classify("Bloomberg"), classify("Q"), classify("I want to stress this")
    (('answer', 'Mao Ning'), ('question', 'Bloomberg'), ('question', None), None)
    >>> classify("新华社记者"), classify("Agence France-Presse"), classify("答")
    (('question', 'Xinhua News Agency'), ('question', 'AFP'), ('answer', None))
    >>> after_marker("The following question was raised after the press conference: Will he visit?")
    (62, False)
"""

from __future__ import annotations

import re

from .lexicon import NOT_OUTLETS, OUTLET_SMALL_WORDS, QUESTION_LABELS, spokesperson_name
from .outlets import canonical_outlet

# "LABEL: text". The label is short; whether it is a speaker is decided by classify.
LABEL_RE = re.compile(r"^\s*([^:：\n]{1,60}?)\s*[:：]\s*")
# Any label that names the journalist instead of an outlet ("Journalist:", "The journalist
# clarified:"). On these pages such a line answers the spokesperson, it does not open a topic.
_JOURNALIST_RE = re.compile(r"^(?:the |a )?(?:foreign )?(?:journalist|reporter|correspondent)\b")
# "Journalist clarifies:", "The journalist added:": the journalist who just asked speaks again,
# so it opens a follow-up question from the same outlet (pages never name the outlet there).
_JOURNALIST_AGAIN_RE = re.compile(
    r"^(?:the |a )?(?:journalist|reporter|correspondent) (?:clarifie[sd]|clarify|adds|added|explains|"
    r"explained|continues|continued|asks|asked|follows up|followed up|responds|responded|replies|replied)$"
)
# Notes that open the part of a transcript asked after the briefing, e.g. "The following question
# was raised after the press conference: ...", "A journalist asked the following question after the
# press conference:", "After the Press Conference, a journalist asked if ...". Only paragraphs that
# *start* like such a note count: answers say "I will check on it after the press conference" too.
_AFTER_START_RE = re.compile(
    r"^\s*(?:the following|following|this question|questions?\b|after the press conference|"
    r"after the briefing|an? (?:foreign )?journalists? (?:asked|posed|raised))",
    re.IGNORECASE,
)
_AFTER_WORDS_RE = re.compile(r"\bafter (?:the|today's) (?:regular )?(?:press conference|briefing)\b", re.I)
# "..., a journalist asked if/whether ...": the note is itself the (reported) question.
_REPORTED_Q_RE = re.compile(r"\basked (?:if|whether|about|what|how|why|when|where|who)\b", re.I)
# Paragraphs of only decoration ("***", "---"): the page's own section break. What follows it is
# no longer part of the answer above (e.g. a notice that the next briefing is adjourned).
_SEPARATOR_RE = re.compile(r"^[\s*\-_=~#•·.…—–]{3,}$")


def after_marker(text: str) -> tuple[int, bool] | None:
    """Where the question starts in an "asked after the press conference" note, or None.

    Returns ``(offset, reported)``: ``offset`` is where the question text begins in ``text``
    (``len(text)`` when the note stands alone and the question follows in the next paragraph);
    ``reported`` is True when the note is itself the question in reported speech.
    """
    if not _AFTER_START_RE.match(text):
        return None
    head, colon, _ = text.partition(":")
    if not colon:
        head, colon, _ = text.partition("：")
    if colon and len(head) <= 160 and _AFTER_WORDS_RE.search(head):
        rest = len(head) + 1
        while rest < len(text) and text[rest].isspace():
            rest += 1
        return rest, False
    if not colon and len(text) <= 300 and _AFTER_WORDS_RE.search(text):
        # A note without a colon: alone on its line, or the question in reported speech.
        return (0, True) if _REPORTED_Q_RE.search(text) else (len(text), False)
    return None


def is_separator(text: str) -> bool:
    """True for decoration-only paragraphs such as ``***`` or ``-----``."""
    return bool(_SEPARATOR_RE.match(text))



def is_journalist_label(label: str) -> bool:
    """True for a label that names the journalist rather than an outlet ("Journalist:",
    "The journalist clarified:"): such a line replies to the spokesperson."""
    return bool(_JOURNALIST_RE.match(" ".join(label.split()).lower()))


def _looks_like_outlet(label: str) -> bool:
    words = label.replace("&amp;", "&").split()
    if not 1 <= len(words) <= 7 or label.lower() in NOT_OUTLETS:
        return False
    if not words[0][0].isupper():
        return False
    for w in words:
        w0 = w[0]
        if w.lower() in OUTLET_SMALL_WORDS or w0.isupper() or w0 in "&(":
            continue
        return False
    # Sentences ending in a colon ("I want to stress this:") have lower-case words and
    # fail above; times ("At 10:00") and punctuation never appear in an outlet label.
    return not re.search(r"[.,;!?\"“”]|\d\d", label)


# Sentinel outlet of a label that continues the previous journalist's questions.
FOLLOW_UP = "\x00follow-up"
_FOLLOW_UP_RE = re.compile(r"^follow[- ]?up\b")


def classify(label: str) -> tuple[str, str | None] | None:
    """("question", outlet) or ("answer", spokesperson) for a speaker label, else None.

    The outlet is stored under its canonical name (:func:`~rag.sources.outlets.canonical_outlet`).

    A question label that continues the previous journalist ("Follow-up", "Journalist
    clarifies") gets the outlet ``FOLLOW_UP``; the segmenter replaces it by the last outlet.
    """
    norm = " ".join(label.split())
    low = norm.lower()
    if low in ("a", "answer", "答"):
        return ("answer", None)
    if low == "问" or (low.endswith("记者") and len(low) <= 20):  # "问" / "新华社记者" (a Chinese outlet's journalist)
        return ("question", None if low in ("问", "记者", "外国记者") else canonical_outlet(norm[:-2]))
    name = spokesperson_name(norm)
    if name:
        return ("answer", name)
    if _FOLLOW_UP_RE.match(low) or _JOURNALIST_AGAIN_RE.match(low):
        return ("question", FOLLOW_UP)
    if low in QUESTION_LABELS:
        return ("question", None)
    if _looks_like_outlet(norm):
        return ("question", canonical_outlet(norm))
    return None

