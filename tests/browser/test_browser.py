"""The chat page in a real browser: Debian's chromium driven by Playwright, against `python app.py`
serving a real index (real model, FAISS and BM25) built here from seeds/ plus test transcripts,
one of them hostile (fixtures in conftest.py). Runs (never skips) when CI=true.

Set SCREENSHOT=PATH to save a screenshot of an answer with its citation card open.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import (
    ANSWERS,
    BENIGN_URL,
    CLOSE,
    IMG,
    OPEN,
    REQUESTS,
    RESULTS,
    SCRIPT,
    ask,
    cards,
    open_page,
)
from tests.payloads import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_answer_is_verbatim_with_cards_and_copy(page, servers):
    index = servers["index"]
    answer, secs = ask(page, "What did China say about the Global South?")
    RESULTS["answer in browser, first question (s)"] = secs
    text = answer.locator(".ss-text").inner_text()
    assert "[1]" in text and OPEN in text and "Mao Ning" in text
    got = cards(answer)
    assert got, "no citation card"
    for c in got:
        canon = index.sources[c["source"]].canonical
        assert c["quote"].startswith(OPEN) and c["quote"].endswith(CLOSE)
        quote = c["quote"][1:-1]
        assert canon[c["start"]:c["end"]] == quote == c["mark"]  # verbatim, and exactly the highlighted span
        assert quote in c["para"] and c["para"] in canon  # highlighted inside its own paragraph
        assert f"{OPEN}{quote}{CLOSE} [" in text  # the answer quotes it with its [n] marker
    assert "26 July 2023" in got[0]["date"]
    # Collapsible question and context open on click.
    card = got[0]["card"]
    card.locator("details.ss-question summary").click()
    assert "Global South" in card.locator(".ss-qtext").inner_text()
    card.locator("details.ss-context summary").click()
    assert card.locator("mark.ss-hl").is_visible()
    # Copy citation: the press line on the clipboard.
    card.locator("button.ss-copy").click()
    page.wait_for_function("() => [...document.querySelectorAll('button.ss-copy')].some(b => b.textContent.startsWith('Copied'))")
    line = page.evaluate("navigator.clipboard.readText()")
    assert line.startswith(OPEN) and "Foreign Ministry Spokesperson Mao Ning said at the regular press conference on 26 July 2023" in line
    assert "answering CCTV" in line and "Source:" not in line  # this seed has no URL: none is invented
    # Copy the whole answer as Markdown.
    answer.locator(".ss-copy-all button.ss-copy").click()
    page.wait_for_timeout(200)
    md = page.evaluate("navigator.clipboard.readText()")
    assert md.startswith("### What did China say about the Global South?") and "**Citations**" in md
    assert "Mao Ning said at the regular press conference on 26 July 2023" in md
    assert "” [1]" in md and "\n- [1] " in md and "\\[1\\]" not in md  # plain markers paste cleanly into a CMS
    # Multi-turn: both answers stay in the conversation, and the export is offered.
    RESULTS["answer in browser, second question (s)"] = _timed_ask(page, "What is China's expectation of the SCO meeting?")
    assert page.locator("#ss-chat .ss-answer").count() == 2
    with page.expect_download() as dl:
        page.locator("#ss-download").click()
    export = Path(dl.value.path()).read_text(encoding="utf-8")
    assert export.startswith("# Spokesperson Search: conversation export")
    assert export.count("**Citations**") == 2 and "Global South" in export and "SCO" in export
    # New conversation empties the chat; SCREENSHOT=PATH saves one answer with its card open.
    page.locator("#ss-new").click()
    page.wait_for_function("() => !document.querySelector('#ss-chat .ss-answer')")
    if os.environ.get("SCREENSHOT"):
        answer, _ = ask(page, "What did China say about the Global South?")
        for s in answer.locator("li.ss-card").first.locator("details summary").all():
            s.click()
        page.wait_for_timeout(300)
        page.screenshot(path=os.environ["SCREENSHOT"], full_page=True)


def _timed_ask(page: Page, question: str) -> float:
    answer, secs = ask(page, question)
    assert answer.locator("li.ss-card").count() >= 1
    return secs


def test_examples_come_from_the_corpus_and_run(page, servers):
    questions = [t.question or "" for t in servers["index"].turns.values()]
    examples = page.locator("#ss-chat button.example .example-text").all_inner_texts()
    assert examples, "no example questions shown"
    for ex in examples:
        assert any(ex in q for q in questions), ex  # asked by a journalist in a loaded transcript
    page.locator("#ss-chat button.example").first.click()
    page.wait_for_selector(ANSWERS, timeout=60_000)
    assert page.locator("#ss-chat .ss-user").first.inner_text() == examples[0]
    assert page.locator("#ss-chat .ss-answer").count() == 1


def test_citation_card_with_official_url(page):
    answer, _ = ask(page, "What is China's comment on the Kunming to Xanadu railway project?")
    got = cards(answer)
    assert got and got[0]["source"] == "zz_railway.txt"
    link = got[0]["card"].locator("a.ss-url")
    assert link.get_attribute("href") == BENIGN_URL and link.get_attribute("target") == "_blank"
    got[0]["card"].locator("button.ss-copy").click()
    page.wait_for_timeout(200)
    line = page.evaluate("navigator.clipboard.readText()")
    assert "Foreign Ministry Spokesperson Lin Jian said at the regular press conference on 5 March 2024" in line
    assert line.endswith(f"answering Xinhua News Agency. Source: {BENIGN_URL}")


def test_filters_restrict_and_are_shown(page):
    answer, _ = ask(page, "What did China say about the Global South?", since="2023-07-01", until="2023-07-31")
    assert "Dates 1 July 2023 to 31 July 2023" in answer.locator(".ss-filters").inner_text()
    assert all("July 2023" in c["date"] for c in cards(answer)) and cards(answer)
    answer, _ = ask(page, "What did China say about the Global South?", since="2024-01-01", until="2024-12-31")
    assert "Dates 1 January 2024 to 31 December 2024" in answer.locator(".ss-filters").inner_text()
    for c in cards(answer):
        assert "2024" in c["date"]
    assert "natural member of the Global South" not in answer.inner_text()
    # A time phrase in the question becomes the date filter, and says so.
    answer, _ = ask(page, "What did China say about the Global South in July 2023?")
    chips = answer.locator(".ss-filters").inner_text()
    assert f"Dates 1 July 2023 to 31 July 2023 (from {OPEN}July 2023{CLOSE} in the question)" in chips
    assert all("July 2023" in c["date"] for c in cards(answer))


def test_hostile_transcript_is_shown_as_text(page):
    answer, _ = ask(page, "What is the ministry's comment on the zebra crossing pilot in Xanadu?")
    got = cards(answer)
    assert got and got[0]["source"] == "zz_hostile.txt"
    for s in answer.locator("details summary").all():
        s.click()
    shown = answer.inner_text()
    assert SCRIPT in shown and IMG in shown and "[click me](javascript:window.__xss=3)" in shown
    assert "**not bold**" in shown and "{{7*7}}" in shown and "$$x^2$$" in shown
    assert "javascript:window.__xss=7" in shown and "not a web link" in shown
    page.wait_for_timeout(500)  # give any injected handler time to fire
    assert page.dialogs == []
    assert page.evaluate("typeof window.__xss") == "undefined"
    injected = page.evaluate("""() => ({
        scripts: document.querySelectorAll('#ss-chat script').length,
        imgs: document.querySelectorAll('#ss-chat img').length,
        handlers: document.querySelectorAll('[onerror], [onload], [onclick], [onmouseover]').length,
        jslinks: [...document.querySelectorAll('a[href]')].filter(a => !/^(https?:|#|\\/|$)/i.test(a.getAttribute('href'))
                                                                    && !a.href.startsWith(location.origin)).length,
        strong: document.querySelectorAll('#ss-chat strong, #ss-chat b, #ss-chat .katex').length,
        payload: [...document.querySelectorAll('script, img, a, iframe')].filter(
            el => el.outerHTML.includes('__xss')).length,
    })""")
    assert injected == {"scripts": 0, "imgs": 0, "handlers": 0, "jslinks": 0, "strong": 0, "payload": 0}
    # Copying the hostile citation gives plain text, without the javascript: "source".
    got[0]["card"].locator("button.ss-copy").click()
    page.wait_for_timeout(200)
    line = page.evaluate("navigator.clipboard.readText()")
    assert got[0]["quote"][1:-2] in line and "Source:" not in line and "on 1 March 2024" in line
    assert page.evaluate("typeof window.__xss") == "undefined"


INJECTED_JS = """() => ({
    scripts: document.querySelectorAll('#ss-chat script, #ss-chat iframe, #ss-chat svg[onload]').length,
    handlers: document.querySelectorAll('[onerror], [onload], [onclick], [onmouseover]').length,
    payload: [...document.querySelectorAll('script, img, a, iframe, svg, style')].filter(
        el => el.outerHTML.includes('__xss') || el.outerHTML.includes('display:none')).length,
    hidden: getComputedStyle(document.body).display === 'none',
})"""


@pytest.mark.parametrize("name, question, visible", [(n, q, v) for n, _, q, v in PAYLOADS])
def test_bad_input_payloads_show_as_text(page, name, question, visible):
    answer, _ = ask(page, f"What did the spokesperson say about the {question}?")
    got = cards(answer)
    assert got and got[0]["source"] == name
    assert visible in answer.inner_text()
    page.wait_for_timeout(300)  # give any injected handler time to fire
    assert page.dialogs == []
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate(INJECTED_JS) == {"scripts": 0, "handlers": 0, "payload": 0, "hidden": False}


def test_not_found_and_bad_input(page):
    answer, _ = ask(page, "What did the spokesperson say about the SCO summit?", since="2019-03-04",
                    until="2019-03-04")
    text = answer.inner_text()
    assert "Not found" in text and "1 transcript(s)" in text and "2019-03-04 to 2019-03-04" in text
    assert answer.locator("li.ss-card").count() == 0
    answer, _ = ask(page, "What about the Global South?", since="2023-13-45")
    assert "ss-error" in answer.get_attribute("class") and "YYYY-MM-DD" in answer.inner_text()
    answer, _ = ask(page, "What about the Global South?", since="2024-02-01", until="2023-01-01")
    assert "is after" in answer.inner_text()
    answer, _ = ask(page, "Global South " * 200)
    assert "too long" in answer.inner_text() and "2000" in answer.inner_text()
    assert page.locator(ANSWERS).count() == 4  # every question got a reply in the chat; the page lives on


def test_missing_index_shows_build_hint(browser, servers):
    page, dialogs = open_page(browser, servers["missing"].url)
    try:
        header = page.locator("#ss-header").inner_text()
        assert "no index at" in header and "rag ingest seeds/ --index" in header
        answer, _ = ask(page, "What about the SCO?")
        assert "rag ingest" in answer.inner_text()
    finally:
        page.context.close()


def _status(url: str, data: bytes | None = None) -> int:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_auth_protects_page_and_api(browser, servers):
    """--auth: without the password the browser gets only a login form (no transcript text, no
    config), the API refuses, a wrong password is refused; the right one opens the real page."""
    locked, (user, password) = servers["locked"], servers["auth"]
    assert _status(locked.url + "/config") == 401
    assert _status(locked.url + "/gradio_api/call/ask_json", json.dumps({"data": ["Kunming railway"]}).encode()) == 401
    assert _status(servers["main"].url + "/config") == 200  # the same request passes without --auth

    page, dialogs = open_page(browser, locked.url, ready="input[type=password]")
    try:
        assert page.locator("#ss-question").count() == 0
        with urllib.request.urlopen(locked.url + "/", timeout=10) as r:
            raw = r.read().decode("utf-8")
        for secret in ("Kunming", "Mao Ning", "Lin Jian", "Xinhua News Agency"):  # text, speakers, outlets
            assert secret not in page.content() and secret not in raw, secret  # nothing from the index
        page.fill("input[type=text]", user)
        page.fill("input[type=password]", password + "x")
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Incorrect Credentials").wait_for(timeout=10_000)
        assert page.locator("#ss-question").count() == 0
        page.fill("input[type=text]", user)
        page.fill("input[type=password]", password)
        page.get_by_role("button", name="Login").click()
        page.wait_for_selector("#ss-question textarea", timeout=30_000)
        answer, _ = ask(page, "What is China's comment on the Kunming to Xanadu railway project?")
        got = cards(answer)
        assert got and got[0]["source"] == "zz_railway.txt"
        canon = servers["index"].sources["zz_railway.txt"].canonical
        assert canon[got[0]["start"]:got[0]["end"]] == got[0]["quote"][1:-1]
        assert dialogs == []
    finally:
        page.context.close()


def test_every_request_stays_on_the_app_origin(page, servers):
    """Requests of every page opened in this module (fonts, scripts, API calls, uploads...)."""
    ask(page, "What did China say about the Global South?")
    allowed = tuple(servers[k].url + "/" for k in ("main", "missing", "locked"))
    assert any(u.startswith(servers["main"].url + "/gradio_api/") for u in REQUESTS)
    foreign = sorted({u for u in REQUESTS if not u.startswith(allowed)})
    assert foreign == []
    print("\n" + "\n".join(f"  {k}: {v:.2f}" for k, v in RESULTS.items()))
