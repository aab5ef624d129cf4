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

The Chinese pages' labels (any label with a Chinese character) go through their own branch, so
English labels are classified exactly as before:

    >>> classify("一、问"), classify("路透社记者提问"), classify("彭博社"), classify("记者追问")[1] == FOLLOW_UP
    (('question', None), ('question', 'Reuters'), ('question', 'Bloomberg'), True)
    >>> after_marker("会后有记者问及：中方对此有何评论？"), reported_answer("耿爽表示，我们注意到了。")
    ((8, False), ('Geng Shuang', 5))
    >>> zh_after_outlet("会后，中新社记者问及：有何评论？"), after_marker("会后，王毅外长回答了记者提问。")
    ('China News Service', None)
"""

from __future__ import annotations

import re

from .lexicon import NOT_OUTLETS, OUTLET_SMALL_WORDS, QUESTION_LABELS, SPOKESPERSONS_ZH, spokesperson_name
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
    zh = _ZH_AFTER_RE.match(text)
    if zh and (zh.group(1) or not zh.group(2) or zh_after_outlet(text)):
        return _zh_after(text, zh.end())
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
    norm = " ".join(label.split())
    zh = _ZH_ASIDE_RE.sub("", _ZH_NUMBER_RE.sub("", norm))  # "记者：", "追问：", "路透社记者追问：" (Chinese pages)
    return bool(_JOURNALIST_RE.match(norm.lower()) or _ZH_JOURNALIST_RE.match(zh) or zh.endswith("记者追问"))


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
    if _CJK_RE.search(norm):
        return _classify_zh(norm)
    low = norm.lower()
    if low in ("a", "answer"):
        return ("answer", None)
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


# -- the Chinese pages ------------------------------------------------------------------------------

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# "一、问：" (numbered questions of a written Q&A page).
_ZH_NUMBER_RE = re.compile(r"^[一二三四五六七八九十\d]{1,3}[、.．]\s*")
# Labels that open a question without naming the outlet: 问 ("question"), 有记者问 ("a journalist asked").
# 记者 ("journalist") alone names no outlet either; as a reply (is_journalist_label) the segmenter
# gives it the outlet of the question it answers back to.
_ZH_QUESTION = frozenset({"问", "提问", "记者", "记者问", "有记者问", "记者提问", "外国记者"})
# The journalist speaks again: 记者 ("journalist", answering the spokesperson's question back),
# 追问 ("follow-up"), 记者澄清 / 记者解释 ("the journalist clarified"), "（记者：…）" inside an answer.
_ZH_JOURNALIST_RE = re.compile(
    r"^[（(]?记者(?:追问|澄清|解释|补充|回答|答|笑|说)?$|^(?:记者)?追问[一二三四五六七八九十\d]*$")
# "路透社记者", "路透社记者提问": the outlet, then 记者 ("journalist").
_ZH_OUTLET_RE = re.compile(r"^(.{1,18}?)记者(?:提问|追问|问及|问)?$")
# Words before 记者 that name no outlet ("外国记者提问": a foreign journalist asked).
_ZH_NO_OUTLET = frozenset({"外国", "有", "一位", "一名", "有外国"})
# A stage direction in a label: "记者（点头）" ("journalist (nods)").
_ZH_ASIDE_RE = re.compile(r"\s*[（(][^）)]{1,10}[）)]$")
# Notes that open the part asked after the briefing: "会后有记者问及：", "会后，有俄罗斯记者问及：".
# "会后，中新社记者问及：" names the outlet instead (see zh_after_outlet).
_ZH_AFTER_RE = re.compile(r"^\s*(?:记者会后|会后)[，,]?\s*(有)?([^，。：:？?]{0,12}?)记者(?:问及|问到|提问|问)")
_ZH_NAMES = "|".join(sorted(SPOKESPERSONS_ZH, key=len, reverse=True))
# An answer given in reported speech after such a note: "耿爽表示，…" ("Geng Shuang said, …").
_ZH_SAID_RE = re.compile(rf"^\s*(?:外交部)?(?:发言人)?({_ZH_NAMES})(?:应询)?(?:表示|指出|说)\s*[，,：:]\s*")


def _zh_after(text: str, end: int) -> tuple[int, bool]:
    rest = end
    while rest < len(text) and text[rest].isspace():
        rest += 1
    if rest < len(text) and text[rest] in ":：":
        rest += 1
        while rest < len(text) and text[rest].isspace():
            rest += 1
        return rest, False
    # No colon: the note is the question in reported speech ("会后有记者问及中方对…的看法。").
    return 0, True


def is_zh_label(label: str) -> bool:
    """True for a label with Chinese characters (a Chinese page's "汪文斌：", "答：")."""
    return bool(_CJK_RE.search(label))


def zh_after_outlet(text: str) -> str | None:
    """The outlet a Chinese after-conference note names ("会后，中新社记者问及：" -> China News
    Service), else None (also for "会后有俄罗斯记者问及", a country, not an outlet)."""
    m = _ZH_AFTER_RE.match(text)
    if not m or not m.group(2):
        return None
    outlet = canonical_outlet(m.group(2))
    return outlet if outlet != m.group(2).strip() else None


def reported_answer(text: str) -> tuple[str, int] | None:
    """``(spokesperson, offset of the answer)`` for a Chinese paragraph that reports the answer
    ("耿爽表示，…"), else None. The segmenter asks only right after an after-conference question,
    where the pages write the answer this way instead of labelling it; elsewhere such a sentence
    may quote someone else ("秦刚表示" is also the foreign minister)."""
    m = _ZH_SAID_RE.match(text)
    return (SPOKESPERSONS_ZH[m.group(1)], m.end()) if m else None


def _classify_zh(norm: str) -> tuple[str, str | None] | None:
    """:func:`classify` for a label with Chinese characters."""
    label = _ZH_ASIDE_RE.sub("", _ZH_NUMBER_RE.sub("", norm)) or norm
    if label in ("答", "答问"):
        return ("answer", None)
    name = spokesperson_name(label)
    if name:
        return ("answer", name)
    if label in _ZH_QUESTION:
        return ("question", None)
    if _ZH_JOURNALIST_RE.match(label):
        return ("question", FOLLOW_UP)
    m = _ZH_OUTLET_RE.match(label)
    if m:
        return ("question", None if m.group(1) in _ZH_NO_OUTLET else canonical_outlet(m.group(1)))
    # An outlet without 记者 ("彭博社："): only a name the outlet table knows, so that a sentence
    # ending in a colon ("我想强调两点：") stays text.
    outlet = canonical_outlet(label) if len(label) <= 20 else label
    return ("question", outlet) if outlet != label else None
