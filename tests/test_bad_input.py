"""Hostile and broken transcripts: each gets a clear per-file message, the rest is indexed,
the exit code signals partial failure, and what was indexed before answers exactly as before.

The corpus is generated here, in the test (never copied from anywhere).
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest

from rag import cli, store
from rag.ingest import ingest
from rag.sources.files import MAX_FILE_BYTES, collect_files
from rag.sources.text import MAX_LINE_CHARS
from tests.payloads import PAYLOADS

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
GOOD = "CCTV: What about the panda loan to Vienna zoo?\nMao Ning: The giant pandas will travel to Vienna next spring.\n"
XSS = ('Reuters: Any comment?\nMao Ning: We reject <script>alert(1)</script> and <img src=x onerror="alert(2)"> '
       'and [click](javascript:alert(3)) claims.\n')


def _w(d: Path, name: str, data: bytes | str) -> Path:
    p = d / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


# (file name, content, expected outcome, text expected in the message)
# outcome: "failed" (reported, not indexed) | "ok" (indexed) | "skipped" (reported, not indexed, not an error)
CASES: list[tuple[str, object, str, str]] = [
    ("empty.txt", b"", "failed", "empty"),
    ("blank.txt", b"  \n\t\n   \n", "failed", "empty"),
    ("garbage.txt", random.Random(1).randbytes(4096), "failed", "binary"),
    ("garbage-nonul.txt", bytes(b % 255 + 1 for b in random.Random(2).randbytes(4096)), "failed", "not text"),
    ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "failed", "PDF"),
    ("gbk.txt", "新华社记者：请问你对此有何评论？\n毛宁：我们注意到有关报道。\n".encode("gbk"), "ok", ""),
    ("latin1.txt", "AFP: Any comment on the café attack?\nZhao Lijian: We condemn it. Señor Pérez is safe.\n".encode("latin-1"), "ok", ""),
    ("utf16.txt", "AFP: Question about Tibet?\nZhao Lijian: Tibet affairs are internal affairs.\n".encode("utf-16"), "ok", ""),
    ("bom.txt", b"\xef\xbb\xbf" + b"AFP: Question on bananas?\nZhao Lijian: Bananas are welcome.\n", "ok", ""),
    ("truncated.html", "<html><head><title>Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference "
                       "on May 3, 2019</title></head><body><div class=\"content\"><p>Q: What about the truncated "
                       "page?</p><p>A: We answer truncated questions", "ok", ""),
    ("nocontent.html", "<html><head><title>Something</title></head><body><p>Q: x</p><p>A: y</p></body></html>",
     "failed", "content"),
    ("nolabels.txt", "This is an essay about diplomacy.\nIt has no speakers at all.\n", "failed", "no question/answer"),
    ("labelsonly.txt", "CCTV:\nMao Ning:\nAFP:\nMao Ning:\n", "failed", "no question/answer"),
    ("longline.txt", "CCTV: Q?\nMao Ning: " + "word " * 1_000_000 + "\n", "failed", "characters long"),  # one 5 MB line
    ("nested.html", "<html><head><title>Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on June 4, "
                    "2018</title></head><body><div class=\"content\">" + "<div><span>" * 3000
                    + "<p>Q: Deep question about nesting?</p><p>A: Deep answer about nesting.</p>"
                    + "</span></div>" * 3000 + "</div></body></html>", "failed", "nested more than 256"),
    ("script.txt", XSS, "ok", ""),
    ("zerowidth.txt", "CC\u200bTV: What about \u202eevil\u202c text?\nMao Ning: Zero\u200b-width and "
                      "\u2067RTL\u2069 controls are dropped.\n", "ok", "invisible"),
    ("crlf.txt", "CCTV: Question with CRLF?\r\nMao Ning: Answer with CRLF line ends.\r\nMore CRLF text.\r\n", "ok", ""),
    ("cr.txt", "CCTV: Question with lone CR?\rMao Ning: Answer with old Mac line ends.\rMore CR text.\r", "ok", ""),
    ("dup-of-seed.txt", (SEEDS / "001_8363a456a0ed42b6.txt").read_bytes(), "skipped", "same transcript text"),
    ("nul-in-middle.txt", b"CCTV: Q?\nMao Ning: A.\x00\x00\x00 more\n", "failed", "NUL"),
    ("html-as-txt.txt", "<html><body><div>CCTV: Question?</div><div>Mao Ning: Answer.</div></body></html>", "failed", "holds an HTML page"),
    ("header-only.txt", "China FO Presser - May 5, 2024\n\nSome Excerpts\n", "failed", "no question/answer"),
    ("control-chars.txt", "CCTV: Bell \x07 question?\nMao Ning: Answer with \x1b[31m escape codes.\n", "ok", ""),
    ("entities.html", "<html><head><title>Foreign Ministry Spokesperson Hua Chunying's Regular Press Conference on "
                      "July 1, 2019</title></head><body><div class=\"content\"><p>Q: &lt;script&gt;alert(1)&lt;/script&gt;"
                      " question?</p><p>A: &lt;img src=x onerror=alert(1)&gt; answer &amp; more.</p></div></body></html>",
     "ok", ""),
    ("onlyquestion.txt", "CCTV: A question that nobody answered?\n", "failed", "no question/answer"),
    ("markdown.txt", "AFP: Markdown?\nMao Ning: **bold** _it_ <b>b</b> [x](javascript:alert(1)) ![i](x.png) `code`\n",
     "ok", ""),
    ("binary.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "failed", "cannot decode"),
    ("gbk.html", ("<html><head><meta charset=\"gbk\"><title>Foreign Ministry Spokesperson Lu Kang's Regular Press "
                  "Conference on June 5, 2018</title></head><body><div class=\"content\"><p>Q: 中文问题?</p>"
                  "<p>A: 中文回答。</p></div></body></html>").encode("gbk"), "ok", ""),
    ("weird name ä €.txt", "CCTV: Unicode file names?\nMao Ning: Are fine.\n", "ok", ""),
    ("big.txt", None, "failed", "MB"),  # written sparse below: over the size limit
] + [(name, content, "ok", "invisible" if name == "p_bidi.txt" else "") for name, content, _, _ in PAYLOADS]

# Written out, not derived from CASES, so a case that goes missing or changes its outcome shows:
# 16 files fail, 1 is skipped as a duplicate of a seed, 21 are indexed (14 + the 7 payloads).
EXPECTED_OUTCOMES = {"failed": 16, "skipped": 1, "ok": 21}


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    for name, data, _, _ in CASES:
        if data is not None:
            _w(d, name, data)
    with open(d / "big.txt", "wb") as fh:  # 50 MB, sparse: costs no disk
        fh.truncate(50 * 1024 * 1024)
    assert (d / "big.txt").stat().st_size > MAX_FILE_BYTES
    assert 5_000_000 > MAX_LINE_CHARS  # the 5 MB line must be over the line limit
    loop = d / "loop"
    loop.mkdir()
    os.symlink("..", loop / "up")  # a directory symlink loop
    _w(d, "good.txt", GOOD)
    return d


def test_the_table_holds_the_expected_cases():
    outcomes = Counter(outcome for _, _, outcome, _ in CASES)
    assert outcomes == EXPECTED_OUTCOMES and len(CASES) == 38  # + the symlink loop and the unreadable file below
    assert len({name for name, _, _, _ in CASES}) == 38  # no name twice (a later one would overwrite the file)


def test_symlink_loop_does_not_hang_or_duplicate(bad_dir):
    files, problems = collect_files([bad_dir])
    names = [f.name for f in files]
    assert len(names) == len(set(names)) and "good.txt" in names and not problems


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
    unreadable = _w(bad_dir, "unreadable.txt", GOOD.replace("Vienna", "Berlin"))
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
    _w(src, "good.txt", GOOD)
    _w(src, "empty.txt", b"")
    rc = cli.main(["ingest", str(src), "--index", str(tmp_path / "idx"), "--json", "--quiet"])
    rep = json.loads(capsys.readouterr().out)
    assert rc == 1 and rep["added"] == ["good.txt"]
    assert [Path(f).name for f, _ in rep["failed"]] == ["empty.txt"]
    rc = cli.main(["ingest", str(tmp_path / "missing-dir"), "--index", str(tmp_path / "idx"), "--quiet"])
    assert rc == 1 and "no such file" in capsys.readouterr().err
