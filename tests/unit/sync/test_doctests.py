"""The worked examples in the docstrings of rag/sync/ run as written."""

from __future__ import annotations

import doctest

import pytest

from rag.sync import listing, page, robots, store


@pytest.mark.parametrize("module", [listing, page, robots, store])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
