import os
from pathlib import Path

import pytest

from rag.chunking import ChunkParams, chunk_source, truncate_tokens
from rag.sources.text import parse_text
from rag.text import count_tokens, sentence_spans

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "fmprc" / "en"


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
    # Nothing of an answer is lost between chunks: every sentence lies inside one chunk.
    for src in _seed_sources():
        chunks = chunk_source(src, ChunkParams(max_tokens=60))
        for t in src.turns:
            mine = [c for c in chunks if c.turn_id == t.turn_id]
            for s, e in sentence_spans(t.text, t.start):
                assert any(c.start <= s and e <= c.end for c in mine) or any(
                    c.start < e and s < c.end for c in mine)


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


def _all_sources():
    srcs = _seed_sources()
    if CORPUS.is_dir():
        from rag.sources.fmprc_en import parse_html

        srcs += [parse_html(p.read_bytes(), p.name) for p in sorted(CORPUS.glob("*.html"))]
    elif os.environ.get("CI") == "true":
        pytest.fail(f"shared corpus missing at {CORPUS}")
    return srcs


def test_no_embedded_text_exceeds_the_models_word_piece_limit():
    """Proof with MiniLM's own tokenizer (tokenizer.json from the bundled model) over the whole corpus."""
    from tokenizers import Tokenizer

    from rag.embedding import MAX_WORD_PIECES, model_path

    tok = Tokenizer.from_file(str(Path(model_path()) / "tokenizer.json"))
    tok.no_truncation()
    texts = [c.embed_text for s in _all_sources() for c in chunk_source(s, ChunkParams())]
    lengths = [len(e.ids) for e in tok.encode_batch(texts)]  # includes [CLS] and [SEP]
    assert len(texts) > 30
    assert max(lengths) <= MAX_WORD_PIECES, f"longest embedded text: {max(lengths)} word-pieces"
