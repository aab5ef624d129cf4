"""eval/party_expansion.py: the variants it compares the shipped rule with."""

from __future__ import annotations

import sys

import pytest

from tests.paths import EVAL

sys.path.insert(0, str(EVAL))
import party_expansion as pe  # noqa: E402

from rag.parties import bm25_expansion  # noqa: E402


def test_shipped_is_the_library_rule():
    assert pe.expansion("shipped") is bm25_expansion


def test_places_leaves_people_alone_and_all_adds_every_alias():
    q = "Pompeo in Pyongyang"
    assert bm25_expansion(q) == "Pompeo in Pyongyang US DPRK"
    assert pe.expansion("places")(q) == "Pompeo in Pyongyang DPRK"
    assert pe.expansion("all")(q) == "Pompeo in Pyongyang North Korea DPRK"  # Pyongyang itself is there
    assert pe.expansion("all")("Latin America", skip=()) == "Latin America"  # not a party in any variant


def test_a_variant_outside_the_list_is_refused(capsys):
    with pytest.raises(SystemExit) as e:
        pe.main(["--index", "/nonexistent", "--variant", "every"])
    assert e.value.code == 2 and "invalid choice" in capsys.readouterr().err
