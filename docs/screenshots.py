"""Make the README's screenshots of the chat page: a follow-up, a timeline and a phrase report.

    .venv/bin/python docs/screenshots.py [--index /tmp/s3/full] [--url http://127.0.0.1:PORT]

Starts ``python app.py --index INDEX`` on a free port (or uses a page already running at ``--url``),
drives Debian's chromium through Playwright (no browser download) and writes, into docs/:

* ``thread.png``: "What did the spokesperson say about Huawei and 5G?" then "And what about in 2020?";
  the second answer with its "Searched: … · follow-up" line and its first cards;
* ``timeline.png``: the Huawei question asked again on its own, then **Timeline of the last question**, its tallest bar clicked so its period's statements
  are open;
* ``phrase.png``: ``How often did they say "win-win"?``: counts, bars, tables, first occurrences;
* with ``--chinese``: ``original.png`` (an English card's 中文原文 opened) and ``chinese.png`` (a question in Chinese).

Each image is the chat column from the question to the end of what it shows (at most ``MAX_HEIGHT``
pixels): the chat panel normally scrolls, so it is laid out at full height for the shot only.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Locator, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ANSWERS = "#ss-chat .ss-answer, #ss-chat .ss-notice"
MAX_HEIGHT = 1500  # CSS pixels per image; keeps each PNG well under 400 KB

# Lay the scrolling chat panel out at full height (inline styles, undone by UNEXPAND_JS) so that a page
# screenshot can clip any part of the conversation, not only what the panel shows.
EXPAND_JS = """() => {
  let p = document.querySelector('#ss-chat .message-wrap');
  while (p && p.id !== 'ss-chat') { p = p.parentElement; p.dataset.ssShot = p.getAttribute('style') || '';
    p.style.height = 'auto'; p.style.maxHeight = 'none'; p.style.overflow = 'visible'; }
}"""
UNEXPAND_JS = """() => document.querySelectorAll('[data-ss-shot]').forEach((el) => {
  el.setAttribute('style', el.dataset.ssShot); delete el.dataset.ssShot; })"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(index: str, log: Path) -> tuple[subprocess.Popen, str]:
    """``app.py`` in a subprocess, offline and without analytics; returns it and its URL once it answers."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "HF_HUB_DISABLE_TELEMETRY": "1"}
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--index", index, "--port", str(port)],
                                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # the model takes 10-30 s to load on a busy machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    stop_app(proc)
    raise SystemExit(f"app.py did not answer on {url}; see {log}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def wait_new_answer(page: Page, before: int) -> Locator:
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n", arg=[ANSWERS, before],
                           timeout=120_000)
    page.wait_for_timeout(700)  # let the page's own scroll (SCROLL_JS) settle
    return page.locator(ANSWERS).last


def ask(page: Page, question: str) -> Locator:
    """Type a question, press Ask, return the new answer (as tests/browser/helpers.py ``ask()``)."""
    page.fill("#ss-question textarea", question)
    before = page.locator(ANSWERS).count()
    page.click("#ss-ask")
    return wait_new_answer(page, before)


def shot(page: Page, path: Path, bottom: Locator | None = None) -> None:
    """The chat column from the last question down to ``bottom``'s end (or the last answer's), at most
    MAX_HEIGHT tall."""
    page.evaluate(EXPAND_JS)
    try:
        chat = page.locator("#ss-chat").bounding_box()
        top = page.locator("#ss-chat .ss-user").last.bounding_box()
        end = (bottom or page.locator(ANSWERS).last).bounding_box()
        y0 = top["y"] - 12
        y1 = min(end["y"] + end["height"] + 8, y0 + MAX_HEIGHT)  # 8 px: less than the gap between cards
        page.screenshot(path=str(path), full_page=True,
                        clip={"x": chat["x"], "y": y0, "width": chat["width"], "height": y1 - y0})
    finally:
        page.evaluate(UNEXPAND_JS)
    print(f"{path}: {path.stat().st_size // 1024} KB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="/tmp/s3/full", help="index directory for app.py (default /tmp/s3/full)")
    ap.add_argument("--url", help="use a page already running here instead of starting app.py")
    ap.add_argument("--chinese", action="store_true",
                    help="also original.png (an English card's 中文原文 opened) and chinese.png (a question in "
                         "Chinese); the index must hold the Chinese pages")
    args = ap.parse_args(argv)
    proc, url = (None, args.url.rstrip("/")) if args.url else start_app(args.index, Path(tempfile.gettempdir()) / "screenshots-app.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(url + "/", wait_until="load")
            page.wait_for_selector("#ss-question textarea", timeout=60_000)

            ask(page, "What did the spokesperson say about Huawei and 5G?")
            answer = ask(page, "And what about in 2020?")
            cards = answer.locator("li.ss-card")
            shot(page, DOCS / "thread.png", cards.nth(min(2, cards.count() - 1)) if cards.count() else None)

            ask(page, "What did the spokesperson say about Huawei and 5G?")  # the topic over the whole archive
            before = page.locator(ANSWERS).count()
            page.click("#ss-timeline")
            timeline = wait_new_answer(page, before)
            bars = timeline.locator(".ss-tl-bar")
            heights = [int(bars.nth(i).get_attribute("class").rsplit("ss-h", 1)[1]) for i in range(bars.count())]
            tallest = bars.nth(heights.index(max(heights)))
            period = tallest.get_attribute("title").split(":")[0]
            tallest.click()
            opened = timeline.locator(f'details[id$="-p-{period}"]')
            opened.locator("blockquote.ss-quote").first.wait_for()
            shot(page, DOCS / "timeline.png", opened)

            ask(page, 'How often did they say "win-win"?')
            shot(page, DOCS / "phrase.png")

            if args.chinese:
                answer = ask(page, "What did China say about the US arms sales to Taiwan in 2019?")
                box = answer.locator("details.ss-original").first
                box.locator("summary").click()
                card = box.locator("xpath=ancestor::li[1]")  # the card alone: the answer above it is long
                card.scroll_into_view_if_needed()
                card.screenshot(path=str(DOCS / "original.png"))
                print(f"{DOCS / 'original.png'}: {(DOCS / 'original.png').stat().st_size // 1024} KB")
                answer = ask(page, "2022年8月 佩洛西 访台 反制措施")
                cards = answer.locator("li.ss-card")
                shot(page, DOCS / "chinese.png", cards.nth(min(1, cards.count() - 1)) if cards.count() else None)
            browser.close()
    finally:
        if proc:
            stop_app(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
