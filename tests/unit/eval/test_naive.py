"""The common-recipe baseline: chunks mapped to every overlapping turn, the vector cache, page filters."""

from __future__ import annotations

from dataclasses import replace

from rag.eval.naive import NaiveRetriever, default_cache_dir
from rag.retrieval import Filters, filter_mask
from rag.sources.text import parse_text
from tests.fakes import FakeEncoder


def test_naive_maps_chunks_to_every_overlapping_turn_and_caches(tmp_path):
    text = "".join(f"CCTV: Question number {i}?\nMao Ning: Short answer {i} about topic{i}.\n" for i in range(30))
    src = parse_text(text, "n.txt")
    enc = FakeEncoder()
    r = NaiveRetriever({src.source: src}, enc, cache_dir=tmp_path)
    assert r.cached is False and enc.calls == len(r.chunks) > 1
    for c in r.chunks:  # offsets into the canonical text
        assert src.canonical[c.start:c.end].strip() == src.canonical[c.start:c.end]
    hits = r.search("topic7", k=30)
    by_id = {h.turn.turn_id: h for h in hits}
    top_chunk = by_id["n:8"].chunk  # the chunk that holds "topic7" ...
    assert hits[0].chunk == top_chunk
    # ... covers several short turns, and every one of them gets its score (ties: larger overlap first)
    shared = [h for h in hits if h.chunk == top_chunk]
    assert len(shared) > 3 and len({h.score for h in shared}) == 1
    assert [h.overlap for h in shared] == sorted((h.overlap for h in shared), reverse=True)
    calls = enc.calls
    again = NaiveRetriever({src.source: src}, enc, cache_dir=tmp_path)
    assert again.cached is True and enc.calls == calls  # nothing re-embedded
    assert again.search("topic7", k=30)[0].turn.turn_id == hits[0].turn.turn_id


def test_naive_cache_follows_rag_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    assert default_cache_dir() == tmp_path / "cache" / "naive"
    src = parse_text("CCTV: Pandas?\nMao Ning: Giant pandas are loved.\n", "p.txt")
    r = NaiveRetriever({src.source: src}, FakeEncoder())
    assert r.cache_path.parent == tmp_path / "cache" / "naive" and r.cache_path.is_file()


def test_naive_filters_pages_by_date_and_spokesperson_not_outlet(tmp_path):
    a = replace(parse_text("CCTV: Pandas?\nMao Ning: Giant pandas are loved.\n", "a.txt"), date="2023-01-05",
                spokesperson="Mao Ning")
    b = replace(parse_text("AFP: Pandas?\nWang Wenbin: Pandas again.\n", "b.txt"), date="2023-03-01",
                spokesperson="Wang Wenbin")
    c = parse_text("AFP: Pandas?\nWang Wenbin: Pandas, undated.\n", "c.txt")  # no date
    r = NaiveRetriever({s.source: s for s in (a, b, c)}, FakeEncoder(), cache_dir=tmp_path)

    def found(**f):
        return {h.turn.source for h in r.search("pandas", k=10, filters=Filters(**f))}

    assert found() == {"a.txt", "b.txt", "c.txt"}
    assert found(since="2023-02-01") == {"b.txt"}  # undated pages never pass a date filter
    assert found(until="2023-02-01") == {"a.txt"}
    assert found(spokesperson="wang") == {"b.txt", "c.txt"}
    assert found(since="2023-02-01", spokesperson="mao") == set()
    assert found(outlet="CCTV") == {"a.txt", "b.txt", "c.txt"}  # pages have no single outlet


def test_filter_mask_is_the_retrievers_rule():
    dates = ["2023-01-05", "2023-03-01", ""]
    spk = ["mao ning", "wang wenbin", "wang wenbin"]
    outlets = ["cctv", "afp", "afp"]
    assert filter_mask(Filters(), dates, spk, outlets) is None
    assert filter_mask(Filters(since="2023-01-05"), dates).tolist() == [True, True, False]
    assert filter_mask(Filters(until="2023-01-05"), dates).tolist() == [True, False, False]
    assert filter_mask(Filters(spokesperson="Wang"), dates, spk).tolist() == [False, True, True]
    assert filter_mask(Filters(outlet="AFP"), dates, spk, outlets).tolist() == [False, True, True]
    assert filter_mask(Filters(outlet="AFP"), dates, spk) is None  # no outlet column: not filtered
    assert filter_mask(Filters(since="2023-01-01", outlet="cctv"), dates, spk, outlets).tolist() == [True, False, False]
