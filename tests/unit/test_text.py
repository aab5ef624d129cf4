"""Sentence splitting: Chinese full stops split without a space or a capital; English splits are unchanged."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag import text as text_mod
from rag.text import sentence_spans


def _sentences(text: str) -> list[str]:
    spans = sentence_spans(text)
    for (_, e), (s, _) in zip(spans, spans[1:], strict=False):
        assert e <= s  # never overlapping
    return [text[s:e] for s, e in spans]


def test_chinese_sentences_split_at_full_width_stops() -> None:
    text = "我们注意到有关报道。中方的立场是一贯的！你问的问题，我没有可以提供的信息。"
    assert _sentences(text) == ["我们注意到有关报道。", "中方的立场是一贯的！", "你问的问题，我没有可以提供的信息。"]


@pytest.mark.parametrize(("text", "expected"), [
    # A closing quote after the full stop belongs to the quoted sentence, not to the next one.
    ("“我们坚决反对。”他说。", ["“我们坚决反对。”", "他说。"]),
    ("他表示：「这是谣言。」『请核实。』（完）", ["他表示：「这是谣言。」", "『请核实。』", "（完）"]),
    ("难道不是吗？！当然是。", ["难道不是吗？！", "当然是。"]),
    # Offsets stay exact across a paragraph break and with a space after the stop.
    ("第一段。\n\n第二段。 第三句？", ["第一段。", "第二段。", "第三句？"]),
    # English after a Chinese sentence keeps its own rule ("U.S." does not end a sentence).
    ("中方不同意。The U.S. side must stop. We noted it.", ["中方不同意。", "The U.S. side must stop.", "We noted it."]),
])
def test_chinese_closing_quotes_and_mixed_text(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


def test_base_offset_applies_to_chinese_spans() -> None:
    assert sentence_spans("一。二。", base=10) == [(10, 12), (12, 14)]


@pytest.mark.parametrize(("text", "expected"), [
    ("We noted it. The U.S. side must stop. “Really?” he asked.",
     ["We noted it.", "The U.S. side must stop.", "“Really?” he asked."]),
    ("Mr. Wang arrived. he left.", ["Mr. Wang arrived. he left."]),
    ("Is it true? Yes! 2019 was a year.", ["Is it true?", "Yes!", "2019 was a year."]),
])
def test_english_splits(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


# The rule before Chinese support: text without 。！？ must split exactly as it did.
_ENGLISH_ONLY = re.compile(r"""[.!?。！？]+["'”’)\]]*(?=\s+["“‘(\[]?[A-Z0-9])|\n\s*\n""")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"aZ .!?\n\"'”’“)](3", "Mr.", "No. 3", " I", "U.S.", "\n\n"]), max_size=40).map("".join))
def test_english_text_splits_as_before(text: str) -> None:
    new = sentence_spans(text)
    original = text_mod._SENT_END
    text_mod._SENT_END = _ENGLISH_ONLY
    try:
        old = sentence_spans(text)
    finally:
        text_mod._SENT_END = original
    assert new == old
