"""The shared segmenter (rag/sources/segment.py), its labels and lexicon: label handling, offset invariant."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.records import Source
from rag.sources.labels import after_marker, is_separator
from rag.sources.lexicon import spokesperson_name
from rag.sources.segment import Para, segment
from tests.unit.sources.transcripts import assert_offsets, paragraph

# ---------------------------------------------------------------------------
# Segmenter rules


def _seg(*texts: str, preamble: str = "statement", **kw) -> Source:
    src = segment([Para(t, i + 1) for i, t in enumerate(texts)], source="t1.html", preamble=preamble, **kw)
    assert_offsets(src)
    return src


def _summary(src: Source) -> list[tuple[str, str | None, str | None, str, bool]]:
    return [(t.kind, t.outlet, t.question, t.text, t.after_conference) for t in src.turns]


def test_opening_statement_then_qa() -> None:
    src = _seg("Announcement one.", "Announcement two.", "Q: Why?", "A: Because.", "More.",
               spokesperson="Lu Kang")
    assert _summary(src) == [
        ("statement", None, None, "Announcement one.\n\nAnnouncement two.", False),
        ("answer", None, "Why?", "Because.\n\nMore.", False),
    ]
    assert [t.spokesperson for t in src.turns] == ["Lu Kang", "Lu Kang"]
    assert [t.line for t in src.turns] == [1, 4]


def test_header_preamble_is_in_no_turn() -> None:
    src = _seg("Some title line", "CCTV: Q?", "Mao Ning: A.", preamble="header")
    assert _summary(src) == [("answer", "CCTV", "Q?", "A.", False)]
    assert src.canonical.startswith("Some title line\n\n")


def test_spokesperson_taken_from_labels_when_not_given() -> None:
    src = _seg("AFP: Q1?", "hua chunying: A1.", "CNN: Q2?", "Hua Chunying: A2.")
    assert src.spokesperson == "Hua Chunying"
    assert [t.outlet for t in src.turns] == ["AFP", "CNN"]


def test_follow_up_keeps_the_previous_outlet() -> None:
    src = _seg("Reuters: Q1?", "Zhao Lijian: A1.", "Follow-up: Q2?", "Zhao Lijian: A2.",
               "Follow up question: Q3?", "Zhao Lijian: A3.")
    assert [(t.outlet, t.question) for t in src.turns] == [("Reuters", "Q1?"), ("Reuters", "Q2?"), ("Reuters", "Q3?")]


def test_journalist_clarifies_is_a_follow_up_question() -> None:
    src = _seg("Bloomberg: Any comment on the report?", "Zhao Lijian: Which report?",
               "Journalist clarifies: The one from today.", "Zhao Lijian: I have not seen it.")
    assert _summary(src) == [
        ("answer", "Bloomberg", "Any comment on the report?", "Which report?", False),
        ("answer", "Bloomberg", "The one from today.", "I have not seen it.", False),
    ]


def test_unlabeled_answer_after_a_journalist_reply() -> None:
    # "A: ...right?" / "Journalist: Yes." / the answer goes on without a label.
    src = _seg("Q: Is it true?", "A: You mean the report from Monday, right?", "Journalist: Yes.",
               "That report is wrong.", "We have said so before.")
    assert _summary(src)[1] == ("answer", None, "Yes.", "That report is wrong.\n\nWe have said so before.", False)


def test_unlabeled_answer_after_a_complete_question() -> None:
    src = _seg("Q: First?", "A: One.", "Q: Will the talks go on?", "The talks will go on.")
    assert _summary(src)[1] == ("answer", None, "Will the talks go on?", "The talks will go on.", False)


def test_guessed_answer_is_undone_by_a_later_label() -> None:
    src = _seg("Q: Context first?", "More context here.", "A: The answer.")
    assert _summary(src) == [("answer", None, "Context first?\n\nMore context here.", "The answer.", False)]


def test_two_question_labels_in_a_row_form_one_question() -> None:
    src = _seg("CNN: Part one?", "Q: Part two?", "A: Both answered.")
    assert _summary(src) == [("answer", "CNN", "Part one?\n\nQ: Part two?", "Both answered.", False)]


def test_label_alone_on_its_paragraph() -> None:
    src = _seg("Q:", "What is the plan?", "A:", "There is a plan.")
    assert _summary(src) == [("answer", None, "What is the plan?", "There is a plan.", False)]


def test_after_conference_forms() -> None:
    src = _seg(
        "Q: In the room?", "A: Yes.",
        "The following question was raised after the press conference: Asked later?", "A: Later.",
        "A journalist asked the following question after the press conference:", "Q: Next?", "A: Next.",
        "After the press conference, a journalist asked if the visit will go ahead.", "A: It will.",
    )
    assert _summary(src) == [
        ("answer", None, "In the room?", "Yes.", False),
        ("answer", None, "Asked later?", "Later.", True),
        ("answer", None, "Next?", "Next.", True),
        ("answer", None, "After the press conference, a journalist asked if the visit will go ahead.", "It will.", True),
    ]


def test_after_conference_answer_without_question_is_a_statement() -> None:
    src = _seg("CCTV: Q?", "Zhao Lijian: A.",
               "After the press conference, Zhao made further response to the question raised by CCTV.",
               "Zhao Lijian: More on that.")
    assert _summary(src)[1] == ("statement", None, None, "More on that.", True)


def test_separator_closes_the_turn_and_ends_the_after_part() -> None:
    src = _seg("Q: Why?", "A: Because.", "This question was raised after the press conference: Why not?",
               "A: Why not.", "* * * * *", "The briefing is adjourned on Monday.")
    assert _summary(src) == [
        ("answer", None, "Why?", "Because.", False),
        ("answer", None, "Why not?", "Why not.", True),
        ("statement", None, None, "The briefing is adjourned on Monday.", False),
    ]
    assert "* * * * *" in src.canonical


def test_sentences_with_colons_are_not_labels() -> None:
    src = _seg("Q: Your view?", "A: Our position is clear: no.", "I want to stress this: never.",
               "Between 00:00 and 24:00 nothing happened.", "Note: none.", "\"Title: Subtitle\" was published.")
    assert len(src.turns) == 1
    assert src.turns[0].text.endswith("\"Title: Subtitle\" was published.")


def test_after_marker_ignores_ordinary_answers() -> None:
    assert after_marker("I will check on it after the press conference.") is None
    assert after_marker("Question: will you brief us after the press conference?") is None
    assert after_marker("The following question was raised after the press conference: Why?") == (len(
        "The following question was raised after the press conference: "), False)
    assert after_marker("The following question is raised after the press conference.") == (
        len("The following question is raised after the press conference."), False)


def test_is_separator() -> None:
    assert is_separator("***") and is_separator("-----") and is_separator("* * *")
    assert not is_separator("**") and not is_separator("A: ***") and not is_separator("3.5")


def test_spokesperson_name_normalises_case_and_spaces() -> None:
    assert spokesperson_name("hua  chunying") == "Hua Chunying"
    assert spokesperson_name("Reuters") is None


# ---------------------------------------------------------------------------
# Property: offsets always cut the canonical text back out

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraph, max_size=25), st.sampled_from(["statement", "header"]))
def test_property_offsets_hold_for_segment(texts: list[str], preamble: str) -> None:
    src = segment([Para(t) for t in texts], source="p.txt", preamble=preamble)
    assert src.canonical == "\n\n".join(texts)
    assert_offsets(src)
    assert all(t.text for t in src.turns)
    assert [t.n for t in src.turns] == list(range(1, len(src.turns) + 1))
