"""The embedding cache with the real model (rag/embed_cache.py): a build killed (SIGKILL) after its first
cached group resumes with only the rest, into the index a clean build makes; a rebuild embeds nothing; a
new chunk budget embeds only the texts it changed; a damaged shard is re-embedded. Fake-encoder cases:
tests/unit/test_embed_cache.py."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from rag import store
from rag.chunking import ChunkParams, chunk_source
from rag.embed_cache import EmbedCache
from rag.embedding import MODEL_NAME
from rag.ingest import ingest
from tests.paths import CORPUS_EN, ROOT, SEEDS, corpus_or_skip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def paths():
    corpus_or_skip(CORPUS_EN)
    return [SEEDS, *sorted(CORPUS_EN.glob("*.html"))[:5]]  # 136 chunks: 3 groups of up to 64


@pytest.fixture(scope="module")
def enc():
    from rag.embedding import Embedder

    return Embedder()


def _shards(idx):
    d = idx / "cache"
    return sorted(d.rglob("0*.npz")) if d.is_dir() else []


def _kill_after_first_shard(paths, idx):
    """Start ``rag ingest`` and SIGKILL it as soon as its first cache shard is renamed in."""
    p = subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", *map(str, paths), "--index", str(idx), "--quiet"],
                         cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not _shards(idx):
            assert p.poll() is None, f"the build exited ({p.returncode}) before its first shard"
            assert time.monotonic() < deadline, "no cache shard in 300 s"
            time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()
    assert p.returncode == -signal.SIGKILL
    return len(EmbedCache.beside(idx, MODEL_NAME, "fp32"))


def test_killed_build_resumes_and_rebuilds_reuse_the_cache(paths, enc, tmp_path):
    clean = ingest(paths, tmp_path / "clean", encoder_factory=lambda: enc, cache=False)
    total = clean.chunks
    assert clean.embedded == total > 2 * 64 and not (tmp_path / "clean" / "cache").exists()

    # (b) killed after the first group landed; nothing live was written; the restart embeds only the rest.
    idx = tmp_path / "idx"
    cached_at_kill = _kill_after_first_shard(paths, idx)
    assert 64 <= cached_at_kill < total and store.build_dir(idx) is None
    resumed = ingest(paths, idx, encoder_factory=lambda: enc)
    assert resumed.cached == cached_at_kill and resumed.embedded == total - cached_at_kill
    a, b = store.load(tmp_path / "clean"), store.load(idx)
    assert [(c.chunk_id, c.turn_id, c.text) for c in a.chunks] == [(c.chunk_id, c.turn_id, c.text) for c in b.chunks]
    np.testing.assert_array_equal(a.sentences.start, b.sentences.start)
    # Bit-identical, not just close: the cache holds whole groups of the longest-first order, so the
    # restart's misses are that order's tail, cut into the same batches of 64 as in one uninterrupted run.
    np.testing.assert_array_equal(b.vectors, a.vectors)
    np.testing.assert_array_equal(b.sentences.vectors, a.sentences.vectors)

    # (a) the same files again with --rebuild: nothing embedded, the same vectors to the bit.
    again = ingest(paths, idx, encoder_factory=lambda: enc, rebuild=True)
    assert again.written and again.embedded == 0 and again.cached == total
    c = store.load(idx)
    np.testing.assert_array_equal(c.vectors, b.vectors)
    np.testing.assert_array_equal(c.sentences.vectors, b.sentences.vectors)

    # (c) a new chunk budget: only the chunks whose embedded text changed are embedded.
    params = ChunkParams(max_tokens=90)
    old = {ch.embed_text for ch in c.chunks}
    new = [ch.embed_text for s in c.sources.values() for ch in chunk_source(s, params)]
    fresh = {t for t in new if t not in old}
    assert 0 < len(fresh) < len(new) // 2
    changed = ingest(paths, idx, encoder_factory=lambda: enc, params=params, rebuild=True)
    assert changed.embedded == len(fresh) and changed.cached == len(new) - len(fresh)


def test_damaged_shard_is_reported_and_reembedded(paths, enc, tmp_path):
    idx = tmp_path / "idx"
    first = ingest(paths[:1], idx, encoder_factory=lambda: enc)  # seeds: one shard
    good = store.load(idx)
    (shard,) = _shards(idx)
    data = bytearray(shard.read_bytes())
    data[-200] ^= 0x01
    shard.write_bytes(bytes(data))
    rep = ingest(paths[:1], idx, encoder_factory=lambda: enc, rebuild=True)
    assert [m for _f, m in rep.warnings if "damaged embedding-cache shard" in m]
    assert rep.embedded == first.chunks and rep.cached == 0 and shard.with_name(shard.name + ".bad").exists()
    # The same texts in the same batch: the same vectors to the bit.
    np.testing.assert_array_equal(store.load(idx).vectors, good.vectors)
    shutil.rmtree(idx)
