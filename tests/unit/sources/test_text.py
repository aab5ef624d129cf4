"""The plain-text reader (rag/sources/text.py): the seeds, no turns, offset invariant."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.errors import TranscriptError
from rag.records import Source
from rag.sources.text import parse_text
from tests.paths import SEEDS
from tests.unit.sources.transcripts import assert_offsets, paragraph


def _seed(name: str) -> Source:
    path = SEEDS / name
    return parse_text(path.read_text(encoding="utf-8"), path.name, path=str(path))


def _check_turns(src: Source, expected: list[tuple[str | None, str, str, str]]) -> None:
    """``expected``: (outlet, speaker, first words of the answer, last words of the answer)."""
    assert len(src.turns) == len(expected)
    for t, (outlet, speaker, first, last) in zip(src.turns, expected, strict=True):
        assert (t.outlet, t.spokesperson, t.kind) == (outlet, speaker, "answer"), t.turn_id
        assert t.text.startswith(first), (t.turn_id, t.text[:80])
        assert t.text.endswith(last), (t.turn_id, t.text[-80:])
        assert t.question and t.question.strip() == t.question
    assert [t.n for t in src.turns] == list(range(1, len(expected) + 1))
    assert_offsets(src)


# ---------------------------------------------------------------------------
# Seeds


def test_seed_000_turns() -> None:
    src = _seed("000_244ba66e424b55ac.txt")
    assert src.date is None and not src.date_inferred
    assert src.spokesperson == "Mao Ning"
    _check_turns(src, [
        ("CCTV", "Mao Ning", "Since the founding of Shanghai Cooperation Organization",
         "security, stability and development of regional countries."),
        ("Yonhap News", "Mao Ning", "Ambassadors act as bridges",
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


def test_parse_text_without_turns_raises() -> None:
    with pytest.raises(TranscriptError) as err:
        parse_text("Just a title\nand some prose.\n", "x.txt", path="dir/x.txt")
    assert err.value.path == "dir/x.txt" and err.value.line == 1


# ---------------------------------------------------------------------------
# Property: offsets always cut the canonical text back out

@settings(max_examples=200, deadline=None)
@given(st.lists(paragraph, max_size=25))
def test_property_offsets_hold_for_parse_text(texts: list[str]) -> None:
    try:
        src = parse_text("\n".join(texts), "p.txt")
    except TranscriptError:
        return
    assert_offsets(src)
    assert all(t.text.strip() for t in src.turns)
