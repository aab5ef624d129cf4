"""Shared test constants and fixtures."""

from __future__ import annotations

from pathlib import Path

# Real fmprc.gov.cn pages for development, outside the repository (never copied into it).
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "fmprc"
# Hand-written HTML pages that imitate the ministry's page structure.
HTML_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
