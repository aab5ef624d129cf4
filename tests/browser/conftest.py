"""Fixtures of the browser tests, shared by every module of this folder (session scope: one index
build and one set of app servers for all of them). Runs (never skips) when CI=true."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.helpers import (
    BENIGN,
    BENIGN_URL,
    CHROMIUM,
    CHROMIUM_ARGS,
    EXTRA_TRANSCRIPTS,
    HOSTILE,
    HOSTILE_META,
    RESULTS,
    App,
    open_page,
)
from tests.paths import ROOT
from tests.payloads import PAYLOADS


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    for f in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(f, d / f.name)
    (d / "zz_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (d / "zz_hostile.meta.json").write_text(json.dumps(HOSTILE_META), encoding="utf-8")
    (d / "zz_railway.txt").write_text(BENIGN, encoding="utf-8")
    (d / "zz_railway.meta.json").write_text(json.dumps({"url": BENIGN_URL}), encoding="utf-8")
    for name, content, meta in EXTRA_TRANSCRIPTS:
        (d / name).write_text(content, encoding="utf-8")
        if meta:
            (d / name).with_suffix(".meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for name, content, _, _ in PAYLOADS:  # every hostile payload of the bad-input corpus that reaches the index
        (d / name).write_text(content, encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def servers(tmp_path_factory, corpus):
    """Both apps: one over the real index, one over a missing index. The second starts first, so it
    boots while the index is being built."""
    from rag import store
    from rag.embedding import MODEL_NAME, Embedder
    from rag.ingest import ingest

    tmp = tmp_path_factory.mktemp("apps")
    missing = App(tmp / "no-index-here", tmp / "missing.log")
    index_dir = tmp / "index"
    try:
        emb = Embedder()
        report = ingest([corpus], index_dir, encoder_factory=lambda: emb)
        assert not report.failed, report.failed
        index = store.load(index_dir, model=MODEL_NAME)
        assert {"zz_hostile.txt", "zz_railway.txt"} <= set(index.sources)
        main = App(index_dir, tmp / "main.log")
        # The same index behind --auth; a fresh password each run, so nothing can guess it.
        auth = (f"reporter{secrets.randbelow(1000)}", secrets.token_urlsafe(12))
        locked = App(index_dir, tmp / "locked.log", "--auth", ":".join(auth))
        try:
            RESULTS["cold start: port answers (s)"] = main.wait()
            missing.wait()
            locked.wait()
            yield {"main": main, "missing": missing, "locked": locked, "auth": auth, "index": index}
        finally:
            main.stop()
            locked.stop()
    finally:
        missing.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():  # pragma: no cover - environment guard
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, servers):
    page, dialogs = open_page(browser, servers["main"].url)
    page.dialogs = dialogs
    yield page
    page.context.close()
