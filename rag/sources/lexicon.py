"""Names and words the parsers and the question side share: spokespersons, months, outlet words.

Plain data and two small lookups. This module imports no parser (only :mod:`re` and
:mod:`datetime`), so asking may import it (:mod:`rag.timeparse` reads :data:`MONTHS`) without
loading the parsing code.

    >>> spokesperson_name("hua  chunying"), spokesperson_name("华春莹"), spokesperson_name("CCTV")
    ('Hua Chunying', 'Hua Chunying', None)
    >>> parse_date("Regular Press Conference on March 3, 2020")
    '2020-03-03'
"""

from __future__ import annotations

import datetime as dt
import re

# Spokespersons of the ministry since the 2000s. A label equal to one of these
# names opens an answer; any other outlet-like label opens a question.
SPOKESPERSONS = (
    "Mao Ning", "Wang Wenbin", "Zhao Lijian", "Hua Chunying", "Geng Shuang", "Lu Kang",
    "Lin Jian", "Guo Jiakun", "Hong Lei", "Qin Gang", "Jiang Yu", "Ma Zhaoxu", "Liu Weimin",
    "Liu Jianchao", "Kong Quan", "Zhang Qiyue", "Zhu Bangzao", "Sun Yuxi", "Wang Yi",
)
# Chinese transcripts label answers with the spokesperson's Chinese name (or 答, "answer"):
# each maps to the romanised name used everywhere else, so filters and citations agree
# across languages. Add a name here when a new spokesperson appears.
SPOKESPERSONS_ZH = {
    "毛宁": "Mao Ning", "汪文斌": "Wang Wenbin", "赵立坚": "Zhao Lijian", "华春莹": "Hua Chunying",
    "耿爽": "Geng Shuang", "陆慷": "Lu Kang", "林剑": "Lin Jian", "郭嘉昆": "Guo Jiakun", "洪磊": "Hong Lei",
    "秦刚": "Qin Gang",
}
_SPOKESPERSON_BY_LOWER = {name.lower(): name for name in SPOKESPERSONS}
_SPOKESPERSON_BY_LOWER.update(SPOKESPERSONS_ZH)


def spokesperson_name(label: str) -> str | None:
    """Canonical spokesperson name for a label, e.g. ``"Hua chunying"`` -> ``"Hua Chunying"``."""
    return _SPOKESPERSON_BY_LOWER.get(" ".join(label.split()).lower())


MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December"],
        start=1,
    )
}
# "January|February|...": for patterns that look for a month name.
MONTH_NAMES = "|".join(m.capitalize() for m in MONTHS)
DATE_RE = re.compile(rf"\b({MONTH_NAMES})\s*(\d{{1,2}}),?\s+(\d{{4}})\b")


def parse_date(text: str) -> str | None:
    """First ``Month D, YYYY`` in ``text`` as ``YYYY-MM-DD``; None if there is none or it is invalid."""
    m = DATE_RE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2))).isoformat()
    except ValueError:
        return None


# -- words that decide whether a "Label:" names a news outlet (see rag.sources.labels) --------

# Words allowed in lower case inside an outlet name ("Voice of Vietnam", "The Globe and Mail").
OUTLET_SMALL_WORDS = frozenset({"of", "the", "and", "&", "for", "de", "del", "la", "le", "di", "des", "news"})
# Title-case words that start ordinary sentences with a colon ("Note: ...", "First: ...").
NOT_OUTLETS = frozenset({
    "first", "second", "third", "fourth", "fifth", "sixth", "finally", "note", "notes", "update",
    "also", "besides", "secondly", "thirdly", "lastly", "moreover", "therefore", "example",
    "theme", "source", "sources", "title", "date", "time", "venue", "attachment", "photo",
    "video", "related posts", "some excerpts", "the following", "here", "today",
})
# Labels that open a question without naming the outlet.
QUESTION_LABELS = frozenset({"q", "question", "journalist", "reporter", "foreign journalist", "follow-up",
                             "follow up", "followup", "follow-up question"})
