"""Checks that a Chinese original says what its English quote says, for the arms-sales answer of 17 April 2019
(t1655318 / t1655241) that the Chinese-original tests ask about. Which of its sentences is quoted first depends on
the sentence scorer; each English cue present must have its Chinese counterpart in the original."""

from __future__ import annotations

CUES = {"oppos": ("反对",), "arms sale": ("武器", "军售"), "representations": ("交涉",), "communique": ("公报",),
        "internal affairs": ("内政",)}


def same_statement(en: str, zh: str) -> bool:
    """Whether ``zh`` has the counterpart of every cue of ``en`` (and ``en`` has at least one).

    >>> same_statement("China firmly opposes this.", "中方对此坚决反对。")
    True
    >>> same_statement("China firmly opposes this.", "美国向台湾出售武器。")
    False
    """
    wanted = [zh_words for cue, zh_words in CUES.items() if cue in en.lower()]
    return bool(wanted) and all(any(w in zh for w in words) for words in wanted)
