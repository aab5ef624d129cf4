"""The Chinese sentences of a turn that answer a question, as verbatim spans of the canonical text.

A sentence ends at 。！？；(or ! ?) with any closing quote or bracket after it, or at a paragraph
break. Each sentence is scored by the BM25 weight (idf) of the question's words it holds, divided by
a gentle length norm so a long sentence does not win by length alone; the first sentence gets a
small bonus (the ministry usually states its position first). A sentence of under
:data:`MIN_CHARS` characters is joined with the next one of its paragraph, still verbatim.

    >>> text = "我们注意到有关报道。中方坚决反对美国对台军售，已向美方提出严正交涉。"
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['我们注意到有关报道。', '中方坚决反对美国对台军售，已向美方提出严正交涉。']
    >>> a, b, _ = best_sentences(text, 0, len(text), {"对台": 2.0, "军售": 3.0})[0]
    >>> text[a:b]
    '中方坚决反对美国对台军售，已向美方提出严正交涉。'
"""

from __future__ import annotations

import re

from .tokens import zh_tokens

MIN_CHARS = 8
FIRST_BONUS = 0.15
_END = re.compile(r"[。！？；!?]+[”’」』）)]*|\n+")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text[start:end]``, whitespace trimmed, short ones joined."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    i = start
    for m in _END.finditer(text, start, end):
        stop = m.end() if not m.group(0).startswith("\n") else m.start()
        spans.append((i, stop))
        i = m.end()
    spans.append((i, end))
    spans = [_trim(text, a, b) for a, b in spans]
    spans = [(a, b) for a, b in spans if b > a]
    joined: list[tuple[int, int]] = []
    for a, b in spans:
        # a short sentence ("对此，我想说三点。") joins the next one of its paragraph
        if joined and joined[-1][1] - joined[-1][0] < MIN_CHARS and "\n" not in text[joined[-1][1]:a]:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    return joined


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def best_sentences(text: str, start: int, end: int, weights: dict[str, float],
                   tokenizer: str = "jieba") -> list[tuple[int, int, float]]:
    """Sentences of ``text[start:end]`` best first, as ``(start, end, score)``; ``weights`` maps a
    question word to its idf."""
    out = []
    for i, (a, b) in enumerate(sentence_spans(text, start, end)):
        words = set(zh_tokens(text[a:b], tokenizer))
        hit = sum(w for t, w in weights.items() if t in words)
        score = hit / (1.0 + 0.002 * (b - a)) + (FIRST_BONUS if i == 0 else 0.0)
        out.append((a, b, round(score, 4)))
    return sorted(out, key=lambda x: (-x[2], x[0]))
