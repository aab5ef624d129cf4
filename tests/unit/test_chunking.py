import itertools

from rag.chunking import ChunkParams, chunk_source, truncate_tokens
from rag.sources.text import parse_text
from rag.text import count_tokens, sentence_spans
from tests.paths import SEEDS


def _seed_sources():
    return [parse_text(p.read_text(encoding="utf-8"), p.name) for p in sorted(SEEDS.glob("*.txt"))]


def test_chunks_are_verbatim_and_within_budget():
    params = ChunkParams(max_tokens=60)
    for src in _seed_sources():
        chunks = chunk_source(src, params)
        assert chunks
        for c in chunks:
            assert src.canonical[c.start:c.end] == c.text
            assert count_tokens(c.text) <= params.max_tokens
            turn = next(t for t in src.turns if t.turn_id == c.turn_id)
            assert turn.start <= c.start < c.end <= turn.end


def test_chunks_cover_every_sentence_of_every_answer():
    """Nothing of an answer is lost or repeated between chunks, and no sentence that fits is cut.

    A turn's chunks are disjoint and in order, every non-space character of the answer is in one, and
    they are cut between words; a sentence within the budget lies inside one chunk (only an over-long
    one is cut).
    """
    budget = 60
    fits = too_long = 0
    for src in _seed_sources():
        chunks = chunk_source(src, ChunkParams(max_tokens=budget))
        for t in src.turns:
            mine = [(c.start, c.end) for c in chunks if c.turn_id == t.turn_id]
            assert mine == sorted(mine) and all(e <= s for (_, e), (s, _) in itertools.pairwise(mine))
            covered = "".join(src.canonical[s:e] for s, e in mine)
            assert "".join(covered.split()) == "".join(t.text.split())
            # Cuts fall between words: at a sentence or paragraph end, or (over-long sentence) a space.
            assert all((s == t.start or src.canonical[s - 1].isspace()) and (e == t.end or src.canonical[e].isspace())
                       for s, e in mine)
            for s, e in sentence_spans(t.text, t.start):
                if count_tokens(src.canonical[s:e]) <= budget:
                    fits += 1
                    assert any(cs <= s and e <= ce for cs, ce in mine), src.canonical[s:e]
                else:
                    too_long += 1
    # The seeds exercise both paths at this budget (59 + 40 sentences, 8 over 60 tokens).
    assert fits >= 80 and too_long >= 5, (fits, too_long)


def test_context_is_embedded_but_not_quoted():
    src = _seed_sources()[0]
    with_q = chunk_source(src, ChunkParams(context="question"))
    without = chunk_source(src, ChunkParams(context="none"))
    assert [c.text for c in with_q] == [c.text for c in without]
    assert all(c.embed_text == c.text for c in without)
    assert all(c.embed_text.endswith(c.text) and len(c.embed_text) > len(c.text) for c in with_q)


def test_overlong_sentence_is_split_on_words():
    text = "CCTV: Q?\nMao Ning: " + " ".join(["word"] * 2000) + ".\n"
    src = parse_text(text, "long.txt")
    chunks = chunk_source(src, ChunkParams(max_tokens=100))
    assert len(chunks) >= 2000 // 100
    assert all(count_tokens(c.text) <= 100 for c in chunks)


def test_truncate_tokens():
    s = "one two three four five six seven"
    assert truncate_tokens(s, 3) == "one two three"
    assert truncate_tokens(s, 100) == s
