"""rag.timeline on a small fake-encoder index whose on-topic turns per month are known by construction."""

import sys

import numpy as np
import pytest

from rag import store
from rag.errors import MissingDependency, QueryError
from rag.ingest import ingest
from rag.retrieval import Retriever, make_filters
from rag.timeline import (
    THRESHOLD,
    choose_unit,
    format_text,
    quarter_of,
    save_png,
    score_turns,
    timeline,
    to_json,
)
from tests.fakes import FakeEncoder

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ON = "Tariffs harm both sides and we oppose them."
STRONG = "Tariffs tariffs tariffs hurt trade, and tariffs never solve problems."
OFF = ["Pandas live happily in zoos.", "The weather in Beijing is sunny.", "Football fans filled the stadium."]
# (year, month, speaker, answers): on-topic answers per month 2019-01: 2, 2019-03: 1, 2019-05: 1, 2020-03: 1;
# no transcript in 2019-04 or from 2019-06 to 2020-02.
CONFERENCES = [
    (2019, 1, "Geng Shuang", [STRONG, ON, OFF[0]]),
    (2019, 2, "Geng Shuang", [OFF[1]]),
    (2019, 3, "Geng Shuang", [OFF[2], ON]),
    (2019, 5, "Hua Chunying", [ON]),
    (2020, 3, "Hua Chunying", [ON, OFF[0]]),
]
THR = 0.3  # the fake encoder's scale is not MiniLM's: on-topic turns score ~0.5-1.3 here, off-topic 0


def _conf(year, month, speaker, answers):
    lines = [f"China Foreign Ministry Spokesperson {speaker} held a Regular Press Conference on "
             f"{MONTHS[month - 1]} 5, {year}"]
    for i, a in enumerate(answers):
        lines += [f"Reuters: Question number {i} from Reuters?", f"{speaker}: {a}"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    d = tmp_path_factory.mktemp("src")
    for y, m, speaker, answers in CONFERENCES:
        (d / f"c{y}{m:02d}.txt").write_text(_conf(y, m, speaker, answers), encoding="utf-8")
    # No date anywhere: its on-topic turn is listed as undated, in no bucket.
    (d / "undated.txt").write_text("Reuters: Question from Reuters?\nMao Ning: " + ON + "\n", encoding="utf-8")
    idx = tmp_path_factory.mktemp("idx")
    enc = FakeEncoder()
    ingest([d], idx, encoder_factory=lambda: enc)
    return Retriever(store.load(idx), enc)


def _counts(t):
    return {b.period: b.count for b in t.buckets}


def test_quarters_when_sparse_over_the_whole_range_with_zero_buckets(retriever):
    t = timeline(retriever, "tariffs", threshold=THR)
    # 15 months (2019-01 .. 2020-03) with 5 on-topic turns in 5 covered months: fewer than 2 a month -> quarters.
    assert t.unit == "quarter"
    assert _counts(t) == {"2019-Q1": 3, "2019-Q2": 1, "2019-Q3": 0, "2019-Q4": 0, "2020-Q1": 1}
    transcripts = {b.period: b.transcripts for b in t.buckets}
    assert transcripts == {"2019-Q1": 3, "2019-Q2": 1, "2019-Q3": 0, "2019-Q4": 0, "2020-Q1": 1}
    assert t.total == 6 and len(t.undated) == 1 and t.undated[0].startswith("undated:")
    assert t.statement(t.undated[0]).date is None
    assert sum(b.count for b in t.buckets) == t.total - len(t.undated)


def test_months_within_the_filters_and_the_gap_month_kept(retriever):
    t = timeline(retriever, "tariffs", make_filters("2019-01-01", "2019-05-31"), threshold=THR)
    assert t.unit == "month"  # 5 months: too short for quarters
    assert _counts(t) == {"2019-01": 2, "2019-02": 0, "2019-03": 1, "2019-04": 0, "2019-05": 1}
    assert [b.transcripts for b in t.buckets] == [1, 1, 1, 0, 1]  # April: no transcript, not "not said"
    assert t.undated == ()  # a date filter passes no undated transcript
    forced = timeline(retriever, "tariffs", make_filters("2019-01-01", "2019-05-31"), threshold=THR, unit="quarter")
    assert _counts(forced) == {"2019-Q1": 3, "2019-Q2": 1}


def test_turn_ids_best_first_and_scores_are_the_retrievers(retriever):
    t = timeline(retriever, "tariffs", threshold=THR)
    jan = next(b for b in t.buckets if b.period == "2019-Q1")
    scores = [t.statement(tid).score for tid in jan.turn_ids]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1]
    assert t.statements[0].turn_id == "c201901:1"  # the answer saying "tariffs" four times
    # Every turn's score is the fused score the search ranks by (the index is small enough that the
    # search's candidate lists hold every chunk), before the search lifts its top turns (rag.turn_lift).
    sc = score_turns(retriever, "tariffs")
    pos = {tid: i for i, tid in enumerate(sc.turn_ids)}
    hits = Retriever(retriever.index, retriever.encoder, lift=0.0).search("tariffs", k=10).hits
    assert len(hits) >= 6
    for h in hits:
        assert sc.fused[pos[h.turn.turn_id]] == pytest.approx(h.score, abs=1e-5)
    off = [i for tid, i in pos.items() if any(o in retriever.index.turns[tid].text for o in OFF)]
    assert off and np.all(sc.fused[off] < THR)


def test_spokesperson_filter_and_name_in_the_question(retriever):
    by_filter = timeline(retriever, "tariffs", make_filters(spokesperson="Hua Chunying"), threshold=THR)
    assert by_filter.total == 2 and {s.spokesperson for s in by_filter.statements} == {"Hua Chunying"}
    by_name = timeline(retriever, "What did Hua Chunying say about tariffs?", threshold=THR)
    assert by_name.filters.spokesperson == "Hua Chunying"
    assert [s.turn_id for s in by_name.statements] == [s.turn_id for s in by_filter.statements]
    # Quarters with transcripts of Hua Chunying only count as searched.
    assert {b.period: b.transcripts for b in by_filter.buckets}["2019-Q1"] == 0


def test_time_phrase_becomes_the_range(retriever):
    t = timeline(retriever, "tariffs in March 2019", threshold=THR)
    assert (t.filters.since, t.filters.until) == ("2019-03-01", "2019-03-31")
    assert [(b.period, b.count) for b in t.buckets] == [("2019-03", 1)]
    # The form's dates win over the phrase, with a warning.
    t = timeline(retriever, "tariffs in March 2019", make_filters(since="2020-01-01"), threshold=THR)
    assert t.filters.since == "2020-01-01" and t.warnings
    assert [(b.period, b.count) for b in t.buckets] == [("2020-01", 0), ("2020-02", 0), ("2020-03", 1)]


def test_quotes_are_verbatim_spans_of_their_turn(retriever):
    t = timeline(retriever, "tariffs", threshold=THR)
    for s in t.statements:
        src = retriever.index.sources[s.source]
        turn = retriever.index.turns[s.turn_id]
        assert src.canonical[s.start:s.end] == s.quote and s.quote
        assert turn.start <= s.start < s.end <= turn.end
        assert "ariffs" in s.quote


def test_threshold_default_and_higher_threshold_counts_fewer(retriever):
    assert timeline(retriever, "tariffs").threshold == THRESHOLD
    low, high = (timeline(retriever, "tariffs", threshold=x).total for x in (THR, 1.2))
    assert high < low


def test_json_keys_and_values(retriever):
    j = to_json(timeline(retriever, "tariffs", make_filters("2019-01-01", "2019-05-31"), threshold=THR))
    assert list(j)[:5] == ["question", "unit", "threshold", "buckets", "statements"]
    assert j["question"] == "tariffs" and j["unit"] == "month" and j["threshold"] == THR
    assert j["buckets"][0] == {"period": "2019-01", "count": 2, "turn_ids": ["c201901:1", "c201901:2"],
                               "transcripts": 1}
    assert set(j["statements"]) == {tid for b in j["buckets"] for tid in b["turn_ids"]}
    st = j["statements"]["c201903:2"]
    assert set(st) == {"date", "spokesperson", "quote", "start", "end", "source", "score", "named"}
    assert st["date"] == "2019-03-05" and st["spokesperson"] == "Geng Shuang" and st["source"] == "c201903.txt"
    assert j["filters"]["since"] == "2019-01-01"


def test_text_view_bars_and_gaps(retriever):
    out = format_text(timeline(retriever, "tariffs", threshold=THR))
    lines = out.splitlines()
    assert "6 statements scoring at least 0.3, per quarter" in lines[0]
    assert any(line.startswith("2019-Q1") and line.endswith("#" * 50) for line in lines)  # the longest bar
    assert "2019-Q3 – 2019-Q4       (no transcripts)" in lines
    assert any(line.startswith("undated") for line in lines)


def test_bad_unit_and_threshold(retriever):
    with pytest.raises(QueryError, match="month"):
        timeline(retriever, "tariffs", unit="week")
    with pytest.raises(QueryError, match="threshold"):
        timeline(retriever, "tariffs", threshold="high")
    with pytest.raises(QueryError):
        timeline(retriever, "   ")


def test_png_without_matplotlib_says_how_to_install(retriever, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(MissingDependency, match=r"pip install -e '\.\[eval\]'"):
        save_png(timeline(retriever, "tariffs", threshold=THR), str(tmp_path / "t.png"))
    assert not (tmp_path / "t.png").exists()


def test_unit_rule_and_quarter_labels():
    assert choose_unit(addressed=9, covered_months=5, months=15) == "quarter"
    assert choose_unit(addressed=10, covered_months=5, months=15) == "month"  # 2 a covered month: dense enough
    assert choose_unit(addressed=1, covered_months=5, months=11) == "month"  # under 12 months: always months
    assert [quarter_of(f"2019-{m:02d}") for m in (1, 3, 4, 12)] == ["2019-Q1", "2019-Q1", "2019-Q2", "2019-Q4"]


def test_doctests():
    import doctest

    from rag import timeline as module

    result = doctest.testmod(module)
    assert result.attempted >= 3 and result.failed == 0


def test_a_turn_of_procedural_lines_alone_is_not_a_statement(tmp_path):
    """Asked about the topic, answered "I have no information": neither counted nor listed (a reporter's QA)."""
    d = tmp_path / "src"
    d.mkdir()
    (d / "a.txt").write_text(_conf(2019, 1, "Geng Shuang", [ON]), encoding="utf-8")
    (d / "b.txt").write_text(_conf(2019, 2, "Geng Shuang", ["About the tariffs, I have no information to offer."]),
                             encoding="utf-8")
    enc = FakeEncoder()
    ingest([d], tmp_path / "idx", encoder_factory=lambda: enc)
    r = Retriever(store.load(tmp_path / "idx"), enc)
    sc = score_turns(r, "tariffs")
    procedural = next(i for i, t in enumerate(sc.turn_ids) if t.startswith("b:"))
    assert sc.fused[procedural] >= THR  # it scores as addressing the topic ...
    t = timeline(r, "tariffs", threshold=THR)
    assert [b.count for b in t.buckets] == [1, 0]  # ... but only the statement counts
    assert [s.quote for s in t.statements] == [ON]


def test_a_turn_naming_every_word_of_a_short_question_counts_whatever_its_score(tmp_path):
    """MiniLM reads a rare name as word pieces (a reporter's QA: "Kovrig and Spavor" counted 1 turn of 36)."""
    d = tmp_path / "src"
    d.mkdir()
    off = [f"Item {w} of the agenda was discussed." for w in ("alpha beta gamma delta epsilon zeta eta theta iota "
                                                              "kappa lambda mu nu xi omicron pi rho sigma tau").split()]
    (d / "a.txt").write_text(_conf(2019, 1, "Geng Shuang", off + ["Michael Kovrig's case is handled lawfully."]),
                             encoding="utf-8")
    enc = FakeEncoder()
    ingest([d], tmp_path / "idx", encoder_factory=lambda: enc)
    r = Retriever(store.load(tmp_path / "idx"), enc)
    t = timeline(r, "What did China say about Kovrig?", threshold=100.0)  # no turn scores 100
    assert t.named_words == ("Kovrig",) and [s.quote for s in t.statements] == ["Michael Kovrig's case is handled "
                                                                                 "lawfully."]
    assert "1 statement scoring at least 100 or naming \u201cKovrig\u201d, per month" in format_text(t)
    assert to_json(t)["named_words"] == ["Kovrig"] and t.statements[0].named
    # a word in every turn ("agenda": 19 of 20) is left to the score
    common = timeline(r, "agenda", threshold=100.0)
    assert common.total == 0 and common.named_words == ()
    # ... and the reader is told how many turns name it, rather than left with an empty chart
    assert (common.common_words, common.common_turns) == (("agenda",), 19)
    assert "\u201cagenda\u201d: named in 19 turns searched, too common" in format_text(common)
    assert to_json(common)["common_turns"] == 19


def test_a_name_no_transcript_holds_and_a_spokesperson_alone_are_said(tmp_path):
    """A QA reader: "Meng Wanzou" drew empty bars with no word of the spelling; "Hua Chunying" alone counted her
    statements that happened to score."""
    d = tmp_path / "src"
    d.mkdir()
    (d / "a.txt").write_text(_conf(2019, 1, "Geng Shuang", [ON] + OFF), encoding="utf-8")
    enc = FakeEncoder()
    ingest([d], tmp_path / "idx", encoder_factory=lambda: enc)
    r = Retriever(store.load(tmp_path / "idx"), enc)
    t = timeline(r, "Kovrik", threshold=100.0)
    assert t.total == 0 and any("\u201cKovrik\u201d is in no transcript of the archive" in w for w in t.warnings)
    # said once, in the timeline's words: not also as the search's warning about quotes (a timeline quotes nothing)
    assert not any("quotes" in w for w in t.warnings) and len(t.warnings) == 1
    alone = timeline(r, "Geng Shuang", threshold=100.0)
    assert alone.filters.spokesperson == "Geng Shuang"
    assert any(w.startswith("The question names only a spokesperson (Geng Shuang)") for w in alone.warnings)
