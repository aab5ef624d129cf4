"""``rag eval``: metrics against their formulas, qrels parsing, thresholds, the dev sets' hygiene.

Unit tests use the fake encoder; ``test_seeds_set_through_the_cli`` uses the real model.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from rag import evaluate as ev
from rag.cli import main
from rag.ingest import ingest
from rag.sources.files import parse_file
from tests.fakes import FakeEncoder

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO / "eval"
CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/fmprc/en"
SEEDS = REPO / "seeds"


# ---------------------------------------------------------------------------
# Metrics: ir-measures against the textbook formulas


def _runs(rankings: dict[str, list[str]]) -> dict[str, ev.QueryRun]:
    return {q: ev.QueryRun(q, list(zip(docs, ev.strictly_decreasing([10.0 - i for i in range(len(docs))]),
                                       strict=True)))
            for q, docs in rankings.items()}


def test_metrics_match_their_formulas():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1, "c": 1}, "q3": {"z": 1}, "q4": {"d": 1}}
    rankings = {"q1": ["x", "y", "a"], "q2": ["b", "x", "c"], "q3": ["x", "y"], "q4": []}
    agg, per = ev.evaluate_run(qrels, _runs(rankings))

    def first_rank(q):
        return next((i + 1 for i, d in enumerate(rankings[q]) if d in qrels[q]), None)

    # MRR@10 = mean over queries of 1/rank of the first relevant turn (0 if none in the top 10)
    mrr = sum(1 / r if (r := first_rank(q)) and r <= 10 else 0 for q in qrels) / len(qrels)
    assert agg["MRR@10"] == pytest.approx(mrr) == pytest.approx((1 / 3 + 1 + 0 + 0) / 4)

    # R@k = mean of |relevant in top k| / |relevant|
    def recall(k):
        return sum(len(set(rankings[q][:k]) & set(qrels[q])) / len(qrels[q]) for q in qrels) / len(qrels)

    for k in (1, 10, 100):
        assert agg[f"R@{k}"] == pytest.approx(recall(k))
    assert agg["R@1"] == pytest.approx((0 + 0.5 + 0 + 0) / 4)

    # nDCG@10 with binary gains: sum 1/log2(rank+1) over relevant hits / ideal
    def ndcg(q):
        dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(rankings[q][:10]) if d in qrels[q])
        idcg = sum(1 / math.log2(i + 2) for i in range(min(len(qrels[q]), 10)))
        return dcg / idcg

    assert agg["nDCG@10"] == pytest.approx(sum(ndcg(q) for q in qrels) / len(qrels))

    # AP = mean of precision at each relevant hit, divided by |relevant|
    def ap(q):
        hits, total = 0, 0.0
        for i, d in enumerate(rankings[q]):
            if d in qrels[q]:
                hits += 1
                total += hits / (i + 1)
        return total / len(qrels[q])

    assert agg["MAP"] == pytest.approx(sum(ap(q) for q in qrels) / len(qrels))
    assert per["q4"]["MRR@10"] == 0.0 and per["q2"]["R@1"] == 0.5


def test_ties_keep_the_systems_order():
    # Equal (or, in single precision, indistinguishable) scores would be re-sorted by doc id inside
    # trec_eval; the nudged scores keep our order for every provider ir-measures picks.
    scores = ev.strictly_decreasing([0.0325224748, 0.0325224747, 0.0325224747, 0.5e-2])
    assert all(a > b for a, b in zip(scores, scores[1:], strict=False))
    assert scores[-1] == 0.5e-2
    run = {"q": ev.QueryRun("q", list(zip(["aa", "zz", "mm", "bb"], scores, strict=True)))}
    agg, _ = ev.evaluate_run({"q": {"zz": 1}}, run)
    assert agg["MRR@10"] == pytest.approx(1 / 2)  # RR@10 is computed by the msmarco provider
    assert agg["Success@1"] == 0.0 and agg["R@1"] == 0.0  # ... these by pytrec_eval: same ranking
    assert agg["nDCG@10"] == pytest.approx(1 / math.log2(3))


def test_paired_tests():
    a = [1.0] * 30
    assert ev.paired_randomization(a, a) == 1.0
    assert ev.paired_ttest(a, a) == 1.0
    b = [0.0] * 30
    assert ev.paired_randomization(a, b) < 0.001
    sig = ev.significance({"hybrid": {str(i): {"MRR@10": 1.0, "nDCG@10": 1.0} for i in range(5)},
                           "bm25": {str(i): {"MRR@10": 0.5, "nDCG@10": 1.0} for i in range(5)}})
    by = {s["metric"]: s for s in sig}
    assert by["MRR@10"]["diff"] == pytest.approx(0.5) and by["MRR@10"]["wins"] == 5
    assert by["nDCG@10"]["p_randomization"] == 1.0


# ---------------------------------------------------------------------------
# Reading sets


def test_qrels_beir_and_trec_read_the_same(tmp_path):
    beir = tmp_path / "test.tsv"
    beir.write_text("query-id\tcorpus-id\tscore\nq1\tt1:2\t1\nq1\tt1:3\t2\nq2\tt9:1\t0\n", encoding="utf-8")
    trec = tmp_path / "qrels.trec"
    trec.write_text("q1 0 t1:2 1\nq1 0 t1:3 2\n\nq2 0 t9:1 0\n", encoding="utf-8")
    want = {"q1": {"t1:2": 1, "t1:3": 2}, "q2": {"t9:1": 0}}
    assert ev.read_qrels(beir) == want
    assert ev.read_qrels(trec) == want
    (tmp_path / "bad.tsv").write_text("q1 t1:2\n", encoding="utf-8")
    with pytest.raises(ev.RagError, match="bad.tsv:1"):
        ev.read_qrels(tmp_path / "bad.tsv")


def test_min_spec_parsing():
    assert ev.parse_min("MRR@10=0.8", ["hybrid"]) == (None, "MRR@10", 0.8)
    assert ev.parse_min("bm25:rr@10=0.5", ["bm25", "hybrid"]) == ("bm25", "MRR@10", 0.5)
    assert ev.parse_min("map=0.1", ["hybrid"]) == (None, "MAP", 0.1)
    for bad in ("MRR@10", "foo=1", "MRR@10=x", "dense:MRR@10=1"):
        with pytest.raises(ev.QueryError):
            ev.parse_min(bad, ["hybrid"])


# ---------------------------------------------------------------------------
# The CLI on a tiny index with the fake encoder


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    """A three-conference index built with the fake encoder, and a two-query set over it."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(
        "CCTV: What about pandas?\nMao Ning: Giant pandas are loved by children everywhere.\n"
        "AFP: And tariffs?\nMao Ning: Tariffs hurt both sides and the world economy.\n", encoding="utf-8")
    (src / "b.txt").write_text(
        "Reuters: Any comment on the rocket launch?\nMao Ning: The satellite launch was peaceful.\n", encoding="utf-8")
    idx = tmp_path / "idx"
    enc = FakeEncoder()
    monkeypatch.setattr("rag.embedding.Embedder", lambda dtype="fp32": enc)
    monkeypatch.setattr("rag.naive.CACHE_DIR", tmp_path / "naive-cache")
    ingest([src], idx, encoder_factory=lambda: enc)
    ds = tmp_path / "set"
    (ds / "qrels").mkdir(parents=True)
    (ds / "queries.jsonl").write_text(
        '{"_id": "1", "text": "giant pandas children"}\n{"_id": "2", "text": "satellite launch"}\n', encoding="utf-8")
    (ds / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\ta:1\t1\n2\tb:1\t1\n", encoding="utf-8")
    return ds, idx, tmp_path / "out"


def test_cli_writes_everything_and_min_sets_the_exit_code(tiny, capsys):
    ds, idx, out = tiny
    args = ["eval", str(ds), "--index", str(idx), "--systems", "bm25,hybrid,naive", "--out", str(out),
            "--quiet", "--json"]
    assert main(args + ["--min", "MRR@10=0.5", "--min", "quote_verbatim=1"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["passed"] and set(payload["systems"]) == {"bm25", "hybrid", "naive"}
    assert payload["systems"]["hybrid"]["metrics"]["MRR@10"] == 1.0
    assert payload["systems"]["hybrid"]["quote"]["quote_verbatim"] == 1.0
    assert payload["systems"]["naive"]["quote"] is None
    assert {s["b"] for s in payload["significance"]} == {"bm25", "naive"}
    for name in ("report.md", "chart.png", "metrics.json", "per_query.jsonl", "run.hybrid.trec", "run.naive.trec"):
        assert (out / name).stat().st_size > 0, name
    first = (out / "run.hybrid.trec").read_text(encoding="utf-8").splitlines()[0].split()
    assert first[:4] == ["1", "Q0", "a:1", "1"] and first[5] == "hybrid"
    rows = [json.loads(x) for x in (out / "per_query.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 6 and rows[0]["first_relevant_rank"] == 1

    assert main(args + ["--min", "MRR@10=1.01"]) == 1  # below the threshold: CI fails
    assert main(args + ["--min", "naive:R@100=0.5", "--min", "bm25:MAP=0.2"]) == 0
    assert main(args + ["--min", "nonsense=1"]) == 2  # a usage error, not a regression
    capsys.readouterr()


def test_cli_accepts_a_trec_qrels_file(tiny, capsys):
    ds, idx, out = tiny
    trec = ds / "qrels.trec"
    trec.write_text("1 0 a:2 1\n2 0 b:1 1\n", encoding="utf-8")  # query 1 now wants the tariffs turn
    assert main(["eval", str(ds), "--index", str(idx), "--qrels", str(trec), "--out", str(out), "--quiet",
                 "--json", "--no-quote"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["systems"]["hybrid"]["metrics"]["R@1"] == 0.5


def test_naive_maps_chunks_to_every_overlapping_turn_and_caches(tmp_path):
    from rag.naive import NaiveRetriever
    from rag.sources.text import parse_text

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


# ---------------------------------------------------------------------------
# The dev sets: no copied wording, fingerprints of judged turns


def _need_corpus() -> None:
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpus is missing at {CORPUS}")
        pytest.skip(f"shared corpus not found at {CORPUS}")


def _turns_for(turn_ids) -> dict:
    """Parse only the transcripts that hold ``turn_ids``; ``{turn_id: Turn}``."""
    stems = {t.rsplit(":", 1)[0] for t in turn_ids}
    out = {}
    for stem in sorted(stems):
        path = next((p for p in (SEEDS / f"{stem}.txt", CORPUS / f"{stem}.html") if p.is_file()), None)
        assert path is not None, f"no transcript for {stem} in seeds/ or {CORPUS}"
        for t in parse_file(path, path.read_bytes()).turns:
            out[t.turn_id] = t
    return out


def _load(name: str) -> ev.Dataset:
    return ev.load_dataset(EVAL / name)


def test_paraphrase_set_shape():
    ds = _load("paraphrase")
    assert len(ds.queries) >= 120
    notes = [q.notes or "" for q in ds.queries]
    assert all(notes), "every query says how it was made"
    assert sum("time" in n for n in notes) >= 20
    assert sum("keywords" in n for n in notes) >= 20
    judged = {d for docs in ds.qrels.values() for d in docs}
    assert set(ds.fingerprints) == judged  # every judged turn has a fingerprint
    assert not ds.skipped
    assert sum(d.endswith(":1") for docs in ds.qrels.values() for d in docs) < len(judged) / 4


def test_paraphrase_queries_copy_no_four_word_run():
    _need_corpus()
    ds = _load("paraphrase")
    turns = _turns_for({d for docs in ds.qrels.values() for d in docs})
    bad = []
    for q in ds.queries:
        for tid in ds.qrels[q.qid]:
            t = turns[tid]
            for part in (t.question or "", t.text):
                shared = ev.shared_ngrams(q.text, part, 4)
                if shared:
                    bad.append(f"{q.qid} vs {tid}: {shared}")
    assert not bad, "queries copy 4+ consecutive words of their turns:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", ["paraphrase", "journalist", "seeds"])
def test_judged_turns_keep_their_fingerprints(name):
    """A parser change that shifts turn ids (or changes answer boundaries) breaks the qrels: re-judge then."""
    ds = _load(name)
    if name != "seeds":
        _need_corpus()
    fps = ds.fingerprints or {d: None for docs in ds.qrels.values() for d in docs}
    turns = _turns_for(fps)
    missing = sorted(t for t in fps if t not in turns)
    assert not missing, f"judged turns no longer exist: {missing[:10]}"
    changed = sorted(t for t, fp in fps.items() if fp is not None and ev.fingerprint(turns[t].text) != fp)
    assert not changed, f"judged turns changed text (ids shifted?): {changed[:10]}"


def test_journalist_queries_are_the_questions():
    _need_corpus()
    ds = _load("journalist")
    assert len(ds.queries) >= 250
    assert ds.meta["index"]["context"] == "none"
    turns = _turns_for({d for docs in ds.qrels.values() for d in docs})
    for q in ds.queries:
        (tid,) = ds.qrels[q.qid]
        assert " ".join((turns[tid].question or "").split()) == q.text


# ---------------------------------------------------------------------------
# Integration: the seeds set through the real CLI and the real model (must not skip)


@pytest.mark.slow
def test_seeds_set_through_the_cli(tmp_path, capsys):
    idx = tmp_path / "idx"
    assert main(["ingest", str(SEEDS), "--index", str(idx), "--quiet"]) == 0
    capsys.readouterr()
    code = main(["eval", str(EVAL / "seeds"), "--index", str(idx), "--systems", "hybrid", "--out",
                 str(tmp_path / "out"), "--json", "--quiet", "--min", "MRR@10=0.9", "--min", "R@10=0.95",
                 "--min", "quote_verbatim=1"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0, payload["thresholds"]
    m = payload["systems"]["hybrid"]["metrics"]
    assert m["MRR@10"] >= 0.9 and m["R@10"] >= 0.95
    assert payload["systems"]["hybrid"]["quote"]["quote_verbatim"] == 1.0
    assert (tmp_path / "out" / "report.md").is_file()
