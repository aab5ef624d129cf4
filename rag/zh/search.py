"""A Chinese question to ranked Chinese turns: BM25 over ``jieba`` words, with the same filters as the
English search and the question read the same way (a time phrase and a spokesperson's name become
filters, and are not searched as words).

    >>> read_zh_question("2022年8月 汪文斌 佩洛西 访台")
    ('佩洛西 访台', {'since': '2022-08-01', 'until': '2022-08-31', 'spokesperson': 'Wang Wenbin'}, '2022年8月', '汪文斌')
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..filters import Filters, filter_mask
from ..sources.lexicon import SPOKESPERSONS_ZH
from .index import ZhIndex
from .timeparse import parse_zh_time
from .tokens import zh_tokens


@dataclass(frozen=True)
class ZhHit:
    rank: int
    score: float
    turn_id: str


def read_zh_question(question: str) -> tuple[str, dict, str | None, str | None]:
    """``(text to search, filters read, time phrase, spokesperson phrase)`` of a Chinese question."""
    text, read = question, {}
    t = parse_zh_time(question)
    time_phrase = spk_phrase = None
    if t:
        since, until, time_phrase = t
        read.update({k: v for k, v in (("since", since), ("until", until)) if v})
        text = text.replace(time_phrase, " ")
    for zh, en in SPOKESPERSONS_ZH.items():
        if zh in text and en != "Qin Gang":  # 秦刚 the minister is a topic, as Wang Yi is in English
            read["spokesperson"], spk_phrase = en, zh
            text = text.replace(zh, " ")
            break
    return " ".join(text.split()), read, time_phrase, spk_phrase


def apply_read(filters: Filters, read: dict) -> Filters:
    """The form's filters with what the question says filled in where the form left them empty."""
    return replace(filters, **{k: v for k, v in read.items() if not getattr(filters, k)})


def search_zh(zi: ZhIndex, text: str, filters: Filters = Filters(), k: int = 10) -> list[ZhHit]:
    """The ``k`` best Chinese turns for ``text`` that pass ``filters`` (BM25 score > 0 only)."""
    tokens = zh_tokens(text, zi.tokenizer)
    if not tokens or not zi.turn_ids:
        return []
    scores = np.asarray(zi.bm25.get_scores(tokens), dtype=np.float32)[: len(zi.turn_ids)]
    mask = _mask(zi, filters)
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    order = np.argsort(-scores, kind="stable")[:k]
    return [ZhHit(r, float(scores[i]), zi.turn_ids[i]) for r, i in enumerate(order, start=1) if scores[i] > 0]


def _mask(zi: ZhIndex, f: Filters) -> np.ndarray | None:
    if not f.active():
        return None
    src = [zi.source_of[t] for t in zi.turn_ids]
    turns = [zi.turns[t] for t in zi.turn_ids]
    return filter_mask(f, [s.date or "" for s in src], [(t.spokesperson or s.spokesperson or "").lower()
                                                         for s, t in zip(src, turns, strict=True)],
                       [(t.outlet or "").lower() for t in turns])


def search_question(zi: ZhIndex, question: str, filters: Filters = Filters(), k: int = 10,
                    read_question: bool = True) -> tuple[list[ZhHit], Filters, str | None]:
    """``(hits, filters applied, time phrase)`` for a Chinese question as the ask path reads it."""
    text, read, time_phrase, _ = read_zh_question(question) if read_question else (question, {}, None, None)
    filters = apply_read(filters, read)
    return search_zh(zi, text, filters, k=k), filters, time_phrase
