"""The shared segmenter and the plain-text reader: seeds, label handling, offset invariant."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.errors import TranscriptError
from rag.records import Source
from rag.sources.labels import after_marker, is_separator
from rag.sources.lexicon import spokesperson_name
from rag.sources.segment import Para, segment
from rag.sources.text import parse_text

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _seed(name: str) -> Source:
    path = SEEDS / name
    return parse_text(path.read_text(encoding="utf-8"), path.name, path=str(path))


def _assert_offsets(src: Source) -> None:
    for t in src.turns:
        assert src.canonical[t.start:t.end] == t.text
        if t.question is None:
            assert t.question_start is None and t.question_end is None
        else:
            assert src.canonical[t.question_start:t.question_end] == t.question


def _check_turns(src: Source, expected: list[tuple[str | None, str, str, str]]) -> None:
    """``expected``: (outlet, speaker, first words of the answer, last words of the answer)."""
    assert len(src.turns) == len(expected)
    for t, (outlet, speaker, first, last) in zip(src.turns, expected, strict=True):
        assert (t.outlet, t.spokesperson, t.kind) == (outlet, speaker, "answer"), t.turn_id
        assert t.text.startswith(first), (t.turn_id, t.text[:80])
        assert t.text.endswith(last), (t.turn_id, t.text[-80:])
        assert t.question and t.question.strip() == t.question
    assert [t.n for t in src.turns] == list(range(1, len(expected) + 1))
    _assert_offsets(src)


# ---------------------------------------------------------------------------
# Seeds


def test_seed_000_turns() -> None:
    src = _seed("000_244ba66e424b55ac.txt")
    assert src.date is None and not src.date_inferred
    assert src.spokesperson == "Mao Ning"
    _check_turns(src, [
        ("CCTV", "Mao Ning", "Since the founding of Shanghai Cooperation Organization",
         "security, stability and development of regional countries."),
        ("Yonhap News Agency", "Mao Ning", "Ambassadors act as bridges",
         "You may follow the Foreign Ministry’s website for any update."),
        ("AFP", "Mao Ning", "What you asked about is not related to China’s foreign affairs",
         "stand against “Taiwan independence” first and foremost."),
        ("NHK", "Mao Ning", "Taiwan is part of China,",
         "wrong signal to the “Taiwan independence” separatist forces."),
        ("The Paper", "Mao Ning", "Laos and Viet Nam are China’s socialist friends and neighbors.",
         "China-Viet Nam Year of People-to-People Exchanges in 2025."),
        ("TV Asahi", "Mao Ning", "I noted relevant reports.", "is in the interest of all humanity."),
        ("TV Asahi", "Mao Ning", "I am not aware of what you mentioned.",
         "The Chinese media choose for themselves what to report."),
        ("Associated Press of Pakistan", "Mao Ning", "China and Pakistan are ironclad friends",
         "jointly safeguard regional peace, stability and prosperity."),
        ("Global Times", "Mao Ning", "I also noted the report.",
         "stop smearing China by using cybersecurity issues."),
    ])
    assert src.turns[0].turn_id == "000_244ba66e424b55ac:1"
    assert src.turns[0].question.startswith("China announced Premier Li Qiang will attend")


def test_seed_001_turns() -> None:
    src = _seed("001_8363a456a0ed42b6.txt")
    assert src.date == "2023-07-26" and not src.date_inferred
    assert src.spokesperson == "Mao Ning"
    assert src.title == "China FO Presser -July 26, 2023"
    _check_turns(src, [
        ("CCTV", "Mao Ning", "The Global South is the family of emerging markets",
         "forge a human community with a shared future."),
        ("Global Times", "Mao Ning", "According to the statements from relevant Chinese agencies,",
         "China will do what is necessary to safeguard our cybersecurity."),
        ("China Daily", "Mao Ning", "The statements from China are objective and professional.",
         "in cyberspace with a constructive and pragmatic attitude."),
        ("CRI", "Mao Ning", "This year marks the 70th anniversary of the armistice of the Korean War.",
         "strive for new and greater progress of China-DPRK relations."),
        ("The Paper", "Mao Ning", "We mourn for the passing of Mr. Seiichi Morimura",
         "take effective steps to get rid of its toxic legacy."),
        ("Shenzhen TV", "Mao Ning", "A high-level international forum on mangrove protection opened today",
         "mangrove protection and building a clean and beautiful world."),
        ("Beijing Youth Daily", "Mao Ning", "The Fijian side has informed China",
         "We will stay in touch with Fiji on matters regarding his visit."),
    ])


def test_seed_noise_is_cleaned() -> None:
    src = _seed("001_8363a456a0ed42b6.txt")
    turns = src.turns
    # "this??" -> "this?", "remarks???" -> "remarks?", "comment??" -> "comment?"
    assert turns[0].question.endswith("Do you have more to share on this?")
    assert turns[2].question.endswith("a response to US remarks?")
    assert turns[3].question.endswith("Do you have any comment?")
    # ".?" -> "." at a line end, keeping the sentence's own full stop
    assert turns[2].text.endswith("pragmatic attitude.")
    assert turns[3].text.split("\n\n")[0].endswith("in the new historical period.")
    assert "??" not in src.canonical and ".?" not in src.canonical
    assert "<strong>" not in src.canonical.lower() and "</strong>" not in src.canonical.lower()
    # The header stays in the canonical text but in no turn.
    assert "Some Excerpts" in src.canonical
    assert all("Some Excerpts" not in (t.question or "") + t.text for t in turns)


def test_seed_related_posts_footer_in_no_turn() -> None:
    src = _seed("000_244ba66e424b55ac.txt")
    for t in src.turns:
        assert "Related Posts" not in t.text
        assert "Arrival Statement" not in t.text
    assert src.turns[-1].text.endswith("using cybersecurity issues.")


# ---------------------------------------------------------------------------
# Segmenter rules


def _seg(*texts: str, preamble: str = "statement", **kw) -> Source:
    src = segment([Para(t, i + 1) for i, t in enumerate(texts)], source="t1.html", preamble=preamble, **kw)
    _assert_offsets(src)
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


def test_parse_text_without_turns_raises() -> None:
    with pytest.raises(TranscriptError) as err:
        parse_text("Just a title\nand some prose.\n", "x.txt", path="dir/x.txt")
    assert err.value.path == "dir/x.txt" and err.value.line == 1


# ---------------------------------------------------------------------------
# Property: offsets always cut the canonical text back out

_LABELS = ["Q", "A", "Follow-up", "Journalist", "Journalist clarifies", "Zhao Lijian", "mao ning",
           "CCTV", "Voice of Vietnam", "ITN&BBC", "Note", "At 10", "The following question was raised "
           "after the press conference", "<script>alert(1)</script>", "Q ", "Ｑ"]
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    max_size=40,
) | st.sampled_from(["", "?", "***", "Yes.", "<script>x()</script>", "a: b: c", "“Q: quoted”", "中文：问题？"])
_paragraph = st.one_of(
    _text,
    st.tuples(st.sampled_from(_LABELS), st.sampled_from([":", "：", " : "]), _text).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_paragraph, max_size=25), st.sampled_from(["statement", "header"]))
def test_property_offsets_hold_for_segment(texts: list[str], preamble: str) -> None:
    src = segment([Para(t) for t in texts], source="p.txt", preamble=preamble)
    assert src.canonical == "\n\n".join(texts)
    _assert_offsets(src)
    assert all(t.text for t in src.turns)
    assert [t.n for t in src.turns] == list(range(1, len(src.turns) + 1))


@settings(max_examples=200, deadline=None)
@given(st.lists(_paragraph, max_size=25))
def test_property_offsets_hold_for_parse_text(texts: list[str]) -> None:
    try:
        src = parse_text("\n".join(texts), "p.txt")
    except TranscriptError:
        return
    _assert_offsets(src)
    assert all(t.text.strip() for t in src.turns)
