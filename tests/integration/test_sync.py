"""``rag sync`` end to end against the local mirror of the ministry's site (tests/sync_mirror.py):
the CLI, fault injection over the whole English listing, the real model indexing a few new pages,
a SIGKILL mid-sync, and the request rate measured at the server. Loopback only, a few seconds each."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

from rag import cli, store
from rag.sync.listing import parse_listing
from tests.paths import ROOT
from tests.sync_mirror import CORPUS, EN_LISTING, ZH_LISTING, Mirror, small_zh_page

EN_DIR = "/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"
FAST = ["--rate", "50", "--backoff", "0.05", "--timeout", "1", "--quiet", "--json"]


def page(n: int) -> str:
    return f"{EN_DIR}t{n}.shtml"


@pytest.fixture
def mirror():
    with Mirror() as m:
        yield m


def sync_json(capsys, *args: str) -> tuple[int, dict]:
    code = cli.main(["sync", *args])
    return code, json.loads(capsys.readouterr().out)


def short_english_listing(n: int) -> bytes:
    """The saved first English listing page cut to its first ``n`` items, as a one-page listing."""
    html = (CORPUS / "fmprc" / "listings" / "en-2020-07-04" / "default.shtml").read_text(encoding="utf-8")
    items = re.findall(r"\s*<li><a href=\"\./t\d+\.shtml\".*?</li>", html)
    for item in items[n:]:
        html = html.replace(item, "", 1)
    return html.replace("var countPage = 13", "var countPage = 1").encode()


def test_whole_english_listing_with_faults_then_nothing_new(mirror, tmp_path, capsys):
    ok = {"retried 500": 1794629, "timeout": 1794266, "reset": 1793861, "truncated": 1793427, "slow": 1793120}
    gone = {"system": 1792107, "404": 1791668, "robots": 1791285, "no body": 1790521}
    mirror.fault(page(ok["retried 500"]), ("status", 500), ("status", 500))
    mirror.fault(page(ok["timeout"]), ("sleep", 2.0))
    mirror.fault(page(ok["reset"]), ("reset",))
    mirror.fault(page(ok["truncated"]), ("truncate",))
    mirror.fault(page(ok["slow"]), ("slow", 0.5))
    mirror.routes[page(gone["system"])] = ("redirect", "/web/system/2017/09/25/index.html")
    mirror.routes[page(gone["404"])] = ("status", 404)
    mirror.routes[page(gone["no body"])] = ("bytes", b"<html><body><div class='content'> </div></body></html>")
    mirror.robots = f"User-agent: *\nDisallow: {page(gone['robots'])}\n".encode()
    data = tmp_path / "data"
    t = time.monotonic()
    # Both sections named, English only asked for: the Chinese listing is not read.
    code, r = sync_json(capsys, "--listing", mirror.url(EN_LISTING), "--listing", mirror.url(ZH_LISTING),
                        "--lang", "en", "--data", str(data), "--no-index", *FAST)
    seconds = time.monotonic() - t
    base = f"http://127.0.0.1:{mirror.port}"
    assert code == 1 and r["exit_code"] == 1  # the 404 is reported
    assert (r["listings_read"], r["links"], r["unchanged"]) == (13, 500, 0)  # counts match the listing
    assert len(r["new"]) == 496 and len(list((data / "en").glob("*.html"))) == 496
    assert {base + page(n) for n in ok.values()} <= set(r["new"])
    assert not {base + page(n) for n in gone.values()} & set(r["new"])
    assert [u for u, _ in r["retries"]] == [base + page(ok[k]) for k in ("retried 500", "retried 500", "timeout",
                                                                          "reset", "truncated")]
    reasons = [why for _, why in r["retries"]]
    assert reasons[:3] == ["HTTP 500", "HTTP 500", "timed out after 1 s"]
    # A reset after half the body is seen as a reset (or, if the RST loses the race, a short body).
    assert reasons[3] == "connection reset by the server" or reasons[3].startswith("truncated body")
    assert reasons[4].startswith("truncated body (")
    assert [u for u, _ in r["removed"]] == [base + page(gone["system"]), base + page(gone["no body"])]
    assert r["missing"] == [[base + page(gone["404"]), "HTTP 404"]]
    assert r["disallowed"] == [base + page(gone["robots"])] and r["failed"] == []
    assert not any("/fyrbt_674889/" in p for _, p, _ in mirror.log)
    rows = (data / "pages.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(line.split("\t")[-1] for line in rows) == ["missing"] + ["ok"] * 496 + ["removed"] * 2
    assert seconds < 60  # ~514 requests at 50/s plus the faults' waits (about 13 s here)

    mirror.log.clear()
    code, again = sync_json(capsys, "--listing", mirror.url(EN_LISTING), "--lang", "en", "--data", str(data),
                            "--no-index", *FAST)
    assert code == 0 and again["new"] == [] and again["missing"] == []
    assert (again["listings_read"], again["listings_unchanged"], again["requests"]) == (0, 1, 2)
    assert [(p, s) for _, p, s in mirror.log] == [("/robots.txt", 200), (EN_DIR + "default.shtml", 304)]


def test_rate_limit_held_at_the_server(mirror, tmp_path, capsys):
    code, r = sync_json(capsys, "--listing", mirror.url(EN_LISTING), "--data", str(tmp_path), "--no-index",
                        "--max-pages", "6", "--rate", "5", "--quiet", "--json")
    assert code == 0 and len(r["new"]) == 6 and r["budget_reached"]
    starts = [t for t, _, _ in mirror.log]
    assert len(starts) == 8  # robots.txt, the listing, 6 pages
    gaps = np.diff(starts)
    assert gaps.min() >= 0.2 - 0.01, gaps  # at most 5 requests per second
    assert mirror.max_in_flight == 1  # one at a time


def _index_summary(index_dir: Path) -> tuple[dict, list, np.ndarray]:
    idx = store.load(index_dir)
    chunks = [(c.source, c.turn_id, c.start, c.end) for c in idx.chunks]
    return idx.manifest["sources"], chunks, idx.vectors


def _sync_cmd(mirror, data: Path, index: Path) -> list[str]:
    return ["sync", "--listing", mirror.url(EN_LISTING), "--lang", "en", "--data", str(data), "--index", str(index),
            "--rate", "50", "--quiet", "--json"]


def _kill_mid_sync(mirror, data: Path, index: Path, when: str) -> None:
    """Run ``rag sync`` in a subprocess and SIGKILL it while it fetches the 3rd page (``fetch``: that page
    hangs) or while it embeds the new pages (``ingest``: after the first new embedding-cache shard)."""
    cache_shards = lambda: set(index.glob("cache/*/*.npz"))  # noqa: E731
    before = cache_shards()
    mirror.log.clear()
    if when == "fetch":
        mirror.fault(page(1793861), ("slow", 30))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", *_sync_cmd(mirror, data, index)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        reached = (lambda: mirror.requests_to(page(1793861))) if when == "fetch" else (lambda: cache_shards() - before)
        while not reached() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert reached() and proc.poll() is None, f"the sync never got to the {when} phase alive"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_new_pages_indexed_and_sigkill_mid_sync_then_rerun(mirror, tmp_path, capsys, index_dir):
    """Seeds index + a 4-item listing. An uninterrupted sync indexes exactly the 4 pages (and a second run
    fetches nothing); a sync killed while fetching or while indexing leaves the seeds index live, and its
    rerun fetches only what is missing and ends with the same index as the uninterrupted run."""
    mirror.add_listing({EN_DIR + "default.shtml": short_english_listing(4)})
    names = ["t1794629.html", "t1794266.html", "t1793861.html", "t1793427.html"]
    runs = {name: tmp_path / name for name in ("whole", "fetch", "ingest")}
    for d in runs.values():
        shutil.copytree(index_dir, d / "index", symlinks=True)
    seeds = set(store.load(index_dir).sources)

    whole = runs["whole"]
    code, r = sync_json(capsys, *_sync_cmd(mirror, whole / "data", whole / "index")[1:])
    assert code == 0 and len(r["new"]) == 4 and r["ingest"]["added"] == sorted(names)
    idx = store.load(whole / "index")
    assert set(idx.sources) == seeds | set(names)
    assert idx.sources["t1794629.html"].url == mirror.url(page(1794629))  # cited with the page's URL
    assert idx.sources["t1794629.html"].date == "2020-07-03"
    info = json.loads((whole / "index" / "sync.json").read_text())
    assert info["ok"] and info["new_pages"] == 4 and info["newest_transcript"] >= "2020-07-03"
    code, again = sync_json(capsys, *_sync_cmd(mirror, whole / "data", whole / "index")[1:])
    assert code == 0 and again["new"] == [] and again["listings_unchanged"] == 1
    assert again["ingest"] == {"written": False, "pending": 0}
    expected = _index_summary(whole / "index")

    for when in ("fetch", "ingest"):
        data, index = runs[when] / "data", runs[when] / "index"
        _kill_mid_sync(mirror, data, index, when)
        assert set(store.load(index).sources) == seeds  # the live index is untouched and readable
        stored = sorted(p.name for p in (data / "en").glob("*.html"))
        assert stored == sorted(names[:2] if when == "fetch" else names)
        assert not list(data.rglob(".tmp-*"))
        mirror.log.clear()
        code, rerun = sync_json(capsys, *_sync_cmd(mirror, data, index)[1:])
        assert code == 0, rerun
        fetched = sorted(p for _, p, _ in mirror.log if "/t" in p)
        if when == "fetch":  # only the pages not stored before the kill are fetched
            assert fetched == sorted([page(1793861), page(1793427)]) and rerun["unchanged"] == 2
        else:  # everything was stored: nothing is fetched, the stored pages are indexed
            assert fetched == [] and rerun["listings_unchanged"] == 1 and rerun["ingest"]["cached"] > 0
        assert sorted(rerun["ingest"]["added"]) == sorted(names)
        (m1, c1, v1), (m2, c2, v2) = expected, _index_summary(index)
        assert m1 == m2 and c1 == c2, when
        np.testing.assert_allclose(v1, v2, atol=1e-6)


def test_chinese_listing_moves_on_into_the_seeds_index(mirror, tmp_path, capsys, index_dir):
    """The seeds index through the Chinese listing of 2020-07-04 (since June 2020), then through the same
    listing five months later: its 127 new items are stored and indexed when the mirror has them (every
    other one here) and reported missing when it answers 404."""
    index, data = tmp_path / "index", tmp_path / "data"
    shutil.copytree(index_dir, index, symlinks=True)
    cmd = ["--listing", mirror.url(ZH_LISTING), "--data", str(data), "--index", str(index), "--since", "2020-06-01",
           *FAST]
    code, first = sync_json(capsys, *cmd)
    assert code == 0 and len(first["new"]) == first["links"] - first["older_than_since"] > 15
    mirror.use_listing("zh-2020-12-13")
    pages = [parse_listing(f.read_bytes(), mirror.url("https://www.fmprc.gov.cn" + path))
             for path, f in mirror.sets["zh-2020-12-13"].items()]
    links = [link for p in sorted(pages, key=lambda p: p.page) for link in p.links]
    new = [link for link in links if urlsplit(link.url).path not in mirror.pages]
    served = [link for i, link in enumerate(new) if i % 2]
    for link in served:
        mirror.routes[urlsplit(link.url).path] = ("bytes", small_zh_page(link.title, link.date))
    code, second = sync_json(capsys, *cmd)
    assert code == 1 and len(new) == 127
    assert sorted(second["new"]) == sorted(link.url for link in served)
    assert len(second["missing"]) == 127 - len(served) and second["failed"] == []
    idx = store.load(index)
    names = {u.rsplit("/", 1)[1].replace(".shtml", ".html") for u in first["new"] + second["new"]}
    assert set(idx.zh.sources) == names and set(idx.sources) == set(store.load(index_dir).sources)
    assert max(s.date for s in idx.zh.sources.values()) == max(link.date for link in served)
    assert json.loads((index / "sync.json").read_text())["newest_transcript"] >= "2020-12-01"
    code, third = sync_json(capsys, *cmd)
    assert code == 0 and third["new"] == [] and third["ingest"] == {"written": False, "pending": 0}
