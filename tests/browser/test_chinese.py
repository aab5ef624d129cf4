"""Chinese in the page (issue 11): an English card's 中文原文 opens the Chinese original, verbatim; a question
asked in Chinese is answered from the Chinese transcripts with Chinese cards.

Its own app over its own index: the seeds, the English page of 17 April 2019, its Chinese original and a
newer-site Chinese page of 28 November 2023 (shared corpus; runs, never skips, when CI=true)."""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import CLOSE, OPEN, App, ask, cards, open_page
from tests.paths import CORPUS_EN, CORPUS_MFA_ZH, CORPUS_ZH, SEEDS
from tests.translation import same_statement

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = [CORPUS_EN / "t1655318.html", CORPUS_ZH / "t1655241.html", CORPUS_MFA_ZH / "t20231128_11188500.html"]


@pytest.fixture(scope="module")
def zh_app(tmp_path_factory):
    from rag import store
    from rag.embedding import Embedder
    from rag.ingest import ingest

    missing = [p for p in PAGES if not p.is_file()]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared corpus pages missing: {missing}")
        pytest.skip(f"shared corpus pages missing: {missing}")
    d = tmp_path_factory.mktemp("zh_app")
    emb = Embedder()
    report = ingest([SEEDS, *PAGES], d / "index", encoder_factory=lambda: emb)
    assert not report.failed and report.chinese == 2
    app = App(d / "index", d / "app.log")
    try:
        app.wait()
        yield app, store.load(d / "index")
    finally:
        app.stop()


@pytest.fixture
def zh_page(browser, zh_app):
    page, _ = open_page(browser, zh_app[0].url)
    yield page
    page.context.close()


def test_header_offers_the_chinese_transcripts(zh_page):
    header = zh_page.locator("#ss-header").inner_text()
    assert "Ask in Chinese to search 2 Chinese transcripts" in header and "用中文提问" in header


def test_an_english_card_opens_its_chinese_original(zh_page, zh_app):
    _, index = zh_app
    answer, _ = ask(zh_page, "What did China say about the US arms sales to Taiwan?")
    first = cards(answer)[0]
    assert first["source"] == "t1655318.html"
    box = first["card"].locator("details.ss-original")
    assert box.count() == 1 and not box.locator("blockquote").is_visible()  # collapsed until asked for
    box.locator("summary").click()
    shown = box.locator("blockquote.ss-quote-zh").inner_text().strip()
    assert shown.startswith(OPEN) and shown.endswith(CLOSE)
    zh_quote = shown[1:-1]
    canon = index.zh.sources["t1655241.html"].canonical
    assert zh_quote in canon and same_statement(first["quote"], zh_quote)
    assert box.locator("a.ss-url").get_attribute("href").endswith("t1655241.shtml")


def test_a_chinese_question_gets_chinese_quotes_and_cards(zh_page, zh_app):
    _, index = zh_app
    answer, _ = ask(zh_page, "2023年11月 福岛核污染水排海 赔偿")
    chips = answer.locator(".ss-filters").inner_text()
    assert "日期：2023年11月1日至2023年11月30日" in chips and "2023年11月" in chips
    found = cards(answer)
    assert found and found[0]["source"] == "t20231128_11188500.html"
    card = found[0]["card"]
    assert "汪文斌" in card.locator(".ss-who").inner_text() and "2023年11月28日" in found[0]["date"]
    assert "例行记者会" in card.locator(".ss-venue").inner_text()
    canon = index.zh.sources["t20231128_11188500.html"].canonical
    for c in found:  # every Chinese quote is the canonical text at its offsets
        assert canon[c["start"]:c["end"]] == c["quote"].strip()[1:-1]
    text = answer.locator(".ss-text").inner_text()
    assert "外交部发言人汪文斌在2023年11月28日例行记者会上答深圳卫视记者问时说。" in text
