"""``rag eval`` end to end (the pipeline and its CLI) on a tiny index built with the fake encoder.

The fake encoder is passed in (no patched globals). The dev sets' hygiene is in ``test_dev_sets.py``;
the seeds set through the real CLI and the real model in ``tests/integration/test_evaluate.py``.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from rag.cli import build_parser
from rag.errors import RagError
from rag.eval.cli import run_cli
from rag.eval.pipeline import EvalConfig, evaluate
from rag.ingest import ingest
from tests.fakes import FakeEncoder

# ---------------------------------------------------------------------------
# The CLI on a tiny index with the fake encoder


@pytest.fixture()
def tiny(tmp_path):
    """A three-conference index built with the fake encoder, a two-query set over it, and a way to run it."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(
        "CCTV: What about pandas?\nMao Ning: Giant pandas are loved by children everywhere.\n"
        "AFP: And tariffs?\nMao Ning: Tariffs hurt both sides and the world economy.\n", encoding="utf-8")
    (src / "b.txt").write_text(
        "Reuters: Any comment on the rocket launch?\nMao Ning: The satellite launch was peaceful.\n", encoding="utf-8")
    idx = tmp_path / "idx"
    enc = FakeEncoder()
    ingest([src], idx, encoder_factory=lambda: enc)
    ds = tmp_path / "set"
    (ds / "qrels").mkdir(parents=True)
    (ds / "queries.jsonl").write_text(
        '{"_id": "1", "text": "giant pandas children"}\n{"_id": "2", "text": "satellite launch"}\n', encoding="utf-8")
    (ds / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\ta:1\t1\n2\tb:1\t1\n", encoding="utf-8")
    cache = tmp_path / "naive-cache"

    def fake_evaluate(config: EvalConfig, ask=None) -> dict:
        """The pipeline with the fake encoder, a private naive cache and optionally a fake ``ask``."""
        return evaluate(replace(config, model=enc.name, naive_cache_dir=cache), encoder_factory=lambda dtype: enc,
                        ask=ask)

    def run(argv: list[str], ask=None) -> int:
        """``rag eval ARGV`` through the CLI layer (flags, exit code), with the fake encoder."""
        return run_cli(build_parser().parse_args(["eval", *argv]), lambda config: fake_evaluate(config, ask))

    return ds, idx, tmp_path / "out", run, fake_evaluate


def test_cli_writes_everything_and_min_sets_the_exit_code(tiny, capsys):
    ds, idx, out, run, _ = tiny
    args = [str(ds), "--index", str(idx), "--systems", "bm25,hybrid,naive", "--out", str(out), "--quiet", "--json"]
    assert run(args + ["--min", "MRR@10=0.5", "--min", "quote_verbatim=1"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["passed"] and set(payload["systems"]) == {"bm25", "hybrid", "naive"}
    assert "sentences" not in payload  # the set has no gold sentences
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

    assert run(args + ["--min", "MRR@10=1.01"]) == 1  # below the threshold: CI fails
    assert run(args + ["--min", "naive:R@100=0.5", "--min", "bm25:MAP=0.2"]) == 0
    assert run(args + ["--min", "nonsense=1"]) == 2  # a usage error, not a regression
    assert "unknown metric 'nonsense'" in capsys.readouterr().err


def test_cli_accepts_a_trec_qrels_file(tiny, capsys):
    ds, idx, out, run, _ = tiny
    trec = ds / "qrels.trec"
    trec.write_text("1 0 a:2 1\n2 0 b:1 1\n", encoding="utf-8")  # query 1 now wants the tariffs turn
    assert run([str(ds), "--index", str(idx), "--qrels", str(trec), "--out", str(out), "--quiet",
                "--json", "--no-quote"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["systems"]["hybrid"]["metrics"]["R@1"] == 0.5


def test_evaluate_takes_a_plain_config(tiny):
    ds, idx, out, _, fake_evaluate = tiny
    payload = fake_evaluate(EvalConfig(ds, idx, systems=("bm25", "hybrid"), out=out, quiet=True, compress_runs=True,
                                       mins=("bm25:MRR@10=1",)))
    assert payload["passed"] and payload["thresholds"][0]["system"] == "bm25"
    assert payload["info"]["command"] == f"rag eval {ds}"
    assert (out / "run.bm25.trec.gz").is_file() and not (out / "run.bm25.trec").exists()
    with pytest.raises(RagError, match="unknown system"):
        fake_evaluate(EvalConfig(ds, idx, systems=("bm25", "colbert"), out=out))


def _selector_ask(calls: list):
    """A fake ``rag.answer.ask`` over the real retriever: quotes the top turn's whole answer, except that the
    ``first`` selector quotes only its first five characters (too short to contain a gold sentence)."""

    def ask(retriever, question, *, k, filters, mode, selector="chunk"):
        calls.append((selector, k, mode))
        res = retriever.search(question, k=k, filters=filters, mode=mode)
        t, canon = res.hits[0].turn, res.hits[0].source.canonical
        s, e = (t.start, t.start + 5) if selector == "first" else (t.start, t.end)
        return {"citations": [{"n": 1, "source": t.source, "start": s, "end": e, "quote": canon[s:e]}],
                "hits": [{"source": h.turn.source, "start": h.turn.start, "end": h.turn.end, "turn_id": h.turn.turn_id,
                          "text": h.source.canonical[h.turn.start:h.turn.end]} for h in res.hits]}

    return ask


def test_sentence_level_quote_metrics_through_the_pipeline(tiny, capsys):
    from rag import store

    ds, idx, out, run, fake_evaluate = tiny
    sources = store.load(idx).sources
    rows = []
    for qid, src, sentence in (("1", "a.txt", "Giant pandas are loved by children everywhere."),
                               ("2", "b.txt", "The satellite launch was peaceful.")):
        start = sources[src].canonical.index(sentence)
        rows.append(json.dumps({"query_id": qid, "turn_id": f"{src[0]}:1", "source": src, "start": start,
                                "end": start + len(sentence), "text": sentence}))
    (ds / "sentences.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    calls: list = []
    payload = fake_evaluate(EvalConfig(ds, idx, systems=("bm25", "hybrid"), out=out, quiet=True),
                            ask=_selector_ask(calls))
    sent = payload["sentences"]
    assert (sent["queries"], sent["of"], sent["gold_sentences"], sent["system"], sent["k"]) == (2, 2, 2, "hybrid", 10)
    # both queries find their turn first; "first" quotes 5 characters, the others the whole answer
    assert sent["selectors"] == {"first": {"quote_first_hit": 0.0, "quote_any_hit": 0.0, "passage_hit@1": 1.0},
                                 "chunk": {"quote_first_hit": 1.0, "quote_any_hit": 1.0, "passage_hit@1": 1.0},
                                 "sentence": {"quote_first_hit": 1.0, "quote_any_hit": 1.0, "passage_hit@1": 1.0}}
    by = {(s["b"], s["metric"]): s for s in sent["significance"]}
    assert set(by) == {(b, m) for b in ("first", "chunk") for m in ("quote_first_hit", "quote_any_hit",
                                                                     "passage_hit@1")}
    assert all(s["a"] == "sentence" for s in sent["significance"])
    assert by[("first", "quote_first_hit")]["diff"] == 1.0 and by[("first", "quote_first_hit")]["wins"] == 2
    assert by[("chunk", "quote_first_hit")]["p_randomization"] == 1.0  # no difference
    assert {c for c in calls if c[0] in ("first", "sentence")} == {("first", 10, "hybrid"), ("sentence", 10, "hybrid")}
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Quote selection (sentence level)" in report and "2 of 2 queries have gold sentences" in report
    assert "| quote_first_hit | 0.000 | **1.000** | **1.000** |" in report
    assert "| sentence vs first | quote_first_hit | 1.000 | 0.000 | +1.000 | 2/0 |" in report
    lines = [json.loads(x) for x in (out / "per_query.jsonl").read_text(encoding="utf-8").splitlines()]
    sel_rows = [r for r in lines if "selector" in r]
    assert len(lines) == 2 * 2 + 3 * 2 and [r["selector"] for r in sel_rows] == ["first"] * 2 + ["chunk"] * 2 + [
        "sentence"] * 2
    assert sel_rows[0]["gold"][0]["source"] == "a.txt" and sel_rows[0]["metrics"]["quote_first_hit"] == 0.0

    args = [str(ds), "--index", str(idx), "--out", str(out), "--quiet", "--json"]
    assert run(args + ["--min", "sentence:quote_first_hit=1", "--min", "passage_hit@1=1"], _selector_ask([])) == 0
    assert json.loads(capsys.readouterr().out)["thresholds"][0]["selector"] == "sentence"
    assert run(args + ["--min", "first:quote_first_hit=0.5"], _selector_ask([])) == 1
    assert "FAIL: hybrid/first quote_first_hit" in capsys.readouterr().err
    assert run(args + ["--selectors", "first", "--min", "sentence:quote_any_hit=0.5"], _selector_ask([])) == 2
    assert run(args + ["--selectors", "sentence,best"], _selector_ask([])) == 2
    assert run(args + ["--systems", "bm25", "--selectors", "chunk"], _selector_ask([])) == 2
    assert "add hybrid to --systems" in capsys.readouterr().err
    assert run(args + ["--no-quote"], _selector_ask([])) == 0
    assert "sentences" not in json.loads(capsys.readouterr().out)
