"""A corpus of hostile and broken transcripts, generated here (never copied from anywhere), with the
outcome each file must get: a clear per-file message, or indexed, or skipped.

Used by ``tests/unit/test_bad_input.py`` (the table, file collection) and
``tests/integration/test_bad_input.py`` (ingest with the real model, the CLI's exit code).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from rag.sources.files import MAX_FILE_BYTES
from rag.sources.text import MAX_LINE_CHARS
from tests.paths import SEEDS
from tests.payloads import PAYLOADS

GOOD = "CCTV: What about the panda loan to Vienna zoo?\nMao Ning: The giant pandas will travel to Vienna next spring.\n"
XSS = ('Reuters: Any comment?\nMao Ning: We reject <script>alert(1)</script> and <img src=x onerror="alert(2)"> '
       'and [click](javascript:alert(3)) claims.\n')


def write_file(d: Path, name: str, data: bytes | str) -> Path:
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


def write_bad_dir(d: Path) -> Path:
    """Write every case of ``CASES`` into the empty directory ``d``, plus a symlink loop and ``good.txt``."""
    for name, data, _, _ in CASES:
        if data is not None:
            write_file(d, name, data)
    with open(d / "big.txt", "wb") as fh:  # 50 MB, sparse: costs no disk
        fh.truncate(50 * 1024 * 1024)
    assert (d / "big.txt").stat().st_size > MAX_FILE_BYTES
    assert 5_000_000 > MAX_LINE_CHARS  # the 5 MB line must be over the line limit
    loop = d / "loop"
    loop.mkdir()
    os.symlink("..", loop / "up")  # a directory symlink loop
    write_file(d, "good.txt", GOOD)
    return d
