"""The filters an answer was searched with, in words: chips on the page, a line in the Markdown export.

Dates that the reader did not set in the form came from the question's time phrase, which the
answer carries (:attr:`rag.records.Answer.time_phrase`), so the phrase is never parsed again here.

    >>> from rag.records import Answer
    >>> a = Answer("Huawei in June 2018?", "", True, {"since": "2018-06-01", "until": "2018-06-30",
    ...            "spokesperson": None, "outlet": "CCTV"}, time_phrase="June 2018")
    >>> filter_notes(a)
    ['Dates 1 June 2018 to 30 June 2018 (from “June 2018” in the question)', 'Outlet: CCTV']
"""

from __future__ import annotations

from ..cite import CLOSE, OPEN, human_date
from ..records import Answer


def filter_notes(answer: Answer, asked: dict | None = None) -> list[str]:
    """Human-readable filter notes for ``answer``. ``asked`` are the filters the reader set in the
    form; dates that are not from the form were read from the question's time phrase."""
    asked = asked or {}
    filters = answer.filters or {}
    if answer.lang == "zh":
        return _notes_zh(answer, asked, filters)
    notes = []
    since, until = filters.get("since"), filters.get("until")
    if since or until:
        rng = f"{human_date(since) or 'the first transcript'} to {human_date(until) or 'the latest transcript'}"
        if not (asked.get("since") or asked.get("until")):
            phrase = f"{OPEN}{answer.time_phrase}{CLOSE}" if answer.time_phrase else "a time phrase"
            notes.append(f"Dates {rng} (from {phrase} in the question)")
        else:
            notes.append(f"Dates {rng}")
    if filters.get("spokesperson"):
        phrase = answer.spokesperson_phrase
        from_q = f" (from {OPEN}{phrase}{CLOSE} in the question)" if phrase and not asked.get("spokesperson") else ""
        notes.append(f"Spokesperson: {filters['spokesperson']}{from_q}")
    if filters.get("outlet"):
        notes.append(f"Outlet: {filters['outlet']}")
    if answer.outlet_preference:
        phrase = answer.outlet_phrase or answer.outlet_preference
        notes.append(f"Questions from or about {answer.outlet_preference} first (from {OPEN}{phrase}{CLOSE} "
                     "in the question)")
    return notes


def _notes_zh(answer: Answer, asked: dict, filters: dict) -> list[str]:
    """The notes of an answer to a Chinese question, in Chinese."""
    from ..zh.answer import zh_date, zh_name

    notes = []
    since, until = filters.get("since"), filters.get("until")
    if since or until:
        rng = f"{zh_date(since) or '最早记录'}至{zh_date(until) or '最新记录'}"
        from_q = f"（来自问题中的{OPEN}{answer.time_phrase}{CLOSE}）" if answer.time_phrase and not (
            asked.get("since") or asked.get("until")) else ""
        notes.append(f"日期：{rng}{from_q}")
    if filters.get("spokesperson"):
        phrase = answer.spokesperson_phrase
        from_q = f"（来自问题中的{OPEN}{phrase}{CLOSE}）" if phrase and not asked.get("spokesperson") else ""
        notes.append(f"发言人：{zh_name(filters['spokesperson'])}{from_q}")
    if filters.get("outlet"):
        notes.append(f"媒体：{filters['outlet']}")
    return notes
