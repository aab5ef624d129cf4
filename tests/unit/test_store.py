import json
import os
from pathlib import Path

import numpy as np
import pytest

from rag import store
from rag.chunking import ChunkParams
from rag.embedding import MODEL_NAME
from rag.errors import IndexStateError
from rag.ingest import ingest
from tests.fakes import FakeEncoder, make_transcript


@pytest.fixture(autouse=True)
def _fake_is_the_configured_model(monkeypatch):
    # Ingest checks an existing index against rag.ingest.MODEL_NAME; in these tests the fake is the model.
    monkeypatch.setattr("rag.ingest.MODEL_NAME", FakeEncoder.name)


def _write(d: Path, name: str, turns):
    d.mkdir(parents=True, exist_ok=True)
    p = d / name
    p.write_text(make_transcript(turns, header=f"China FO Presser - May {len(turns)}, 2024"), encoding="utf-8")
    return p


@pytest.fixture
def corpus(tmp_path):
    src = tmp_path / "src"
    _write(src, "a.txt", [("CCTV", "Taiwan is part of China."), ("AFP", "We oppose the tariffs.")])
    _write(src, "b.txt", [("Reuters", "The SCO summit was a success."), ("NHK", "We noted the reports on Japan.")])
    return src


def _ingest(paths, idx, enc=None, **kw):
    enc = enc or FakeEncoder()
    return ingest(paths, idx, encoder_factory=lambda: enc, **kw), enc


def test_build_load_roundtrip(corpus, tmp_path):
    idx = tmp_path / "idx"
    rep, _ = _ingest([corpus], idx)
    assert rep.written and rep.conferences == 2 and rep.turns == 4 and not rep.failed
    index = store.load(idx)
    assert len(index.chunks) == rep.chunks == index.vectors.shape[0] == index.dense.ntotal
    for c in index.chunks:
        assert index.sources[c.source].canonical[c.start:c.end] == c.text
    m = json.loads((store.build_dir(idx) / "manifest.json").read_text())
    assert m["format"] == store.FORMAT and m["version"] == store.FORMAT_VERSION
    assert set(m["sources"]) == {"a.txt", "b.txt"} and all(len(v["sha256"]) == 64 for v in m["sources"].values())
    assert m["chunking"] == ChunkParams().to_dict() and m["dims"] == 384 and m["model"] == "fake-hash-encoder"


def test_unchanged_reingest_embeds_nothing_and_writes_nothing(corpus, tmp_path):
    idx = tmp_path / "idx"
    _ingest([corpus], idx)
    before = os.readlink(idx / "CURRENT")
    rep, enc = _ingest([corpus], idx)
    assert not rep.written and enc.calls == 0 and rep.unchanged == ["a.txt", "b.txt"]
    assert os.readlink(idx / "CURRENT") == before


def test_unchanged_reingest_recomputes_flags_stored_under_older_patterns(corpus, tmp_path, monkeypatch):
    """A release that changes the sentence patterns (rag.sentence_flags.FLAGS_KEY) leaves an index's stored flags
    stale: ask time computes them (~10 ms an answer) until the next ingest, which writes them anew even when no
    transcript changed, embedding nothing."""
    from rag import sentence_flags

    idx = tmp_path / "idx"
    _ingest([corpus], idx)
    before = os.readlink(idx / "CURRENT")
    monkeypatch.setattr(sentence_flags, "FLAGS_KEY", "newpatterns0")
    assert not store.load(idx).sentences.flags_current
    rep, enc = _ingest([corpus], idx)
    assert rep.written and enc.calls == 0 and rep.unchanged == ["a.txt", "b.txt"]
    assert any("older patterns" in w for _, w in rep.warnings)
    assert os.readlink(idx / "CURRENT") != before
    table = store.load(idx).sentences
    assert table.flags_current and table.flags_key == "newpatterns0"
    rep, _ = _ingest([corpus], idx)  # now current: nothing to write
    assert not rep.written


def test_adding_one_file_embeds_only_its_chunks(corpus, tmp_path):
    idx = tmp_path / "idx"
    _ingest([corpus], idx)
    old = store.load(idx)
    _write(corpus, "c.txt", [("BBC", "Hong Kong affairs are China's internal affairs.")])
    rep, enc = _ingest([corpus], idx)
    new = store.load(idx)
    assert rep.added == ["c.txt"] and enc.calls == rep.embedded == 1 and rep.reused == len(old.chunks)
    # Carried-over vectors are identical to the old ones, row for row by chunk span.
    old_vec = {(c.source, c.start): old.vectors[c.chunk_id] for c in old.chunks}
    for c in new.chunks:
        if c.source != "c.txt":
            np.testing.assert_array_equal(new.vectors[c.chunk_id], old_vec[(c.source, c.start)])
    # The sentence flags of every unit, carried over or computed, are what the texts give (rag.sentence_flags).
    from rag.sentence_flags import flags_of

    t = new.sentences
    texts = [new.sources[new.chunks[int(t.chunk[r])].source].canonical[int(t.start[r]):int(t.end[r])]
             for r in range(len(t))]
    np.testing.assert_array_equal(t.flags_of_rows(np.arange(len(t))), flags_of(texts))


def test_failed_file_is_reported_and_others_indexed(corpus, tmp_path):
    (corpus / "bad.txt").write_bytes(b"\xff\xfe\x00garbage")
    (corpus / "empty.txt").write_text("   \n", encoding="utf-8")
    rep, _ = _ingest([corpus], tmp_path / "idx")
    failed = dict(rep.failed)
    assert set(Path(f).name for f in failed) == {"bad.txt", "empty.txt"}
    assert any("empty" in m for m in failed.values())
    assert rep.conferences == 2


def test_only_one_live_build_and_no_temp_dirs(corpus, tmp_path):
    idx = tmp_path / "idx"
    _ingest([corpus], idx)
    (idx / ".tmp-b-crashed").mkdir()  # what a killed writer leaves behind
    _write(corpus, "c.txt", [("BBC", "Text.")])
    _ingest([corpus], idx)
    names = sorted(p.name for p in idx.iterdir())
    assert [n for n in names if n.startswith("b-")] == [os.readlink(idx / "CURRENT")]
    assert not [n for n in names if n.startswith(".tmp-")]


def test_missing_and_damaged_files_give_one_clear_error(corpus, tmp_path):
    idx = tmp_path / "idx"
    with pytest.raises(IndexStateError, match="no index"):
        store.load(idx)
    _ingest([corpus], idx)
    d = store.build_dir(idx)
    data = (d / "dense.faiss").read_bytes()
    (d / "dense.faiss").write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexStateError, match="rebuild"):
        store.load(idx)
    (d / "dense.faiss").unlink()
    with pytest.raises(IndexStateError, match="missing dense.faiss"):
        store.load(idx)


def test_other_model_or_version_is_refused(corpus, tmp_path):
    idx = tmp_path / "idx"
    _ingest([corpus], idx)
    # An index built with the fake is not a MiniLM index.
    with pytest.raises(IndexStateError, match="fake-hash-encoder"):
        store.load(idx, model=MODEL_NAME)
    mpath = store.build_dir(idx) / "manifest.json"
    m = json.loads(mpath.read_text())
    mpath.write_text(json.dumps({**m, "model": "other/model"}))
    with pytest.raises(IndexStateError, match="other/model"):
        store.load(idx, model=FakeEncoder.name)
    mpath.write_text(json.dumps({**m, "version": 999}))
    with pytest.raises(IndexStateError, match="v999"):
        store.load(idx)


def test_other_chunk_settings_need_rebuild(corpus, tmp_path):
    idx = tmp_path / "idx"
    _ingest([corpus], idx)
    with pytest.raises(IndexStateError, match="other settings.*--rebuild"):
        _ingest([corpus], idx, params=ChunkParams(max_tokens=99))
    rep, _ = _ingest([corpus], idx, params=ChunkParams(max_tokens=99), rebuild=True)
    assert rep.written and store.load(idx).manifest["chunking"]["max_tokens"] == 99
