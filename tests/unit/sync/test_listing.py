"""The listing parser on the 147 saved pages of the older site and on hand-written newer-layout pages."""

from __future__ import annotations

import re

import pytest

from rag.sync.listing import ListingError, parse_listing
from tests.paths import HTML_FIXTURES
from tests.sync_mirror import CORPUS, listing_sets, read_tsv

FIXTURES = HTML_FIXTURES.parent / "sync"
URLS = {row["file"]: row["url"] for row in read_tsv(CORPUS / "fmprc" / "listings.tsv")}
MFA = "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/"


def _walk(name: str) -> list:
    """Every page of a saved listing set, in page order, parsed at its real URL."""
    files = listing_sets()[name]
    pages = [parse_listing(f.read_bytes(), URLS[f"listings/{name}/{f.name}"]) for f in files.values()]
    return sorted(pages, key=lambda p: p.page)


@pytest.mark.parametrize(("name", "per_page", "count", "links"),
                         [("en-2020-07-04", 40, 13, 500), ("zh-2020-07-04", 15, 67, 1000), ("zh-2020-12-13", 15, 67, 1000)])
def test_saved_listings(name, per_page, count, links):
    pages = _walk(name)
    assert [p.page for p in pages] == list(range(count))
    assert {p.count for p in pages} == {count}
    assert all(len(p.links) == per_page for p in pages[:-1])
    urls = [link.url for p in pages for link in p.links]
    assert len(urls) == len(set(urls)) == links
    # Following next_url from the first page visits every saved page once, in order.
    assert [p.next_url for p in pages] == [p.url for p in pages[1:]] + [None]
    assert all(p.page_url(p.page) == p.url for p in pages)


def test_every_link_of_the_july_listings_is_in_the_corpus():
    stored = {row["url"] for row in read_tsv(CORPUS / "fmprc" / "pages.tsv")}
    for name in ("en-2020-07-04", "zh-2020-07-04"):
        assert {link.url for p in _walk(name) for link in p.links} <= stored


def test_dates_and_titles():
    en = _walk("en-2020-07-04")
    first = en[0].links[0]
    assert first.url.endswith("/2511_665403/t1794629.shtml")
    assert first.title == "Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on July 3, 2020"
    assert first.date == "2020-07-03"
    # Titles without a year ("on September 28", remarks without a date) keep no date rather than a guess.
    undated = [link for p in en for link in p.links if link.date is None]
    assert len(undated) == 16 and not any(re.search(r"\b20\d\d\b", link.title) for link in undated)
    zh = _walk("zh-2020-07-04")
    assert zh[0].links[0].date == "2020-07-03"  # from "(2020-07-03)" beside the link
    assert all(link.date for p in zh for link in p.links)


def test_links_resolve_against_a_mirror_url():
    f = CORPUS / "fmprc" / "listings" / "en-2020-07-04" / "default_3.shtml"
    page = parse_listing(f.read_bytes(), "http://127.0.0.1:8123/mfa_eng/xwfw_665399/s2510_665401/2511_665403/default_3.shtml")
    assert len(page.links) == 40
    assert all(link.url.startswith("http://127.0.0.1:8123/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t")
               for link in page.links)
    assert page.page == 3 and page.next_url.endswith("/2511_665403/default_4.shtml")
    assert page.page_url(0).endswith("/2511_665403/default.shtml")


def test_newer_layout_with_a_pagination_script():
    page = parse_listing((FIXTURES / "mfa_zh_index.shtml").read_bytes(), MFA)
    assert [link.url.rsplit("/", 2)[-2:] for link in page.links] == [
        ["202404", "t20240428_11290000.shtml"], ["202404", "t20240426_11289500.shtml"],
        ["202404", "t20240426_11289400.shtml"], ["202404", "t20240425_11288800.shtml"],
        ["202404", "t20240424_11288300.shtml"]]
    assert all(link.url.startswith(MFA) for link in page.links)  # the absolute link too; menus are not articles
    assert [link.date for link in page.links][:2] == ["2024-04-28", "2024-04-26"]
    assert (page.count, page.page, page.first_url) == (30, 0, MFA)
    assert page.next_url == MFA + "index_1.shtml"
    assert page.page_url(29) == MFA + "index_29.shtml"


def test_newer_layout_paged_by_links_only():
    page = parse_listing((FIXTURES / "mfa_zh_index_3.shtml").read_bytes(), MFA + "index_3.shtml")
    assert len(page.links) == 3 and page.links[0].date == "2024-03-15"
    assert (page.page, page.count) == (3, 30)  # the "尾页" link names the last page, index_29
    assert page.next_url == MFA + "index_4.shtml"
    assert page.page_url(0) == MFA + "index.shtml"


def test_current_english_listing_shape():
    url = "https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/"
    page = parse_listing((FIXTURES / "eng_index.html").read_bytes(), url)
    assert [link.date for link in page.links] == ["2024-05-30", "2024-05-29", "2024-05-28"]
    assert page.links[0].url == url + "202405/t20240530_11315610.html"
    assert (page.count, page.next_url) == (145, url + "index_1.html")


def test_generated_newer_listing_pages():
    from tests.sync_mirror import MFA_LISTINGS, newer_listing_pages

    pages = newer_listing_pages(per_page=5, pages=2, script=False)
    base = "http://127.0.0.1:9/web/wjdt_674879/fyrbt_674889/"
    first = parse_listing(pages["/web/wjdt_674879/fyrbt_674889/index.shtml"], base + "index.shtml")
    last = parse_listing(pages["/web/wjdt_674879/fyrbt_674889/index_1.shtml"], base + "index_1.shtml")
    assert len(first.links) == 5 and first.next_url == base + "index_1.shtml" and last.next_url is None
    assert first.links[0].date >= first.links[-1].date
    # Over the three folders, the written listings link every page of mfa/pages.tsv once.
    every = [newer_listing_pages(listing) for listing in MFA_LISTINGS]
    links = [link.url for pages in every for path, data in pages.items()
             for link in parse_listing(data, "http://127.0.0.1:9" + path).links]
    assert len(links) == len(set(links)) == len(read_tsv(CORPUS / "mfa" / "pages.tsv")) == 991


@pytest.mark.parametrize("body", [
    b"<html><body><a href='../other/'>other section</a><a href='/'>home</a></body></html>",
    b"<html><body><p>\xe9\xa1\xb5\xe9\x9d\xa2\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</p></body></html>",
    b"",
])
def test_a_listing_without_article_links_fails_loudly(body):
    url = "http://127.0.0.1:9/web/wjdt_674879/fyrbt_674889/default_5.shtml"
    with pytest.raises(ListingError, match="default_5.shtml"):
        parse_listing(body, url)
