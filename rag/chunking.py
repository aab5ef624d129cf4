"""Cut each turn's answer into quotable chunks on paragraph/sentence boundaries.

Budgets are counted in ``cl100k_base`` tokens (tiktoken). A chunk is a span of
the canonical text (``canonical[start:end] == chunk.text``); what gets embedded
may add context in front of it (the question), but that context is never quoted.

Why the defaults: MiniLM reads at most 256 word-pieces. English runs ~1.1-1.3
word-pieces per cl100k token, so 100 tokens of answer plus at most 80 tokens of
question stays under the limit with margin (these sizes won on the paraphrase dev set:
MRR@10 0.898 against 0.836 for 150 + 40; eval/results/tuning/) (``tests/integration/test_chunking.py`` checks
this with the model's own tokenizer over the whole corpus).

    >>> from rag.sources.text import parse_text
    >>> src = parse_text("CCTV: Any comment?\\nMao Ning: We noted it. More.\\n", "x.txt")
    >>> [(c.text, c.embed_text) for c in chunk_source(src)]
    [('We noted it. More.', 'Any comment?\\nWe noted it. More.')]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .records import Chunk, Source, Turn
from .text import count_tokens, paragraph_spans, sentence_spans


@dataclass(frozen=True)
class ChunkParams:
    max_tokens: int = 100
    context: str = "question"  # "none": answer only; "question": question + answer
    context_tokens: int = 80

    def to_dict(self) -> dict:
        return asdict(self)


def chunk_source(src: Source, params: ChunkParams = ChunkParams()) -> list[Chunk]:
    """All chunks of all turns of ``src`` (``chunk_id`` is -1 until the store numbers them)."""
    out: list[Chunk] = []
    for turn in src.turns:
        ctx = _context(turn, params)
        for s, e in _spans(src.canonical, turn, params.max_tokens):
            text = src.canonical[s:e]
            out.append(Chunk(-1, turn.turn_id, src.source, s, e, text, f"{ctx}\n{text}" if ctx else text))
    return out


def _context(turn: Turn, params: ChunkParams) -> str:
    if params.context == "none" or not turn.question:
        return ""
    return truncate_tokens(" ".join(turn.question.split()), params.context_tokens)


def truncate_tokens(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` tokens."""
    if count_tokens(text) <= limit:
        return text
    words = text.split()
    lo, hi = 0, len(words)
    while lo < hi:  # longest prefix of words within the budget
        mid = (lo + hi + 1) // 2
        if count_tokens(" ".join(words[:mid])) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def _spans(canonical: str, turn: Turn, budget: int) -> list[tuple[int, int]]:
    """Greedy packing: whole paragraphs while they fit, else sentences, else word runs."""
    units: list[tuple[int, int, int]] = []  # (start, end, tokens) of atomic pieces
    for ps, pe in paragraph_spans(canonical[turn.start:turn.end], turn.start):
        n = count_tokens(canonical[ps:pe])
        if n <= budget:
            units.append((ps, pe, n))
            continue
        for ss, se in sentence_spans(canonical[ps:pe], ps):
            m = count_tokens(canonical[ss:se])
            if m <= budget:
                units.append((ss, se, m))
            else:
                units.extend(_word_runs(canonical, ss, se, budget))
    spans: list[tuple[int, int]] = []
    cur: list[int] | None = None
    used = 0
    for s, e, n in units:
        # +1 approximates the separator's token between units.
        if cur is not None and used + n + 1 <= budget:
            cur[1] = e
            used += n + 1
        else:
            if cur is not None:
                spans.append((cur[0], cur[1]))
            cur, used = [s, e], n
    if cur is not None:
        spans.append((cur[0], cur[1]))
    return spans


def _word_runs(canonical: str, s: int, e: int, budget: int) -> list[tuple[int, int, int]]:
    """Split an over-long sentence into runs of whole words within the budget.

    Tokens are summed word by word (each counted with its leading space), which keeps
    this linear even for a multi-megabyte line without sentence breaks.
    """
    import re

    words = [(s + m.start(), s + m.end(), count_tokens(" " + m.group())) for m in re.finditer(r"\S+", canonical[s:e])]
    # Equal-sized runs rather than full runs plus a tiny tail (a one-word chunk quotes badly).
    total = sum(n for _, _, n in words)
    target = min(budget, -(-total // max(1, -(-total // budget))))
    runs: list[tuple[int, int, int]] = []
    start = end = None
    used = 0
    for ws, we, n in words:
        if start is not None and used + n > target:
            runs.append((start, end, used))
            start = None
        if start is None:
            start, used = ws, 0
        end, used = we, used + n
    if start is not None:
        runs.append((start, end, used))
    return runs
