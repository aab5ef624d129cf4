"""Chunking against the real model's tokenizer: no embedded text is cut by the model (rag/chunking.py)."""

import os
from pathlib import Path

import pytest

from rag.chunking import ChunkParams, chunk_source
from rag.sources.text import parse_text
from tests.paths import CORPUS_EN, SEEDS


def _seed_sources():
    return [parse_text(p.read_text(encoding="utf-8"), p.name) for p in sorted(SEEDS.glob("*.txt"))]


def _all_sources():
    srcs = _seed_sources()
    if CORPUS_EN.is_dir():
        from rag.sources.fmprc_en import parse_html

        srcs += [parse_html(p.read_bytes(), p.name) for p in sorted(CORPUS_EN.glob("*.html"))]
    elif os.environ.get("CI") == "true":
        pytest.fail(f"shared corpus missing at {CORPUS_EN}")
    return srcs


@pytest.mark.slow  # reads the bundled model's tokenizer; ~15 s over the whole corpus
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
