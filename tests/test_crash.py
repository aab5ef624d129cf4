"""Crash safety: an ingest killed at any moment, inside the save step too, leaves the previous index
loadable and answering identically."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rag import store
from rag.errors import IndexStateError
from rag.ingest import ingest
from tests.fakes import FakeEncoder, make_transcript

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus" / "fmprc" / "en"
QUESTIONS = ["Taiwan drills", "Nobel Peace Prize", "Volt Typhoon report", "mangrove forum"]


def _ask_all(idx: Path, enc) -> list[dict]:  # noqa: ANN001
    from rag.answer import ask
    from rag.retrieval import Retriever

    r = Retriever(store.load(idx), enc)
    return [ask(r, q) for q in QUESTIONS]


def _start_ingest(pages: list[Path], idx: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", *map(str, pages), "--index", str(idx),
                             "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_inside_save(idx: Path, pages: list[Path], at_manifest: bool) -> tuple[subprocess.Popen, Path]:
    """Start a writer and SIGKILL it once ``store.save`` has created its ``.tmp-<build>`` directory,
    or (``at_manifest``) once the manifest, the last file written before fsync and rename, is in it."""
    old = set(os.listdir(idx))  # a killed writer's leftover .tmp- dir is not this writer's
    p = _start_ingest(pages, idx)
    try:
        tmp = None
        deadline = time.monotonic() + 900
        while tmp is None:
            assert p.poll() is None, f"the writer exited ({p.returncode}) before it began to save"
            assert time.monotonic() < deadline, "the writer did not begin to save in 900 s"
            tmp = next((idx / n for n in os.listdir(idx) if n.startswith(".tmp-") and n not in old), None)
            if tmp is None:
                time.sleep(0.005)  # parsing and embedding take seconds; the save itself ~0.1-0.2 s
        if at_manifest:
            while tmp.is_dir() and not (tmp / "manifest.json").exists():
                pass  # no sleep: the manifest is followed only by ~50 ms of fsync before the rename
        p.send_signal(signal.SIGKILL)
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()
    return p, tmp


@pytest.mark.slow
def test_sigkill_during_ingest_keeps_previous_index(tmp_path):
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared corpus missing at {CORPUS}")
        pytest.skip("shared corpus not present")
    idx = tmp_path / "idx"
    subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(SEEDS), "--index", str(idx), "--quiet"],
                   cwd=ROOT, check=True, capture_output=True)
    pristine = tmp_path / "pristine"
    shutil.copytree(idx, pristine, symlinks=True)
    from rag.embedding import Embedder

    enc = Embedder()
    before = _ask_all(idx, enc)
    live = os.readlink(idx / "CURRENT")

    def previous_index_intact() -> None:
        assert os.readlink(idx / "CURRENT") == live
        assert _ask_all(idx, enc) == before  # loads and answers identically
        leftovers = [x.name for x in idx.iterdir() if x.name.startswith(".tmp-")]
        assert len(leftovers) <= 1  # at most the one the killed writer was filling

    pages = sorted(CORPUS.glob("*.html"))[:80]
    # 1. At random moments: 80 pages take ~40 s to embed here, so these land while importing, parsing or embedding.
    rng = random.Random(20261122)
    for delay in sorted(rng.uniform(0.5, 20.0) for _ in range(3)):
        p = _start_ingest(pages, idx)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert p.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
        previous_index_intact()
    # 2. Inside store.save (10 pages: less to embed before it): as the temp build directory appears, and
    # once that build is complete but not yet made current. The proof that a kill landed inside the save
    # is on disk: the writer's build is there (as .tmp-<id>, or renamed to <id>) and CURRENT is unchanged.
    # A kill that came too late (the switch done) proves nothing: restore the index and try again.
    for at_manifest in (False, True):
        for _attempt in range(3):
            p, tmp = _kill_inside_save(idx, pages[:10], at_manifest)
            build = idx / tmp.name.removeprefix(".tmp-")
            if p.returncode == -signal.SIGKILL and os.readlink(idx / "CURRENT") == live:
                break
            shutil.rmtree(idx)
            shutil.copytree(pristine, idx, symlinks=True)
        else:
            pytest.fail(f"no kill landed inside store.save in 3 attempts (at_manifest={at_manifest})")
        assert tmp.is_dir() or build.is_dir(), "killed before the writer's build existed"
        if at_manifest:
            assert (tmp / "manifest.json").is_file() or (build / "manifest.json").is_file()
        previous_index_intact()
    # The next successful writer sweeps every leftover and keeps exactly one build.
    subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(SEEDS), *map(str, pages[:2]), "--index", str(idx),
                    "--quiet"], cwd=ROOT, check=True, capture_output=True)
    names = [x.name for x in idx.iterdir()]
    assert not [n for n in names if n.startswith(".tmp-") or n.startswith(".CURRENT-")]
    assert len([n for n in names if n.startswith("b-")]) == 1


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
