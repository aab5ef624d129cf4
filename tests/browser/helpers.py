"""Shared pieces of the browser tests: the app in a subprocess, the test transcripts, and the helpers
that ask a question in the page and read its citation cards. Fixtures are in ``conftest.py``."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OPEN, CLOSE = "\u201c", "\u201d"


# A transcript whose text tries every trick: tags, event handlers, javascript: links, Markdown,
# template syntax. The plain-text parser keeps unknown tags as text, so all of it reaches the index.
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'
HOSTILE = (
    "Regular Press Conference on March 1, 2024\n"
    f"Reuters: Officials discussed the zebra crossing pilot in Xanadu {IMG.replace('2', '5')}. "
    "What is the ministry's comment on the zebra crossing pilot in Xanadu?\n"
    f"Mao Ning: The zebra crossing pilot in Xanadu is going well {SCRIPT} and {IMG} and "
    "[click me](javascript:window.__xss=3) and <a href=\"javascript:window.__xss=4\">this link</a> "
    "and {{7*7}} ${window.__xss=6} $$x^2$$ **not bold** are only words in a transcript.\n"
)
HOSTILE_META = {"url": "javascript:window.__xss=7"}
BENIGN = (
    "Regular Press Conference on March 5, 2024\n"
    "Xinhua News Agency: The Kunming to Xanadu railway opened today. "
    "What is China's comment on the Kunming to Xanadu railway project?\n"
    "Lin Jian: The Kunming to Xanadu railway is a flagship project of connectivity between the two countries. "
    "It will bring tangible benefits to the peoples along the line.\n"
)
BENIGN_URL = "https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/202403/t20240305_00000001.html"

# Transcripts for the trust checks (issue 15): a 2019 spokesperson named in questions, a procedural
# reply, outlets under two names, an undated transcript. Each: (file name, text, sidecar or None).
EXTRA_TRANSCRIPTS = [
    ("zz_2019_hua.txt", "Regular Press Conference on March 4, 2019\n"
     "Hua Chunying: Good afternoon. I'm Hua Chunying, spokesperson of the Ministry of Foreign Affairs. "
     "I'm happy to take your questions.\n"
     "Q: US Secretary of State Pompeo said the Belt and Road projects are debt traps. What's your comment?\n"
     "Hua Chunying: Pompeo's remarks about debt traps are groundless smears against the Belt and Road "
     "cooperation between China and its partners. We urge the US side to stop spreading such rumors.\n"
     "Q: Will Pompeo meet Chinese officials during his visit to the Philippines?\n"
     "Hua Chunying: I would like to refer you to the competent authorities for details of the visit.\n", None),
    ("zz_2019_geng.txt", "Regular Press Conference on March 5, 2019\n"
     "Q: Pompeo said again that Huawei is a tool of the Chinese state. What's your response?\n"
     "Geng Shuang: Pompeo keeps repeating lies about Huawei without evidence; the Chinese government has never "
     "asked any company to install back doors.\n", None),
    ("zz_2020_outlets.txt", "Regular Press Conference on June 1, 2020\n"
     "AFP: What is China's comment on the Yarlung river dam?\n"
     "Zhao Lijian: The Yarlung river dam project has gone through scientific planning and takes the interests "
     "of downstream countries into account.\n"
     "Agence France-Presse: A follow-up on the Yarlung river dam: when will construction start?\n"
     "Zhao Lijian: I have no information to offer on the construction schedule.\n"
     "Reuters: What is China's comment on the wheat import quotas?\n"
     "Zhao Lijian: China manages its wheat import quotas in accordance with WTO rules.\n"
     "Reuters: Pompeo said again that the Belt and Road projects are debt traps. What is your response?\n"
     "Zhao Lijian: Pompeo's talk of debt traps is a lie; the Belt and Road cooperation has brought partners "
     "real benefits.\n", None),
    ("zz_undated.txt", "Q: Is the panda loan to the Yellowstone zoo confirmed?\n"
     "Lin Jian: The panda loan to the Yellowstone zoo is a new chapter of the friendship between the peoples, "
     "and the experts of both sides are preparing it.\n", None),
]

RESULTS: dict[str, float] = {}  # timings, printed by the last test
REQUESTS: list[str] = []  # every URL any page asked for

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """`python app.py` in a subprocess; stopped by its own process id."""

    def __init__(self, index: Path, log: Path, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
               "HF_HUB_DISABLE_TELEMETRY": "1"}
        self.t0 = time.perf_counter()
        self._fh = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--index", str(index),
                                      "--port", str(self.port), *args], cwd=ROOT, env=env, stdout=self._fh,
                                     stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 180) -> float:
        """Seconds from start until the page answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"app.py exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - self.t0
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"app.py did not answer on {self.url} in {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._fh.close()


def open_page(browser, url: str, ready: str = "#ss-question textarea") -> tuple[Page, list[str]]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("request", lambda r: REQUESTS.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url + "/", wait_until="load")
    page.wait_for_selector(ready, timeout=30_000)
    return page, dialogs


ANSWERS = "#ss-chat .ss-answer, #ss-chat .ss-notice"


def ask(page: Page, question: str, since: str = "", until: str = "") -> tuple:
    """Type a question (and dates), press Ask, wait for the new answer; returns (locator, seconds)."""
    page.locator("#ss-since textarea, #ss-since input").first.fill(since)
    page.locator("#ss-until textarea, #ss-until input").first.fill(until)
    page.fill("#ss-question textarea", question)
    before = page.locator(ANSWERS).count()
    t0 = time.perf_counter()
    page.click("#ss-ask")
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n", arg=[ANSWERS, before],
                           timeout=60_000)
    return page.locator(ANSWERS).last, time.perf_counter() - t0


def cards(answer) -> list[dict]:
    """Each card's quote, date text, highlighted span and its offsets in the canonical text."""
    out = []
    for i in range(answer.locator("li.ss-card").count()):
        card = answer.locator("li.ss-card").nth(i)
        loc = card.locator(".ss-loc").text_content()
        m = re.search(r"^File (.*), characters (\d+)–(\d+), turn ", loc.strip())
        out.append({"quote": card.locator("blockquote.ss-quote").inner_text().strip(),
                    "date": card.locator(".ss-date").inner_text(), "mark": card.locator("mark.ss-hl").text_content(),
                    "para": card.locator(".ss-para").text_content(),
                    "source": m.group(1), "start": int(m.group(2)), "end": int(m.group(3)), "card": card})
    return out
