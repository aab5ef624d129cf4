"""Hostile and broken transcripts: each gets a clear per-file message, the rest is indexed,
the exit code signals partial failure, and what was indexed before answers exactly as before.

The corpus is generated in ``tests/bad_corpus.py`` (never copied from anywhere).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag import cli, store
from rag.ingest import ingest
from tests.bad_corpus import CASES, GOOD, write_bad_dir, write_file
from tests.paths import SEEDS
from tests.payloads import PAYLOADS


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory):
    return write_bad_dir(tmp_path_factory.mktemp("bad"))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A real-model index of the seeds, with answers recorded before the bad corpus arrives."""
    from rag.answer import ask
    from rag.embedding import Embedder
    from rag.retrieval import Retriever

    idx = tmp_path_factory.mktemp("idx")
    enc = Embedder()
    rep = ingest([SEEDS], idx, encoder_factory=lambda: enc)
    assert rep.written and not rep.failed
    questions = ["Taiwan drills", "Nobel Peace Prize", "Wuhan earthquake centre cyberattack", "Pakistan visit"]
    before = [ask(Retriever(store.load(idx), enc), q) for q in questions]
    return idx, enc, questions, before


@pytest.mark.slow
def test_bad_corpus(bad_dir, seeded, monkeypatch, capsys):
    idx, enc, questions, before = seeded
    # An unreadable file: as root chmod 000 does not stop reads, so the read itself fails here.
    unreadable = write_file(bad_dir, "unreadable.txt", GOOD.replace("Vienna", "Berlin"))
    real_read = Path.read_bytes

    def read_bytes(self):
        if self.name == "unreadable.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    old = store.load(idx)
    rep = ingest([bad_dir], idx, encoder_factory=lambda: enc)
    failed = {Path(f).name: m for f, m in rep.failed}
    skipped = {Path(f).name: m for f, m in rep.skipped}
    added = set(rep.added)
    warned = {Path(f).name: m for f, m in rep.warnings}
    # The totals, fixed: the 16 failing cases + the unreadable file; the duplicate; 21 cases + good.txt.
    assert (len(failed), len(skipped), len(added)) == (17, 1, 22), (sorted(failed), sorted(skipped), sorted(added))
    assert set(warned) == {"zerowidth.txt", "p_bidi.txt"}, warned
    for name, _, outcome, text in CASES:
        if outcome == "failed":
            assert name in failed, f"{name} should fail; added={name in added}"
            assert text.lower() in failed[name].lower(), (name, failed[name])
        elif outcome == "skipped":
            assert name in skipped and text in skipped[name], (name, skipped.get(name))
        else:
            assert name in added, (name, failed.get(name))
            assert text in warned.get(name, ""), (name, warned.get(name))
    assert "good.txt" in added
    assert "permission denied" in failed["unreadable.txt"].lower()
    # Every message names what is wrong; none is a Python traceback.
    assert all("Traceback" not in m and len(m) > 10 for m in failed.values())
    # Earlier content is untouched, byte for byte, and answers exactly as before.
    new = store.load(idx)
    assert set(new.sources) == set(old.sources) | added
    assert all(new.sources[name].turns for name in added)  # indexed means turns found, not just a file
    for name, src in old.sources.items():
        assert new.sources[name] == src
    old_chunks = {(c.source, c.start, c.end): c.chunk_id for c in old.chunks}
    for c in new.chunks:
        if (c.source, c.start, c.end) in old_chunks:
            assert (new.vectors[c.chunk_id] == old.vectors[old_chunks[(c.source, c.start, c.end)]]).all()
    from rag.answer import ask
    from rag.retrieval import Retriever

    r = Retriever(new, enc)
    for q, b in zip(questions, before, strict=True):
        a = ask(r, q, filters=__import__("rag.retrieval", fromlist=["make_filters"]).make_filters())
        # BM25's IDF and score scale are corpus-wide, so lower ranks may shift when files are added;
        # which chunk of a turn scores best can too. The turn that answers must not change.
        assert a["hits"][0]["turn_id"] == b["hits"][0]["turn_id"]
        assert a["citations"][0]["source"] == b["citations"][0]["source"] and a["found"] == b["found"]
    # The new good files answer too.
    res = ask(r, "pandas going to Austria")
    assert res["citations"][0]["source"] == "good.txt"
    # Hostile text is stored verbatim as text (rendering escapes it; see the browser tests).
    assert "<script>alert(1)</script>" in new.sources["script.txt"].canonical
    for name, _, _, visible in PAYLOADS:
        assert visible in new.sources[name].canonical
    assert "\u200b" not in new.sources["zerowidth.txt"].canonical and "\u202e" not in new.sources["zerowidth.txt"].canonical
    unreadable.unlink()


@pytest.mark.slow  # the CLI embeds good.txt with the real model
def test_cli_exit_code_signals_partial_failure(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    write_file(src, "good.txt", GOOD)
    write_file(src, "empty.txt", b"")
    rc = cli.main(["ingest", str(src), "--index", str(tmp_path / "idx"), "--json", "--quiet"])
    rep = json.loads(capsys.readouterr().out)
    assert rc == 1 and rep["added"] == ["good.txt"]
    assert [Path(f).name for f, _ in rep["failed"]] == ["empty.txt"]
    rc = cli.main(["ingest", str(tmp_path / "missing-dir"), "--index", str(tmp_path / "idx"), "--quiet"])
    assert rc == 1 and "no such file" in capsys.readouterr().err
