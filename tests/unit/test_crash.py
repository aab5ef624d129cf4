"""Crash safety of the save step, with the fake encoder: an exception at every write step leaves the
previous build live, and damaged files name the fix. The SIGKILL test is in tests/integration/test_crash.py."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from rag import store
from rag.errors import IndexStateError
from rag.ingest import ingest
from tests.fakes import FakeEncoder, make_transcript


@pytest.mark.parametrize("fail_at", ["np.save", "faiss.write_index", "bm25.save", "manifest", "os.rename", "os.replace"])
def test_failure_at_each_step_of_save_leaves_old_build_live(tmp_path, monkeypatch, fail_at):
    """Deterministic companion of the SIGKILL test: an exception at every write step."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(make_transcript([("CCTV", "Taiwan is part of China.")]), encoding="utf-8")
    idx = tmp_path / "idx"
    enc = FakeEncoder()
    ingest([src], idx, encoder_factory=lambda: enc)
    old = store.load(idx)
    (src / "b.txt").write_text(make_transcript([("AFP", "Tariffs hurt everyone.")]), encoding="utf-8")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    import faiss

    targets = {"np.save": (np, "save"), "faiss.write_index": (faiss, "write_index"),
               "os.rename": (os, "rename"), "os.replace": (os, "replace")}
    if fail_at in targets:
        monkeypatch.setattr(*targets[fail_at], boom)
    elif fail_at == "bm25.save":
        import bm25s
        monkeypatch.setattr(bm25s.BM25, "save", boom)
    else:
        monkeypatch.setattr(Path, "write_text", boom)
    monkeypatch.setattr("rag.ingest.MODEL_NAME", FakeEncoder.name)  # the fake built the index
    with pytest.raises(OSError, match="No space left"):
        ingest([src], idx, encoder_factory=lambda: enc)
    monkeypatch.undo()
    new = store.load(idx)
    assert set(new.sources) == set(old.sources) == {"a.txt"}
    assert np.array_equal(new.vectors, old.vectors)


def test_truncated_or_mismatched_files_name_the_fix(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(make_transcript([("CCTV", "Taiwan is part of China.")]), encoding="utf-8")
    idx = tmp_path / "idx"
    ingest([src], idx, encoder_factory=FakeEncoder)
    d = store.build_dir(idx)
    np.save(d / "vectors.npy", np.zeros((5, 384), dtype=np.float32))
    with pytest.raises(IndexStateError, match="inconsistent.*rebuild"):
        store.load(idx)
    for f in (d / "bm25").iterdir():
        f.unlink()
    with pytest.raises(IndexStateError, match="rebuild"):
        store.load(idx)
    (d / "manifest.json").write_text("{not json")
    with pytest.raises(IndexStateError, match="unreadable.*rebuild"):
        store.load(idx)
