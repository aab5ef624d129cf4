"""The embedding cache (rag/embed_cache.py) and its use by ingest, with the fake encoder. The SIGKILL
resume with the real model is tests/integration/test_resume.py."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from rag import store
from rag.chunking import ChunkParams, chunk_source
from rag.cli import build_parser
from rag.embed_cache import RECIPE, EmbedCache, chunk_key
from rag.errors import IndexStateError
from rag.ingest import ingest
from tests.fakes import FakeEncoder, make_transcript

LONG = " ".join(f"Sentence number {i} says that China firmly opposes item {i} of the list." for i in range(30))


@pytest.fixture(autouse=True)
def _fake_is_the_configured_model(monkeypatch):
    monkeypatch.setattr("rag.ingest.MODEL_NAME", FakeEncoder.name)


@pytest.fixture
def corpus(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for n, turns in enumerate([
        [("CCTV", "Taiwan is part of China."), ("AFP", "We oppose the tariffs. " + LONG)],
        [("Reuters", "The SCO summit was a success."), ("NHK", "We noted the reports on Japan.")],
        [("BBC", LONG + " Hong Kong affairs are China's internal affairs.")],
    ]):
        (src / f"{'abc'[n]}.txt").write_text(make_transcript(turns, header=f"China FO Presser - May {n + 1}, 2024"))
    return src


def _ingest(paths, idx, **kw):
    enc = FakeEncoder()
    return ingest(paths, idx, encoder_factory=lambda: enc, **kw), enc


def _shards(idx):
    return sorted(p for p in (idx / "cache").rglob("*") if p.is_file() and p.suffix in (".npz", ".bad"))


def test_put_get_roundtrip_and_keys():
    k1, k2 = chunk_key("Q\nWe noted it.", [(2, 14)]), chunk_key("Q\nWe noted it.", [(2, 8), (9, 14)])
    assert len(k1) == 32 and k1 != k2 != chunk_key("Q\nWe noted it!", [(2, 14)])
    assert k1 == chunk_key("Q\nWe noted it.", [(2, 14)])


def test_cache_survives_reopening(tmp_path):
    c = EmbedCache(tmp_path, "m/x", "fp32")
    k = [bytes([i]) * 32 for i in range(3)]
    vecs = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    units = [np.full((n, 4), n + 0.5, np.float32) for n in (1, 2, 0)]
    c.put(k, vecs, units)
    again = EmbedCache(tmp_path, "m/x", "fp32")
    got = again.get(k + [b"\0" * 32])
    assert len(again) == 3 and set(got) == set(k) and not again.warnings
    np.testing.assert_array_equal(np.stack([got[x][0] for x in k]), vecs)  # bit-identical
    assert [got[x][1].tolist() for x in k] == [u.tolist() for u in units]
    assert len(EmbedCache(tmp_path, "m/x", "bf16")) == 0  # another dtype is another namespace
    assert json.loads((again.dir / "params.json").read_text())["recipe"] == RECIPE


def test_rebuild_embeds_nothing_and_gives_identical_vectors(corpus, tmp_path):
    idx = tmp_path / "idx"
    first, enc = _ingest([corpus], idx)
    assert first.embedded == first.chunks == enc.calls and first.cached == 0
    a = store.load(idx)
    again, enc = _ingest([corpus], idx, rebuild=True)
    b = store.load(idx)
    assert again.written and again.embedded == enc.calls == 0 and again.cached == again.chunks
    np.testing.assert_array_equal(a.vectors, b.vectors)
    np.testing.assert_array_equal(a.sentences.vectors, b.sentences.vectors)
    np.testing.assert_array_equal(a.sentences.start, b.sentences.start)
    assert a.manifest["embed_recipe"] == b.manifest["embed_recipe"] == RECIPE


def test_no_cache_embeds_everything_and_writes_nothing(corpus, tmp_path):
    idx = tmp_path / "idx"
    rep, enc = _ingest([corpus], idx, cache=False)
    assert rep.embedded == rep.chunks == enc.calls and not (idx / "cache").exists()
    _ingest([corpus], idx, rebuild=True)  # fills the cache
    rep, enc = _ingest([corpus], idx, rebuild=True, cache=False)
    assert rep.embedded == rep.chunks and rep.cached == 0
    assert build_parser().parse_args(["ingest", "x", "--no-cache"]).no_cache


def test_build_killed_partway_resumes_with_the_rest(corpus, tmp_path, monkeypatch):
    """An encoder that dies on its third group: the first two groups are in the cache, and the next
    build embeds only the other chunks; the index equals a clean build."""
    monkeypatch.setattr("rag.ingest.GROUP", 2)
    clean, _ = _ingest([corpus], tmp_path / "clean", cache=False)

    class Dies(FakeEncoder):
        def encode_units(self, texts, spans, **kw):
            self.groups = getattr(self, "groups", 0) + 1
            if self.groups == 3:
                raise KeyboardInterrupt  # what the kill does, minus the process
            return super().encode_units(texts, spans, **kw)

    idx = tmp_path / "idx"
    with pytest.raises(KeyboardInterrupt):
        ingest([corpus], idx, encoder_factory=Dies)
    assert store.build_dir(idx) is None  # nothing live was replaced
    assert len(EmbedCache.beside(idx, FakeEncoder.name, "fp32")) == 4
    rep, enc = _ingest([corpus], idx)
    assert rep.cached == 4 and rep.embedded == enc.calls == clean.chunks - 4
    a, b = store.load(tmp_path / "clean"), store.load(idx)
    assert [(c.turn_id, c.text) for c in a.chunks] == [(c.turn_id, c.text) for c in b.chunks]
    np.testing.assert_array_equal(a.vectors, b.vectors)
    np.testing.assert_array_equal(a.sentences.vectors, b.sentences.vectors)


def test_new_chunking_reembeds_only_changed_texts(corpus, tmp_path):
    idx = tmp_path / "idx"
    _ingest([corpus], idx)
    with pytest.raises(IndexStateError, match="--rebuild"):
        _ingest([corpus], idx, params=ChunkParams(max_tokens=60))
    rep, enc = _ingest([corpus], idx, params=ChunkParams(max_tokens=60), rebuild=True)
    srcs = store.load(idx).sources.values()
    old = {c.embed_text for s in srcs for c in chunk_source(s, ChunkParams())}
    new = [c.embed_text for s in srcs for c in chunk_source(s, ChunkParams(max_tokens=60))]
    changed = [t for t in new if t not in old]
    assert 0 < len(changed) < len(new)  # short answers are cut the same: only the long ones change
    assert rep.embedded == enc.calls == len(set(changed)) and rep.cached == len(new) - len(changed)


def test_damaged_or_torn_shard_is_reported_once_and_embedded_again(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr("rag.ingest.GROUP", 2)
    idx = tmp_path / "idx"
    first, _ = _ingest([corpus], idx)
    good = store.load(idx)
    shard = _shards(idx)[0]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    shard.write_bytes(bytes(data))
    (shard.parent / ".tmp-000099-0000000000000000.npz.1234abcd").write_bytes(data[:100])  # a killed writer's
    rep, enc = _ingest([corpus], idx, rebuild=True)
    notes = [m for _f, m in rep.warnings if "damaged embedding-cache shard" in m]
    assert len(notes) == 1 and shard.name in notes[0]
    assert rep.embedded == enc.calls == 2 and rep.cached == first.chunks - 2
    assert shard.with_name(shard.name + ".bad").exists() and not shard.exists()
    assert not list(shard.parent.glob(".tmp-*"))
    np.testing.assert_array_equal(store.load(idx).vectors, good.vectors)
    rep, enc = _ingest([corpus], idx, rebuild=True)  # the rebuilt entries are cached; no second warning
    assert rep.embedded == 0 and not rep.warnings


def test_truncated_shard_and_unknown_params_are_not_trusted(corpus, tmp_path):
    idx = tmp_path / "idx"
    first, _ = _ingest([corpus], idx)
    shard = _shards(idx)[0]
    shard.write_bytes(shard.read_bytes()[:50])
    rep, _ = _ingest([corpus], idx, rebuild=True)
    assert rep.embedded == first.chunks and any("damaged" in m for _f, m in rep.warnings)
    params = idx / "cache" / _shards(idx)[-1].parent.name / "params.json"
    params.write_text(json.dumps({**json.loads(params.read_text()), "version": 99}))
    rep, _ = _ingest([corpus], idx, rebuild=True)
    assert rep.embedded == first.chunks and any("unknown parameters" in m for _f, m in rep.warnings)


def test_cache_write_failure_is_a_warning_not_a_failure(corpus, tmp_path, monkeypatch):
    real = os.rename

    def no_space(a, b):
        if "/cache/" in str(a):
            raise OSError(28, "No space left on device")
        return real(a, b)

    monkeypatch.setattr(os, "rename", no_space)
    rep, _ = _ingest([corpus], tmp_path / "idx")
    assert rep.written and not rep.failed
    assert [m for _f, m in rep.warnings if "cannot write the embedding cache" in m]
    assert not _shards(tmp_path / "idx")


def test_another_encoder_never_fills_the_models_namespace(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr("rag.ingest.MODEL_NAME", "sentence-transformers/all-MiniLM-L6-v2")
    rep, enc = _ingest([corpus], tmp_path / "idx")
    assert rep.embedded == enc.calls == rep.chunks and not _shards(tmp_path / "idx")


def test_index_of_another_recipe_needs_rebuild(corpus, tmp_path):
    idx = tmp_path / "idx"
    _ingest([corpus], idx)
    mpath = store.build_dir(idx) / "manifest.json"
    m = json.loads(mpath.read_text())
    del m["embed_recipe"]  # an index from before the cache: recipe 1, still extendable
    mpath.write_text(json.dumps(m))
    (corpus / "d.txt").write_text(make_transcript([("TASS", "Relations are good.")], header="May 9, 2024"))
    rep, _ = _ingest([corpus], idx)
    assert rep.added == ["d.txt"] and rep.embedded == 1
    mpath = store.build_dir(idx) / "manifest.json"
    mpath.write_text(json.dumps({**json.loads(mpath.read_text()), "embed_recipe": RECIPE + 1}))
    (corpus / "e.txt").write_text(make_transcript([("TASS", "Relations are fine.")], header="May 10, 2024"))
    with pytest.raises(IndexStateError, match="recipe.*--rebuild"):
        _ingest([corpus], idx)
