"""Hostile and broken transcripts (the corpus of ``tests/bad_corpus.py``): the table itself, and collecting
the files neither hangs on a symlink loop nor lists a file twice. Ingesting them: tests/integration/test_bad_input.py.
"""

from __future__ import annotations

from collections import Counter

import pytest

from rag.sources.files import collect_files
from tests.bad_corpus import CASES, EXPECTED_OUTCOMES, write_bad_dir


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory):
    return write_bad_dir(tmp_path_factory.mktemp("bad"))


def test_the_table_holds_the_expected_cases():
    outcomes = Counter(outcome for _, _, outcome, _ in CASES)
    assert outcomes == EXPECTED_OUTCOMES and len(CASES) == 38  # + the symlink loop and the unreadable file below
    assert len({name for name, _, _, _ in CASES}) == 38  # no name twice (a later one would overwrite the file)


def test_symlink_loop_does_not_hang_or_duplicate(bad_dir):
    files, problems = collect_files([bad_dir])
    names = [f.name for f in files]
    assert len(names) == len(set(names)) and "good.txt" in names and not problems
