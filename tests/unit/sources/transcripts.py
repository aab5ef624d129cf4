"""Shared by the plain-text reader and segmenter tests: the offset invariant and random labelled paragraphs."""

from __future__ import annotations

from hypothesis import strategies as st

from rag.records import Source


def assert_offsets(src: Source) -> None:
    for t in src.turns:
        assert src.canonical[t.start:t.end] == t.text
        if t.question is None:
            assert t.question_start is None and t.question_end is None
        else:
            assert src.canonical[t.question_start:t.question_end] == t.question


LABELS = ["Q", "A", "Follow-up", "Journalist", "Journalist clarifies", "Zhao Lijian", "mao ning",
          "CCTV", "Voice of Vietnam", "ITN&BBC", "Note", "At 10", "The following question was raised "
          "after the press conference", "<script>alert(1)</script>", "Q ", "Ｑ"]
free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    max_size=40,
) | st.sampled_from(["", "?", "***", "Yes.", "<script>x()</script>", "a: b: c", "“Q: quoted”", "中文：问题？"])
paragraph = st.one_of(
    free_text,
    st.tuples(st.sampled_from(LABELS), st.sampled_from([":", "：", " : "]), free_text).map("".join),
)
