"""The embedding runtimes without the model (rag/embedding.py, rag/onnx_model.py, rag/embed_cache.py):
which runtime runs which dtype, the onnx file made once and atomically, the clear error without
onnxruntime, the cache kept apart per runtime, the manifest's backend. Real vectors (onnx against torch)
are compared in tests/integration/test_embedding.py."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from rag import onnx_model, store
from rag.embed_cache import RECIPE, EmbedCache
from rag.embedding import Embedder, default_backend
from rag.errors import MissingDependency, RagError
from rag.ingest import ingest
from tests.fakes import FakeEncoder, make_transcript

_REAL_INIT = Embedder.__init__  # tests/unit/conftest.py replaces it while tests run; read at import


@pytest.fixture
def checks_only(monkeypatch):
    """The real ``Embedder.__init__`` for its argument checks, with every loader made to fail: these
    tests pass only if the checks refuse before anything is loaded."""
    def no_loading(*a, **k):
        raise AssertionError("a model was about to be loaded")

    monkeypatch.setattr(Embedder, "__init__", _REAL_INIT)
    monkeypatch.setattr("rag.embedding._TorchReplica.__init__", no_loading)
    monkeypatch.setattr(onnx_model, "session", no_loading)
    monkeypatch.setattr(onnx_model, "onnx_path", no_loading)


def test_default_backend_is_onnx_torch_for_bf16_and_the_environment_can_choose(monkeypatch):
    monkeypatch.delenv("RAG_EMBED_BACKEND", raising=False)
    assert (default_backend("fp32"), default_backend("int8"), default_backend("bf16")) == ("onnx", "onnx", "torch")
    monkeypatch.setenv("RAG_EMBED_BACKEND", "torch")
    assert default_backend("fp32") == "torch"
    monkeypatch.setenv("RAG_EMBED_BACKEND", "tensorflow")
    with pytest.raises(ValueError, match="RAG_EMBED_BACKEND"):
        default_backend()


@pytest.mark.parametrize(("dtype", "backend", "message"), [
    ("fp16", None, "dtype must be one of"),
    ("bf16", "onnx", "does not run bf16"),
    ("int8", "torch", "does not run int8"),
    ("fp32", "jax", "does not run fp32"),
])
def test_a_runtime_refuses_a_dtype_it_does_not_compute_before_loading_anything(dtype, backend, message,
                                                                               checks_only):
    with pytest.raises(ValueError, match=message):
        Embedder(dtype, backend=backend)


def test_without_onnxruntime_the_error_says_how_to_install_it(monkeypatch, checks_only):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    with pytest.raises(MissingDependency, match="make install.*RAG_EMBED_BACKEND=torch"):
        Embedder("fp32", backend="onnx")  # before any export (checks_only fails an export)


def _fake_model(tmp_path):
    d = tmp_path / "model"
    d.mkdir()
    (d / "model.safetensors").write_bytes(b"weights")
    return d


def test_onnx_file_is_exported_once_and_quantised_from_it(tmp_path, monkeypatch):
    calls = []

    def export(src, dst):
        calls.append(("export", dst.name))
        dst.write_bytes(b"fp32 graph")

    monkeypatch.setattr(onnx_model, "export_fp32", export)
    monkeypatch.setattr(onnx_model, "quantize_int8", lambda src, dst: (calls.append(("int8", src.name)),
                                                                       dst.write_bytes(b"int8 graph")))
    model, cache = _fake_model(tmp_path), tmp_path / "onnx"
    fp32 = onnx_model.onnx_path("fp32", model, cache)
    assert fp32.read_bytes() == b"fp32 graph" and fp32.name.endswith("-fp32.onnx")
    int8 = onnx_model.onnx_path("int8", model, cache)
    assert int8.read_bytes() == b"int8 graph" and int8.parent == fp32.parent
    assert onnx_model.onnx_path("fp32", model, cache) == fp32 and onnx_model.onnx_path("int8", model, cache) == int8
    assert [c[0] for c in calls] == ["export", "int8"]  # once each
    assert calls[1][1] == fp32.name  # the int8 graph is quantised from the fp32 export
    assert calls[0][1].startswith(".tmp-")  # written beside, renamed in
    assert sorted(p.name for p in cache.iterdir()) == sorted([fp32.name, int8.name])
    # Other weights (reinstalled, changed): another file, exported again.
    (model / "model.safetensors").write_bytes(b"other weights!")
    assert onnx_model.onnx_path("fp32", model, cache) != fp32 and len(calls) == 3
    with pytest.raises(ValueError, match="fp32 or int8"):
        onnx_model.onnx_path("bf16", model, cache)


def test_a_failed_export_leaves_no_file(tmp_path, monkeypatch):
    def export(src, dst):
        dst.write_bytes(b"half a gra")
        raise KeyboardInterrupt  # killed mid-write

    monkeypatch.setattr(onnx_model, "export_fp32", export)
    cache = tmp_path / "onnx"
    with pytest.raises(KeyboardInterrupt):
        onnx_model.onnx_path("fp32", _fake_model(tmp_path), cache)
    assert list(cache.iterdir()) == []


def test_an_unwritable_cache_folder_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_model, "export_fp32", lambda src, dst: dst.write_bytes(b"graph"))
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(RagError, match="RAG_CACHE_DIR"):
        onnx_model.onnx_path("fp32", _fake_model(tmp_path), blocked / "onnx")


def test_cache_namespace_per_runtime_and_old_torch_caches_still_read(tmp_path):
    k = [bytes([1]) * 32]
    vec, units = np.ones((1, 4), np.float32), [np.ones((2, 4), np.float32)]
    torch_c, onnx_c = EmbedCache(tmp_path, "m", "fp32", "torch"), EmbedCache(tmp_path, "m", "fp32", "onnx")
    assert torch_c.dir.name == f"m-fp32-r{RECIPE}" and onnx_c.dir.name == f"m-fp32-onnx-r{RECIPE}"
    onnx_c.put(k, vec, units)
    assert len(EmbedCache(tmp_path, "m", "fp32", "onnx")) == 1 and len(EmbedCache(tmp_path, "m", "fp32", "torch")) == 0
    assert json.loads((onnx_c.dir / "params.json").read_text())["backend"] == "onnx"
    # A torch cache written before the runtime was recorded (no "backend" in params.json) is torch's.
    torch_c.put(k, vec, units)
    p = torch_c.dir / "params.json"
    params = json.loads(p.read_text())
    del params["backend"]
    p.write_text(json.dumps(params))
    again = EmbedCache(tmp_path, "m", "fp32", "torch")
    assert len(again) == 1 and not again.warnings


class _Runtime(FakeEncoder):
    backend = "torch"


def _transcript(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(make_transcript([("CCTV", "Taiwan is part of China."), ("AFP", "We oppose tariffs.")],
                                               header="China FO Presser - May 1, 2024"))
    return src


def test_manifest_records_the_runtime_and_each_runtime_has_its_own_cached_vectors(tmp_path, monkeypatch):
    monkeypatch.setattr("rag.ingest.MODEL_NAME", FakeEncoder.name)
    monkeypatch.delenv("RAG_EMBED_BACKEND", raising=False)
    src, idx = _transcript(tmp_path), tmp_path / "idx"
    first = ingest([src], idx, encoder_factory=FakeEncoder)
    assert store.load(idx).manifest["backend"] == "onnx"  # the configured runtime (the fake names none)
    monkeypatch.setenv("RAG_EMBED_BACKEND", "torch")  # how a user switches runtime
    enc = _Runtime()
    again = ingest([src], idx, encoder_factory=lambda: enc, rebuild=True)
    assert again.cached == 0 and again.embedded == enc.calls == first.chunks  # onnx's vectors not used
    assert store.load(idx).manifest["backend"] == "torch"
    enc = _Runtime()
    third = ingest([src], idx, encoder_factory=lambda: enc, rebuild=True)
    assert third.cached == first.chunks and enc.calls == 0  # torch's own, from the cache
    assert store.load(idx).manifest["backend"] == "torch"  # every vector from the torch namespace
    # An encoder of another runtime than the configured one neither reads nor fills the cache.
    monkeypatch.delenv("RAG_EMBED_BACKEND")
    other = tmp_path / "other"
    rep = ingest([src], other, encoder_factory=_Runtime)
    assert rep.embedded == first.chunks and not list((other / "cache").rglob("*.npz"))
    assert store.load(other).manifest["backend"] == "torch"
