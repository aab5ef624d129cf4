import numpy as np
import pytest

from rag import retrieval, store, turn_lift
from rag.errors import QueryError, RagError
from rag.ingest import ingest
from rag.retrieval import MIN_DENSE, FusionParams, Retriever, fuse, make_filters
from tests.fakes import FakeEncoder


def _conf(month: int, outlet_answers):
    lines = [f"China Foreign Ministry Spokesperson Mao Ning held a Regular Press Conference on {month_name(month)} 5, 2019"]
    for outlet, speaker, answer in outlet_answers:
        lines += [f"{outlet}: Question from {outlet}?", f"{speaker}: {answer}"]
    return "\n".join(lines) + "\n"


def month_name(m):
    return ["January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December"][m - 1]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    d = tmp_path_factory.mktemp("src")
    # Twelve conferences, one a month in 2019, each mentioning tariffs; only some from Reuters.
    for m in range(1, 13):
        outlet = "Reuters" if m % 3 == 0 else "AFP"
        speaker = "Geng Shuang" if m <= 6 else "Hua Chunying"
        body = [(outlet, speaker, f"Tariffs harm both sides, we said in month {m}. " + "Filler sentence here. " * 3)]
        body += [("CCTV", speaker, f"Unrelated remark number {m} about pandas and zoos.")]
        (d / f"c{m:02d}.txt").write_text(_conf(m, body), encoding="utf-8")
    # One long answer on tariffs that splits into many chunks.
    long = " ".join(f"Tariffs tariffs tariffs sentence {i}." for i in range(200))
    (d / "long.txt").write_text(_conf(1, [("BBC", "Geng Shuang", long)]), encoding="utf-8")
    idx = tmp_path_factory.mktemp("idx")
    enc = FakeEncoder()
    ingest([d], idx, encoder_factory=lambda: enc)
    return Retriever(store.load(idx), enc)


def test_long_answer_does_not_crowd_out_other_turns(retriever):
    res = retriever.search("tariffs", k=10)
    ids = [h.turn.turn_id for h in res.hits]
    assert len(ids) == len(set(ids)) == 10  # one hit per turn
    assert sum(1 for h in res.hits if h.source.source == "long.txt") == 1


def test_filters_fill_top_k_with_matching_turns(retriever):
    # Only 4 Reuters turns exist; with a post-filter of a global top-3 we could get fewer.
    res = retriever.search("tariffs", k=4, filters=make_filters(outlet="reuters"))
    assert [h.turn.outlet for h in res.hits] == ["Reuters"] * 4
    res = retriever.search("tariffs", k=5, filters=make_filters(since="2019-07-01", spokesperson="Hua Chunying"))
    assert len(res.hits) == 5
    assert all(h.source.date >= "2019-07-01" and h.turn.spokesperson == "Hua Chunying" for h in res.hits)


def test_time_phrase_becomes_a_date_filter(retriever):
    res = retriever.search("tariffs in June 2019", k=10)
    assert res.time_phrase == "June 2019"
    assert res.filters.since == "2019-06-01" and res.filters.until == "2019-06-30"
    assert {h.source.date for h in res.hits} == {"2019-06-05"}
    # Explicit filters win over the phrase.
    res = retriever.search("tariffs in June 2019", k=3, filters=make_filters(since="2019-09-01"))
    assert res.time_phrase is None and all(h.source.date >= "2019-09-01" for h in res.hits)


def test_filter_matching_nothing_returns_no_hits(retriever):
    # a known outlet that never asks here (the fixture: AFP, Reuters, CCTV, BBC) and a period with nothing
    res = retriever.search("tariffs", filters=make_filters(outlet="Bloomberg"))
    assert res.hits == [] and res.searched_sources == 0
    res = retriever.search("tariffs", filters=make_filters(since="2019-03-06", until="2019-03-07"))
    assert res.hits == [] and res.searched_sources == 0


@pytest.mark.parametrize(("filters", "message"), [
    (make_filters(spokesperson="Geng Shaung"), "no spokesperson named 'Geng Shaung' in this index; its spokespersons "
                                               "are Geng Shuang, Hua Chunying"),
    (make_filters(outlet="No Such Outlet"), "no outlet named 'No Such Outlet' is known or asks in this index; the "
                                            "outlets asking most are "),
])
def test_a_name_the_index_does_not_have_is_an_error_that_says_which_it_has(retriever, filters, message):
    """A misspelt spokesperson or an unknown outlet used to give "nothing in the 0 transcripts searched"."""
    with pytest.raises(QueryError) as e:
        retriever.search("tariffs", filters=filters)
    assert str(e.value).startswith(message)
    assert retriever.search("tariffs", filters=make_filters(spokesperson="Hua")).hits  # a part of a name still works


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_modes_rank_the_on_topic_turns_first(retriever, mode):
    res = retriever.search("pandas zoos", k=3, mode=mode)
    assert all("pandas" in h.chunk.text for h in res.hits)


# Fusion as a pure function: expected values are written as the formula (as ranx's tests do).
WEIGHTED = FusionParams(method="weighted", dense_weight=1.0, bm25_weight=0.3)
RRF = FusionParams(method="rrf", rrf_k=60, dense_weight=1.0, bm25_weight=0.3)
DENSE = {1: 0.8, 2: 0.5}  # chunk 2 is only in the dense list
BM25 = {1: 2.0, 3: 4.0}  # chunk 3 is only in the BM25 list


def _approx(expected: dict[int, float]):
    return pytest.approx(expected, rel=1e-12, abs=0.0)


def test_fuse_weighted():
    fused = fuse(DENSE, BM25, "hybrid", WEIGHTED)
    assert fused == _approx({1: 1.0 * 0.8 + 0.3 * 2.0 / 4.0,  # BM25 divided by the query's best BM25 (4.0)
                             2: 1.0 * 0.5,
                             3: 0.3 * 4.0 / 4.0})
    assert sorted(fused, key=fused.get, reverse=True) == [1, 2, 3]


def test_fuse_weighted_uses_both_weights():
    fused = fuse({1: 0.8}, {1: 4.0, 2: 2.0}, "hybrid", FusionParams(method="weighted", dense_weight=0.5,
                                                                    bm25_weight=2.0))
    assert fused == _approx({1: 0.5 * 0.8 + 2.0 * 4.0 / 4.0, 2: 2.0 * 2.0 / 4.0})


def test_fuse_rrf_ranks_by_score_not_by_order_given():
    fused = fuse({2: 0.5, 1: 0.8}, {3: 4.0, 1: 2.0}, "hybrid", RRF)
    assert fused == _approx({1: 1 / (60 + 1) + 0.3 / (60 + 2),  # dense rank 1, BM25 rank 2
                             2: 1 / (60 + 2),                   # dense rank 2, absent from BM25
                             3: 0.3 / (60 + 1)})                # BM25 rank 1, absent from dense
    assert fuse(DENSE, BM25, "hybrid", RRF) == fused


def test_fuse_rrf_k():
    fused = fuse({7: 0.1}, {7: 9.0}, "hybrid", FusionParams(method="rrf", rrf_k=0, dense_weight=1.0, bm25_weight=1.0))
    assert fused == _approx({7: 1 / (0 + 1) + 1 / (0 + 1)})


@pytest.mark.parametrize("params", [WEIGHTED, RRF], ids=["weighted", "rrf"])
def test_fuse_single_list_modes_return_that_list(params):
    assert fuse(DENSE, BM25, "dense", params) == DENSE
    assert fuse(DENSE, BM25, "bm25", params) == BM25
    out = fuse(DENSE, BM25, "dense", params)
    out[99] = 1.0  # a copy: the caller's scores are not touched
    assert 99 not in DENSE


@pytest.mark.parametrize("params", [WEIGHTED, RRF], ids=["weighted", "rrf"])
def test_fuse_empty_inputs(params):
    for mode in ("hybrid", "dense", "bm25"):
        assert fuse({}, {}, mode, params) == {}


def test_fuse_one_list_empty():
    # No BM25 match at all (no query word in the vocabulary): the weighted score is the cosine alone.
    assert fuse(DENSE, {}, "hybrid", WEIGHTED) == _approx({1: 1.0 * 0.8, 2: 1.0 * 0.5})
    assert fuse({}, BM25, "hybrid", WEIGHTED) == _approx({1: 0.3 * 2.0 / 4.0, 3: 0.3 * 4.0 / 4.0})
    assert fuse(DENSE, {}, "hybrid", RRF) == _approx({1: 1 / (60 + 1), 2: 1 / (60 + 2)})
    assert fuse({}, BM25, "hybrid", RRF) == _approx({3: 0.3 / (60 + 1), 1: 0.3 / (60 + 2)})


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_retriever_ranks_turns_by_fuse(retriever, mode, monkeypatch):
    """The retriever's scores are fuse()'s, given its own dense and BM25 lists and its FusionParams (hybrid: plus the
    turn lift, LIFT × the turn's best sentence cosine)."""
    calls = []

    def spy(dense, bm25, m, params):
        calls.append((dict(dense), dict(bm25), m, params))
        return fuse(dense, bm25, m, params)

    monkeypatch.setattr(retrieval, "fuse", spy)
    res = retriever.search("tariffs pandas", k=5, mode=mode)
    [(dense, bm25, m, params)] = calls
    assert m == mode and params is retriever.fusion
    assert bool(dense) == (mode != "bm25") and bool(bm25) == (mode != "dense")
    fused = fuse(dense, bm25, mode, params)
    # hybrid: each top turn lifted by its best sentence's cosine with the question (rag.turn_lift)
    table, q = retriever.index.sentences, res.query_vector
    lift = [turn_lift.LIFT * max(0.0, *(float(table.vectors[r].astype("float32") @ q) for c in retriever.index.chunks
                                 if c.turn_id == h.turn.turn_id for r in range(table.offsets[c.chunk_id],
                                                                               table.offsets[c.chunk_id + 1])))
            if mode == "hybrid" else 0.0 for h in res.hits]
    assert [h.score for h in res.hits] == pytest.approx([fused[h.chunk.chunk_id] + x for h, x in zip(res.hits, lift, strict=True)])
    assert [(h.dense, h.bm25) for h in res.hits] == [(dense.get(h.chunk.chunk_id, 0.0), bm25.get(h.chunk.chunk_id, 0.0))
                                                     for h in res.hits]
    assert [h.score for h in res.hits] == sorted((h.score for h in res.hits), reverse=True)


@pytest.mark.parametrize("kw, msg", [
    ({"since": "2019/01/01"}, "YYYY-MM-DD"),
    ({"until": "yesterday"}, "YYYY-MM-DD"),
    ({"since": "2020-01-01", "until": "2019-01-01"}, "after"),
])
def test_bad_filters_say_what_is_expected(kw, msg):
    with pytest.raises(QueryError, match=msg):
        make_filters(**kw)


def test_question_limits(retriever):
    with pytest.raises(QueryError, match="empty"):
        retriever.search("   ")
    with pytest.raises(QueryError, match="too long"):
        retriever.search("x" * 2001)
    with pytest.raises(QueryError, match="k must be"):
        retriever.search("tariffs", k=0)


# -- what the question says besides its topic (rag.intent) ------------------------------------------

def test_spokesperson_named_in_question_becomes_the_filter(retriever):
    res = retriever.search("What did Hua Chunying say about tariffs?", k=10)
    assert res.filters.spokesperson == "Hua Chunying" and res.spokesperson_phrase == "Hua Chunying"
    assert res.hits and {h.turn.spokesperson for h in res.hits} == {"Hua Chunying"}
    # the dates said with the answer are those of the transcripts searched (hers), not the archive's
    assert res.searched_sources == 6 and res.date_range == ("2019-07-05", "2019-12-05")
    assert retriever.search("tariffs", k=3).date_range == ("2019-01-05", "2019-12-05")
    off = retriever.search("What did Hua Chunying say about tariffs?", k=10, parse_time=False)
    assert off.filters.spokesperson is None and "Geng Shuang" in {h.turn.spokesperson for h in off.hits}


def test_outlet_named_in_question_ranks_its_turns_first_without_dropping_others(retriever, monkeypatch):
    # the fake encoder's cosine of "tariffs Reuters" and the Reuters turns is 0.23: on topic for it (MiniLM's
    # on-topic cosines start near 0.6), so the lift's threshold is set below it
    monkeypatch.setattr("rag.retrieval.MIN_DENSE", 0.2)
    res = retriever.search("tariffs Reuters", k=10)
    assert res.outlet_preference == "Reuters" and res.filters.outlet is None
    outlets = [h.turn.outlet for h in res.hits]
    # Its four turns come before the AFP turns that say the same thing ("Tariffs harm both sides ..."); the BBC
    # turn of nothing but tariffs may stay above them (the boost lifts a near tie, not a clearly better answer).
    reuters = [i for i, o in enumerate(outlets) if o == "Reuters"]
    afp = [i for i, o in enumerate(outlets) if o == "AFP"]
    assert len(reuters) == 4 and afp and max(reuters) < min(afp)  # others follow, not dropped
    # the boost's own guarantee, without the lift: its four turns first
    off = Retriever(retriever.index, retriever.encoder, lift=0.0).search("tariffs Reuters", k=10)
    outlets = [h.turn.outlet for h in off.hits]
    assert outlets[:4] == ["Reuters"] * 4 and set(outlets[4:]) - {"Reuters"}


def test_an_outlets_turns_on_another_topic_are_not_lifted(retriever):
    """"What did they tell Reuters about pandas?": Reuters asked only about tariffs (cosine 0.06 here, under
    MIN_DENSE), so the pandas answers come first; before, the four Reuters turns on tariffs did."""
    res = Retriever(retriever.index, retriever.encoder, lift=0.0).search(
        "What did they tell Reuters about pandas and zoos?", k=6)
    assert res.outlet_preference == "Reuters" and res.intent.outlet_asked
    assert [h.turn.outlet for h in res.hits] == ["CCTV"] * 6 and all(h.dense >= MIN_DENSE for h in res.hits)


def test_dates_outside_the_archive_are_reported(retriever):
    res = retriever.search("tariffs in 2022", k=10)
    assert res.hits == []
    assert res.uncovered == {"missing": "2022", "nearest": "5 January 2019 – 5 December 2019",
                             "periods": "5 January 2019 – 5 December 2019", "mentions": False}
    assert retriever.search("tariffs in 2019", k=3).uncovered is None


def test_a_bare_year_outside_the_archive_keeps_only_turns_naming_it(retriever):
    res = retriever.search("tariffs and the 2022 plan", k=10)
    assert res.uncovered["missing"] == "2022" and res.uncovered["mentions"] is True
    assert res.hits == []  # no turn names 2022
    assert retriever.search("tariffs and the 2019 plan", k=3).uncovered is None  # 2019 is covered


def test_question_against_the_form_gives_a_warning(retriever):
    res = retriever.search("tariffs in January 2020", k=3, filters=make_filters(since="2019-01-01",
                                                                                 until="2019-12-31"))
    assert res.filters.since == "2019-01-01" and "January 2020" in res.warnings[0]
    # and 2019 is covered from 5 January to 5 December only (a transcript a month): the rest is said
    assert res.warnings[1:] == ["Of 2019, the archive covers 5 January 2019 – 5 December 2019 only: "
                                "statements from the rest of that time are not in it."]


def test_dates_partly_outside_the_archive_are_said(retriever):
    """The archive of the fixture ends on 5 December 2019: "in December 2019" holds its first five days, then nothing."""
    res = retriever.search("tariffs in December 2019", k=3)
    assert res.hits and res.uncovered is None
    assert res.warnings == ["Of December 2019, the archive covers 1 December 2019 – 5 December 2019 "
                            "only: statements from the rest of that time are not in it."]
    assert retriever.search("tariffs in June 2019", k=3).warnings == []  # one a month, and the month is covered


def test_outlet_filter_counts_labelled_questions(retriever):
    res = retriever.search("tariffs", k=3, filters=make_filters(outlet="Agence France-Presse"))
    assert res.hits and {h.turn.outlet for h in res.hits} == {"AFP"}  # one outlet under any of its names
    # 12 months x 2 questions (one AFP or Reuters, one CCTV) + the long BBC answer: all labelled.
    assert res.extra["outlet_labels"] == 25 and res.extra["outlets_since"] == "2019-01-05"


def test_a_spokesperson_without_statements_in_the_archive_is_searched_as_words(retriever):
    res = retriever.search("What did Mao Ning say about tariffs?", k=3)  # the fixture has Geng and Hua only
    assert res.filters.spokesperson is None and res.hits
    assert res.warnings and "Mao Ning" in res.warnings[0]


def test_years_before_the_archive_are_history_not_a_date(retriever):
    res = retriever.search("tariffs and the 1984 Joint Declaration", k=3)
    assert res.uncovered is None and res.hits


def test_spokesperson_filter_matches_whole_words():
    from rag.filters import Filters, filter_mask

    rows = ["hua chunying", "geng shuang", "zhao lijian"]
    assert filter_mask(Filters(spokesperson="Hua"), ["2019-01-01"] * 3, rows).tolist() == [True, False, False]
    assert filter_mask(Filters(spokesperson="shuang"), ["2019-01-01"] * 3, rows).tolist() == [False, True, False]


def test_lift_zero_ranks_by_the_fused_score_alone(retriever):
    """``lift=0.0`` turns the sentence lift off; with it on, each top turn's score rises by at most LIFT."""
    off = Retriever(retriever.index, retriever.encoder, lift=0.0).search("tariffs pandas", k=8)
    on = retriever.search("tariffs pandas", k=8)
    base = {h.turn.turn_id: h.score for h in off.hits}
    assert [h.score for h in off.hits] == sorted(base.values(), reverse=True)
    assert {h.turn.turn_id for h in on.hits} == set(base)  # the top 10 re-sorted, none added or dropped
    assert all(0 <= h.score - base[h.turn.turn_id] <= turn_lift.LIFT for h in on.hits)
    assert any(h.score > base[h.turn.turn_id] for h in on.hits)


@pytest.mark.parametrize("filters", [{}, {"outlet": "reuters"}, {"since": "2019-07-01"}])
def test_a_search_is_a_prefix_of_a_deeper_one(retriever, filters):
    """The lift re-sorts the top DEPTH turns whatever k is: k = 3, 10 and 40 agree on what they share, and
    scores fall (turns below the lifted ones are never lifted above them)."""
    f = make_filters(**filters)
    runs = {k: [(h.turn.turn_id, h.score) for h in retriever.search("tariffs pandas", k=k, filters=f).hits]
            for k in (3, 10, 40)}
    assert runs[3] == runs[10][:3] and runs[10] == runs[40][:10]
    scores = [s for _, s in runs[40]]
    assert scores == sorted(scores, reverse=True)


def test_a_bad_lift_is_refused(retriever):
    with pytest.raises(RagError, match="turn lift"):
        Retriever(retriever.index, retriever.encoder, lift=-1.0)


def test_an_index_without_sentence_units_is_searched_without_the_lift(retriever):
    from dataclasses import replace

    bare = Retriever(replace(retriever.index, sentences=None), retriever.encoder)
    off = Retriever(retriever.index, retriever.encoder, lift=0.0)
    assert [(h.turn.turn_id, h.score) for h in bare.search("tariffs pandas", k=8).hits] == \
        [(h.turn.turn_id, h.score) for h in off.search("tariffs pandas", k=8).hits]


def test_a_spokesperson_outside_the_dates_searched_is_told_when_they_speak(retriever):
    """A reporter's QA: "What did Zhao Lijian say in 2019?" only said "0 transcripts searched"."""
    res = retriever.search("tariffs", filters=make_filters(since="2019-08-01", spokesperson="Geng Shuang"))
    assert res.hits == []
    assert "Geng Shuang's briefings in the archive run from 5 January 2019 to 5 June 2019: none in the dates " \
           "searched." in res.warnings
    assert not retriever.search("tariffs", filters=make_filters(since="2019-08-01")).warnings
    # the dates hold Geng Shuang's briefings; the outlet is what matches nothing: no word about his dates
    by_outlet = retriever.search("tariffs", filters=make_filters(since="2019-01-01", until="2019-02-28",
                                                                 spokesperson="Geng Shuang", outlet="Reuters"))
    assert by_outlet.hits == [] and not any("briefings in the archive run" in w for w in by_outlet.warnings)


def test_an_asking_outlet_is_not_in_the_question_vector(retriever):
    """"tell Reuters about Huawei" quoted a Reuters question on the US election: the name in the vector pulled every
    question Reuters asked. The asker ranks by its boost; an outlet that is only named stays in the vector."""
    enc = retriever.encoder
    asked = retriever.search("What did the spokesperson tell Reuters about tariffs?")
    assert np.allclose(asked.query_vector, enc.encode(["What did the spokesperson about tariffs?"])[0])
    # still ahead of the other agency's answers on the topic, by the boost
    assert next(h.turn.outlet for h in asked.hits if h.turn.outlet in ("Reuters", "AFP")) == "Reuters"
    named = retriever.search("Reuters report on tariffs")
    assert np.allclose(named.query_vector, enc.encode(["Reuters report on tariffs"])[0])
