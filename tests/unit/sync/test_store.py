"""The sync data directory: atomic pages, pages.tsv rows after the page, torn rows cut, one writer."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from rag.errors import RagError
from rag.sources.fmprc_en import load_urls
from rag.sync.store import Store, page_name
from tests.paths import ROOT

URL = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1794584.shtml"


def test_page_names_follow_the_corpus():
    assert page_name(URL) == "t1794584.html"
    assert page_name("https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/202404/t20240403_11276141.shtml") \
        == "t20240403_11276141.html"
    assert page_name("https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/202405/t20240530_11315610.html") \
        == "t20240530_11315610.html"


def test_save_record_reopen(tmp_path):
    s = Store(tmp_path)
    p = s.save_page(URL, "zh", b"<html>a</html>")
    s.record("https://h/x/t2.shtml", "missing")
    s.record("https://h/x/t3.shtml", "removed")
    s.close()
    s = Store(tmp_path)
    assert p == tmp_path / "zh" / "t1794584.html" and p.read_bytes() == b"<html>a</html>"
    assert [s.status(u) for u in (URL, "https://h/x/t2.shtml", "https://h/x/t3.shtml", "https://h/x/t4")] \
        == ["ok", "missing", "removed", None]
    assert s.row(URL)["sha256"] == hashlib.sha256(b"<html>a</html>").hexdigest()
    assert s.stored("zh") == [p] and s.stored("en") == []
    s.close()
    # rag ingest reads the URLs of the stored pages from the same file (rows of unstored pages have no file).
    assert load_urls(tmp_path / "zh") == {"t1794584.html": URL}


def test_two_urls_never_share_a_file(tmp_path):
    s = Store(tmp_path)
    a = s.save_page("https://h/a/t1.shtml", "en", b"a")
    b = s.save_page("https://h/b/t1.shtml", "en", b"b")
    assert a != b and a.read_bytes() == b"a" and b.read_bytes() == b"b"
    assert s.save_page("https://h/a/t1.shtml", "en", b"a2") == a  # the same URL keeps its file
    s.close()


def test_one_writer_at_a_time(tmp_path):
    s = Store(tmp_path)
    with pytest.raises(RagError, match="another rag sync"):
        Store(tmp_path)
    s.close()
    Store(tmp_path).close()


def test_a_failed_write_leaves_no_page_and_no_row(tmp_path, monkeypatch):
    s = Store(tmp_path)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        s.save_page(URL, "zh", b"<html>whole page</html>")
    monkeypatch.undo()
    s.close()
    assert list((tmp_path / "zh").glob(".tmp-*"))  # the temp file is left behind by the "crash"...
    s = Store(tmp_path)
    assert not list(tmp_path.rglob(".tmp-*"))  # ...and removed when the store is next opened
    assert s.status(URL) is None and not (tmp_path / "zh" / "t1794584.html").exists()
    s.close()


def test_a_torn_row_is_cut_off(tmp_path):
    s = Store(tmp_path)
    s.save_page(URL, "zh", b"<html>a</html>")
    s.close()
    with open(tmp_path / "pages.tsv", "a", encoding="utf-8") as fh:
        fh.write("zh/t9.html\thttps://h/t9.shtml\t2020-")  # killed mid-append
    s = Store(tmp_path)
    assert s.status("https://h/t9.shtml") is None and s.status(URL) == "ok"
    s.record("https://h/t10.shtml", "missing")
    s.close()
    lines = (tmp_path / "pages.tsv").read_text().splitlines()
    assert lines[0].split("\t") == ["file", "url", "fetched_at", "sha256", "status"]
    assert [line.split("\t")[1] for line in lines[1:]] == [URL, "https://h/t10.shtml"]


def test_listing_cache_is_checked(tmp_path):
    s = Store(tmp_path)
    url = "http://127.0.0.1:9/web/wjdt_674879/fyrbt_674889/"
    s.save_listing(url, b"<html>listing</html>", '"e1"', "Sat, 04 Jul 2020 04:00:00 GMT")
    body, meta = s.cached_listing(url)
    assert body == b"<html>listing</html>" and meta["etag"] == '"e1"'
    s.listing_path(url).write_bytes(b"<html>other</html>")  # not what the .json vouches for
    assert s.cached_listing(url) is None
    assert s.cached_listing(url + "default_1.shtml") is None
    s.close()


def test_sigkill_while_storing_never_leaves_a_half_page(tmp_path):
    """A child stores pages of 64 kB until it is killed, after its 50th. Every page with a row is whole."""
    child = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from rag.sync.store import Store
        s = Store({str(tmp_path)!r})
        for i in range(100000):
            s.save_page(f"https://h/x/t{{i}}.shtml", "en", bytes([i % 256]) * 65536)
            print(i, flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE)
    for _ in range(50):
        assert proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    s = Store(tmp_path)
    rows = [r for r in s.rows if r["status"] == "ok"]
    assert 50 <= len(rows) < 100000
    for r in rows:
        data = (tmp_path / r["file"]).read_bytes()
        assert len(data) == 65536 and hashlib.sha256(data).hexdigest() == r["sha256"]
    # A file without a row (stored just before the kill) is whole too; the next run fetches it again.
    assert all(len(p.read_bytes()) == 65536 for p in (tmp_path / "en").glob("t*.html"))
    assert not list(tmp_path.rglob(".tmp-*"))
    s.close()
