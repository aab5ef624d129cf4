"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from rag import cli
from tests.paths import SEEDS


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory):
    """The real-model index of seeds/, built once for every module that only reads it (re-ingesting the
    same seeds, as test_end_to_end does, leaves it unchanged)."""
    d = tmp_path_factory.mktemp("seed_index")
    assert cli.main(["ingest", str(SEEDS), "--index", str(d), "--quiet"]) == 0
    return d
