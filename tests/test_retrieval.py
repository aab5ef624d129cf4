import pytest

from rag import store
from rag.errors import QueryError
from rag.ingest import ingest
from rag.retrieval import FusionParams, Retriever, make_filters
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
    res = retriever.search("tariffs", filters=make_filters(outlet="No Such Outlet"))
    assert res.hits == [] and res.searched_sources == 0


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_modes_rank_the_on_topic_turns_first(retriever, mode):
    res = retriever.search("pandas zoos", k=3, mode=mode)
    assert all("pandas" in h.chunk.text for h in res.hits)


def test_rrf_formula():
    r = Retriever.__new__(Retriever)
    r.fusion = FusionParams(method="rrf", rrf_k=60, dense_weight=1.0, bm25_weight=1.0)
    fused = r._fuse({1: 0.9, 2: 0.5}, {2: 7.0, 3: 1.0}, "hybrid")
    assert fused[2] == pytest.approx(1 / (60 + 2) + 1 / (60 + 1))
    assert fused[1] == pytest.approx(1 / (60 + 1))
    assert fused[3] == pytest.approx(1 / (60 + 2))


def test_weighted_formula():
    r = Retriever.__new__(Retriever)
    r.fusion = FusionParams(method="weighted", dense_weight=1.0, bm25_weight=0.5)
    fused = r._fuse({1: 0.8}, {1: 4.0, 2: 2.0}, "hybrid")
    assert fused[1] == pytest.approx(0.8 + 0.5 * 4.0 / 4.0)
    assert fused[2] == pytest.approx(0.5 * 2.0 / 4.0)


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
