"""Search filters (rag/filters.py): the doctests, and the check of names against an index."""

from __future__ import annotations

import doctest

import pytest

from rag import filters
from rag.errors import QueryError
from rag.filters import Filters, check_names


def test_doctests():
    result = doctest.testmod(filters)
    assert result.attempted >= 4 and result.failed == 0


def test_outlets_known_or_asking_pass_and_others_say_which_ask():
    check_names(Filters(outlet="Agence France-Presse"), [], [])  # known under any of its names
    check_names(Filters(outlet="ITN & BBC"), [], [])  # a joint name of two known outlets
    check_names(Filters(outlet="Kathmandu Post"), [], ["Kathmandu Post", "AFP"])  # unknown, but it asks here
    with pytest.raises(QueryError, match="no outlet named 'Foo News' is known or asks in this index; the outlets "
                                         "asking most are AFP, Reuters"):
        check_names(Filters(outlet="Foo News"), [], ["AFP", "Reuters", "Agence France-Presse"])


def test_an_index_without_spokespersons_says_none():
    with pytest.raises(QueryError, match="its spokespersons are none$"):
        check_names(Filters(spokesperson="Hua"), [], [])
