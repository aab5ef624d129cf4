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
CORPUS_ZH = SHARED_CORPUS / "zh"  # the older site's Chinese pages (2016-2020)
# The newer site's (www.mfa.gov.cn) Chinese pages (2020-2024), with their own pages.tsv.
SHARED_CORPUS_MFA = ROOT.parent / "shared" / "corpus" / "mfa"
CORPUS_MFA_ZH = SHARED_CORPUS_MFA / "zh"
# Hand-written HTML pages that imitate the ministry's page structure.
HTML_FIXTURES = TESTS / "fixtures" / "html"
