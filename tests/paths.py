"""Where the tests find the repository's data, from any folder of the test tree."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent  # the repository
SEEDS = ROOT / "seeds"
EVAL = ROOT / "eval"
# Real fmprc.gov.cn pages for development, outside the repository (never copied into it).
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "fmprc"
CORPUS_EN = SHARED_CORPUS / "en"
# Hand-written HTML pages that imitate the ministry's page structure.
HTML_FIXTURES = TESTS / "fixtures" / "html"
