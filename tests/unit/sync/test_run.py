"""One ``rag sync`` run against the local mirror (fast rate, no real model): what is fetched, where a
walk stops, what is reported, and what the next run does."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from rag import ingest as ingest_mod
from rag import store
from rag.errors import QueryError
from rag.sync.cli import format_report
from rag.sync.fetch import Fetcher
from rag.sync.listing import parse_listing
from rag.sync.run import SyncOptions, listing_lang, sync
from rag.sync.store import page_name
from tests.fakes import FakeEncoder
from tests.sync_mirror import EN_LISTING, MFA_LISTING, ZH_LISTING, Mirror, newer_listing_pages, small_zh_page

EN_DIR = "/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"


@pytest.fixture
def mirror():
    with Mirror() as m:
        yield m


def run(m: Mirror, data, *listings: str, encoder_factory=None, **kw):
    fetcher = Fetcher(rate=1000, backoff=0.01, timeout=1.0)
    opts = SyncOptions(listings=[m.url(u) for u in listings], data=data, **kw)
    return sync(opts, fetcher=fetcher, encoder_factory=encoder_factory)


def test_language_of_a_listing_and_bad_options():
    assert listing_lang(EN_LISTING) == "en" and listing_lang("https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/") == "en"
    assert listing_lang(ZH_LISTING) == "zh" and listing_lang(MFA_LISTING) == "zh"
    assert SyncOptions(listings=[EN_LISTING, ZH_LISTING], langs=("zh",)).first_pages() == [("zh", ZH_LISTING)]
    assert [lang for lang, _ in SyncOptions().first_pages()] == ["en", "zh"]  # the ministry's current listings
    for bad, message in [({"langs": ("fr",)}, "--lang"), ({"since": "2020-13-01"}, "--since"),
                         ({"listings": [ZH_LISTING], "langs": ("en",)}, "none of the --listing"),
                         ({"max_pages": -1}, "--max-pages")]:
        with pytest.raises(QueryError, match=message):
            SyncOptions(**bad).first_pages()


def test_whole_listing_then_nothing_new(mirror, tmp_path):
    mirror.add_listing(newer_listing_pages(per_page=10, pages=4))  # 40 pages of the newer site
    r = run(mirror, tmp_path, MFA_LISTING)
    assert (r.listings_read, r.links, len(r.new), r.unchanged, r.exit_code) == (4, 40, 40, 0, 0)
    assert len(list((tmp_path / "zh").glob("*.html"))) == 40
    assert "the end of the listing" in next(iter(r.walks.values()))
    mirror.log.clear()
    again = run(mirror, tmp_path, MFA_LISTING)
    assert (again.listings_read, again.listings_unchanged, len(again.new), again.unchanged) == (0, 1, 0, 10)
    assert [(p, s) for _, p, s in mirror.log] == [("/robots.txt", 200),
                                                  ("/web/wjdt_674879/fyrbt_674889/index.shtml", 304)]
    assert json.loads((tmp_path / "last_sync.json").read_text())["newest_transcript"] == "2024-04-03"


def test_page_budget_and_resume(mirror, tmp_path):
    mirror.add_listing(newer_listing_pages(per_page=10, pages=4))
    first = run(mirror, tmp_path, MFA_LISTING, max_pages=15)
    assert len(first.new) == 15 and first.budget_reached and first.exit_code == 0
    assert "page budget" in next(iter(first.walks.values()))
    assert not (tmp_path / "state.json").exists()  # no frontier yet: the walk was cut short
    second = run(mirror, tmp_path, MFA_LISTING, max_pages=30)
    assert len(second.new) == 25 and second.unchanged == 15 and not second.budget_reached
    assert not set(first.new) & set(second.new)
    third = run(mirror, tmp_path, MFA_LISTING)
    assert third.new == [] and third.listings_unchanged == 1


def test_listing_moved_on_new_items_and_missing_ones(mirror, tmp_path):
    """The Chinese listing of 2020-07-04, then the same listing five months later: 127 new items on top.
    The corpus lacks them: two thirds are served as small pages, a third answer 404."""
    index = tmp_path / "index"  # Chinese pages are indexed by words, without the model (rag.zh)
    first = run(mirror, tmp_path, ZH_LISTING, since="2020-06-01", index=index)
    assert first.exit_code == 0 and first.older_than_since > 0
    stored = set(first.new)
    assert len(stored) == first.links - first.older_than_since and "older than --since" in first.walks[mirror.url(ZH_LISTING)]
    mirror.use_listing("zh-2020-12-13")
    pages = [parse_listing(f.read_bytes(), mirror.url("https://www.fmprc.gov.cn" + path))
             for path, f in sorted(mirror.sets["zh-2020-12-13"].items())]
    links = [link for p in sorted(pages, key=lambda p: p.page) for link in p.links]
    new = [link for link in links if urlsplit(link.url).path not in mirror.pages]
    assert len(new) == 127
    for i, link in enumerate(new):
        if i % 3:
            mirror.routes[urlsplit(link.url).path] = ("bytes", small_zh_page(link.title, link.date))
    second = run(mirror, tmp_path, ZH_LISTING, since="2020-06-01", index=index)
    assert sorted(second.new) == sorted(link.url for i, link in enumerate(new) if i % 3)
    # The new pages are indexed (as the Chinese transcripts they are, with the listing's date); the missing are not.
    zh = store.load(index).zh.sources
    assert set(zh) == {page_name(u) for u in first.new + second.new}
    assert sorted(second.ingest["added"]) == sorted(page_name(u) for u in second.new)
    assert zh[page_name(new[1].url)].date == new[1].date and zh[page_name(new[1].url)].lang == "zh"
    assert sorted(u for u, _ in second.missing) == sorted(link.url for i, link in enumerate(new) if not i % 3)
    assert second.exit_code == 1  # missing pages are reported...
    # ...and the walk stopped at the page holding the first run's frontier (127 new items = pages 0-8).
    assert second.listings_read == 9 and "earlier complete run" in second.walks[mirror.url(ZH_LISTING)]
    third = run(mirror, tmp_path, ZH_LISTING, since="2020-06-01", index=index)
    assert (third.new, third.missing, third.exit_code, third.listings_unchanged) == ([], [], 0, 1)
    assert third.ingest == {"written": False, "pending": 0}
    # A later run asking for older items walks on past the frontier.
    older = run(mirror, tmp_path, ZH_LISTING, since="2020-05-01")
    assert older.new and not set(older.new) & stored and older.listings_unchanged + older.listings_read > 9


def test_removed_missing_failed_and_disallowed_are_reported(mirror, tmp_path):
    paths = [EN_DIR + f"t{n}.shtml" for n in (1794629, 1794266, 1793861, 1793427, 1793120, 1792107)]
    mirror.routes[paths[0]] = ("redirect", "/web/system/2017/09/25/index.html")
    mirror.routes[paths[1]] = ("status", 404)
    mirror.routes[paths[2]] = ("bytes", b"<html><body><div class='content'></div></body></html>")
    mirror.routes[paths[3]] = ("status", 403)
    mirror.robots = f"User-agent: *\nDisallow: {paths[4]}\n".encode()
    mirror.fault(paths[5], ("status", 500), ("reset",))
    r = run(mirror, tmp_path, EN_LISTING, max_pages=10)
    base = f"http://127.0.0.1:{mirror.port}"
    assert r.removed == [(base + paths[0], f"redirected to {base}/web/system/2017/09/25/index.html"),
                         (base + paths[2], "no transcript body in the page")]
    assert r.missing == [(base + paths[1], "HTTP 404")]
    assert r.failed == [(base + paths[3], "HTTP 403")]
    assert r.disallowed == [base + paths[4]]
    assert [u for u, _ in r.retries] == [base + paths[5]] * 2 and base + paths[5] in r.new
    assert len(r.new) == 10 - 5 and r.exit_code == 1
    assert not (tmp_path / "en" / "t1794629.html").exists()


def test_a_site_that_stops_answering_stops_the_run(mirror, tmp_path):
    for n in (1794629, 1794266, 1793861, 1793427, 1793120, 1792107):
        mirror.routes[EN_DIR + f"t{n}.shtml"] = ("status", 500)
    r = run(mirror, tmp_path, EN_LISTING)
    assert len(r.failed) == 6 and "not answering" in r.failed[-1][1] and r.new == []
    assert len([p for _, p, _ in mirror.log if p.endswith("t1792107.shtml")]) == 0  # stopped before it


def test_a_listing_without_links_fails_naming_the_page(mirror, tmp_path):
    mirror.add_listing({EN_DIR + "default_1.shtml": b"<html><body><p>maintenance</p></body></html>"})
    r = run(mirror, tmp_path, EN_LISTING)
    assert r.exit_code == 1 and len(r.new) == 40
    assert [u for u, _ in r.failed] == [mirror.url(EN_LISTING).replace("default.shtml", "default_1.shtml")]
    assert "no links to article pages" in r.failed[0][1] and "default_1.shtml" in r.failed[0][1]


def test_newer_layout_listing(mirror, tmp_path):
    mirror.add_listing(newer_listing_pages(per_page=6, pages=2, script=True))
    r = run(mirror, tmp_path, MFA_LISTING, index=tmp_path / "index")
    assert (r.listings_read, len(r.new), r.exit_code) == (2, 12, 0)
    assert all("/wjdt_674879/fyrbt_674889/20" in u for u in r.new)
    assert len(list((tmp_path / "zh").glob("t20*.html"))) == 12
    zh = store.load(tmp_path / "index").zh.sources
    assert sorted(zh) == sorted(page_name(u) for u in r.new)
    assert all(s.url == u for u in r.new for s in [zh[page_name(u)]])  # cited with the URL it was fetched from


def test_new_pages_are_indexed_once(mirror, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_mod, "MODEL_NAME", FakeEncoder.name)  # the fake's index can be extended
    index = tmp_path / "index"
    r = run(mirror, tmp_path / "data", EN_LISTING, index=index, max_pages=3, encoder_factory=FakeEncoder)
    assert sorted(r.ingest["added"]) == ["t1793861.html", "t1794266.html", "t1794629.html"]
    info = json.loads((index / "sync.json").read_text())
    assert info["newest_transcript"] == "2020-07-03" and info["ok"] and info["new_pages"] == 3
    again = run(mirror, tmp_path / "data", EN_LISTING, index=index, max_pages=2, encoder_factory=FakeEncoder)
    assert len(again.new) == 2 and sorted(again.ingest["added"]) == sorted(p.rsplit("/", 1)[1].replace(".shtml", ".html")
                                                                       for p in again.new)
    assert again.ingest["conferences"] == 5
    last = run(mirror, tmp_path / "data", EN_LISTING, index=index, max_pages=0, encoder_factory=FakeEncoder)
    assert last.ingest == {"written": False, "pending": 0} and last.budget_reached



def test_stale_sentence_flags_are_computed_again_with_no_new_page(mirror, tmp_path, monkeypatch):
    """A release that changes the sentence patterns: the next sync refreshes the index's stored flags even when
    the site has nothing new (ask time would otherwise compute them for every answer), embedding nothing."""
    from rag import sentence_flags

    monkeypatch.setattr(ingest_mod, "MODEL_NAME", FakeEncoder.name)
    index = tmp_path / "index"
    run(mirror, tmp_path / "data", EN_LISTING, index=index, max_pages=2, encoder_factory=FakeEncoder)
    monkeypatch.setattr(sentence_flags, "FLAGS_KEY", "newpatterns0")
    again = run(mirror, tmp_path / "data", EN_LISTING, index=index, max_pages=0, encoder_factory=FakeEncoder)
    assert again.ingest["written"] and again.ingest["pending"] == 0 and again.ingest["embedded"] == 0
    assert store.load(index).sentences.flags_key == "newpatterns0"
    summary = format_report(again)
    assert f"index {index}: written" in summary and "computed again" in summary, summary
    last = run(mirror, tmp_path / "data", EN_LISTING, index=index, max_pages=0, encoder_factory=FakeEncoder)
    assert last.ingest == {"written": False, "pending": 0}
