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


def corpus_or_skip(*paths: Path) -> Path:
    """The first of ``paths`` when every one is a folder; otherwise fail under ``CI=true`` (CI has the shared
    corpus, so a missing one is a broken checkout, never a silent skip) and skip elsewhere."""
    import os

    import pytest

    missing = next((p for p in paths if not p.is_dir()), None)
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared corpus missing at {missing}")
        pytest.skip(f"shared corpus not available at {missing}")
    return paths[0]
