"""The whole of ``rag eval`` as one call: :func:`evaluate` takes an :class:`EvalConfig` and returns the results.

    from rag.eval.pipeline import EvalConfig, evaluate
    payload = evaluate(EvalConfig("eval/seeds", "index", systems=("bm25", "hybrid"), out="/tmp/ev"))
    payload["systems"]["hybrid"]["metrics"]["MRR@10"]

Outputs (under ``out``): a TREC run per system, ``per_query.jsonl``, ``metrics.json`` (the
returned payload), ``chart.png`` and ``report.md`` with paired significance tests of hybrid
against every other system. When the set has gold sentences (``SET/sentences.jsonl``) and
hybrid is evaluated, the quote selectors are compared at sentence level too (``sentences``
in the payload; :mod:`rag.eval.quotes`). Errors are raised (:class:`rag.errors.RagError`); the CLI
(:mod:`rag.eval.cli`) turns them into messages and exit codes.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import QueryError
from .datasets import Dataset, check_index, load_dataset
from .metrics import (
    SELECTORS,
    SENTENCE_METRICS,
    check_thresholds,
    evaluate_run,
    first_relevant_rank,
    parse_min,
    primary_system,
)
from .quotes import QUOTE_K, quote_check, sentence_check, verbatim_ok
from .report import plot_chart, short, write_report
from .runs import RUN_K, QueryRun, run_naive, run_retriever, write_run
from .significance import significance

SYSTEMS = ("bm25", "dense", "hybrid", "naive", "zh", "jieba", "bigram")  # the last three: Chinese sets (runs.py)
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class EvalConfig:
    """What to evaluate and where to write it; plain values (the CLI builds one from its flags).

    ``mins`` are ``"[SYSTEM:]METRIC=VALUE"`` thresholds (``passed`` is False when one fails);
    ``None`` fusion settings keep the library's defaults; ``command`` is shown in the report.
    """

    dataset: str | Path
    index: str | Path
    systems: tuple[str, ...] = ("hybrid",)
    qrels: str | Path | None = None  # replaces DATASET/qrels/test.tsv (BEIR TSV or TREC)
    queries: str | Path | None = None  # replaces DATASET/queries.jsonl
    out: str | Path | None = None  # default: eval/results/<set name>
    mins: tuple[str, ...] = ()
    quote: bool = True  # run the rag ask path and check its citations
    parse_time: bool = True  # time phrases in questions become date filters
    use_context: bool = True  # a query's thread ("context") is read; False scores each follow-up alone
    fusion: str | None = None  # "rrf" or "weighted"
    rrf_k: int | None = None
    dense_weight: float | None = None
    bm25_weight: float | None = None
    compress_runs: bool = False  # run.<system>.trec.gz
    quiet: bool = False  # no progress messages on stderr
    command: str | None = None  # default: "rag eval DATASET"
    naive_cache_dir: str | Path | None = None  # default: rag.text.cache_dir() / "naive"
    model: str | None = None  # model the index must be built with (default: rag.embedding.MODEL_NAME)
    # Quote selectors compared at sentence level; None: all of SELECTORS when the set has gold
    # sentences and hybrid is evaluated (a selector rag.answer.ask does not offer is then skipped).
    selectors: tuple[str, ...] | None = None


def fusion_params(config: EvalConfig):  # noqa: ANN201 - rag.retrieval.FusionParams
    """FusionParams from the config; unset values keep the library defaults."""
    from ..retrieval import FusionParams

    changes = {k: v for k, v in (("method", config.fusion), ("rrf_k", config.rrf_k),
                                 ("dense_weight", config.dense_weight),
                                 ("bm25_weight", config.bm25_weight)) if v is not None}
    if changes.get("rrf_k") is not None and changes["rrf_k"] < 1:
        raise QueryError("--rrf-k must be at least 1")
    return replace(FusionParams(), **changes)


def check_systems(systems: tuple[str, ...] | list[str]) -> list[str]:
    """The systems in order, without repeats; QueryError for an unknown one or none."""
    names = [s.strip() for s in systems if s.strip()]
    bad = [s for s in names if s not in SYSTEMS]
    if bad or not names:
        raise QueryError(f"unknown system(s) {', '.join(bad) or '(none)'}; choose from {', '.join(SYSTEMS)}")
    return list(dict.fromkeys(names))


def resolve_selectors(config: EvalConfig, systems: list[str], dataset: Dataset) -> tuple[list[str], bool]:
    """``(selectors to run, strict)``: explicit selectors must all run (strict); defaults may skip."""
    if not config.quote:
        return [], False
    if config.selectors is None:
        if dataset.sentences and "zh" in systems:  # a Chinese set: one quote path (rag.zh.answer)
            return ["sentence"], False
        return (list(SELECTORS) if dataset.sentences and "hybrid" in systems else []), False
    chosen = list(dict.fromkeys(s.strip() for s in config.selectors if s.strip()))
    bad = [s for s in chosen if s not in SELECTORS]
    if bad:
        raise QueryError(f"unknown quote selector(s) {', '.join(bad)}; choose from {', '.join(SELECTORS)}")
    if chosen and "hybrid" not in systems and "zh" not in systems:
        raise QueryError("--selectors compares quote selectors on hybrid retrieval: add hybrid to --systems")
    if chosen and not dataset.sentences:
        raise QueryError(f"--selectors needs gold sentences: {dataset.path / 'sentences.jsonl'} is missing or "
                         "labels none of the queries (see eval/README.md)")
    return chosen, True


def _log(config: EvalConfig, msg: str) -> None:
    if not config.quiet:
        print(msg, file=sys.stderr, flush=True)


def evaluate(config: EvalConfig, *, encoder_factory: Callable[[str], object] | None = None,
             ask: Callable[..., dict] | None = None) -> dict:
    """Run everything ``rag eval`` does and return the JSON-ready result (files are written too).

    ``encoder_factory(dtype)`` makes the query encoder (default :class:`rag.embedding.Embedder`);
    ``ask`` replaces :func:`rag.answer.ask` in the quote checks. Both exist for tests.
    """
    import ir_measures

    from .. import store
    from ..embedding import MODEL_NAME, Embedder
    from ..retrieval import Retriever
    from ..text import cache_dir

    make_encoder = encoder_factory or Embedder
    systems = check_systems(config.systems)
    mins = [parse_min(m, systems) for m in config.mins]
    dataset = load_dataset(config.dataset, qrels=config.qrels, queries=config.queries)
    selectors, strict = resolve_selectors(config, systems, dataset)
    out_dir = Path(config.out) if config.out else REPO / "eval" / "results" / dataset.name
    t0 = time.perf_counter()
    index = store.load(Path(config.index), model=config.model or MODEL_NAME)
    for w in check_index(dataset, index):
        print(f"rag eval: warning: {w}", file=sys.stderr)
    encoder = make_encoder(index.manifest.get("dtype", "fp32"))
    fusion = fusion_params(config)
    retriever = Retriever(index, encoder, fusion)
    results: dict[str, dict] = {}
    runs_by: dict[str, dict[str, QueryRun]] = {}
    per_query: dict[str, dict[str, dict[str, float]]] = {}
    quotes_by: dict[str, dict[str, dict]] = {}
    for s in systems:
        ts = time.perf_counter()
        if s == "naive":
            from .naive import NaiveRetriever

            naive_cache = Path(config.naive_cache_dir) if config.naive_cache_dir else cache_dir() / "naive"
            naive_enc = encoder if encoder.dtype == "fp32" else make_encoder("fp32")
            _log(config, f"rag eval: naive: splitting {len(index.sources)} pages (vectors cached under "
                         f"{naive_cache})")
            # An index built with --context none embeds no question text; the baseline then reads the
            # pages with the questions blanked out too (see rag/eval/naive.py).
            hide = index.manifest.get("chunking", {}).get("context") == "none"
            naive = NaiveRetriever(index.sources, naive_enc, cache_dir=naive_cache,
                                   progress=not config.quiet and sys.stderr.isatty(), hide_questions=hide)
            runs = run_naive(naive, dataset.queries)
            extra = {"chunks": len(naive.chunks), "cached_vectors": naive.cached, "questions_hidden": hide}
        else:
            runs = run_retriever(retriever, dataset.queries, s, parse_time=config.parse_time,
                                 use_context=config.use_context)
            extra = {}
        agg, pq = evaluate_run(dataset.qrels, runs)
        quote = None
        if s != "naive" and config.quote:
            quote, quotes_by[s] = quote_check(retriever, dataset, s, ask=ask, use_context=config.use_context)
        results[s] = {"metrics": agg, "quote": quote, "queries": len(dataset.queries),
                      "seconds": round(time.perf_counter() - ts, 2), **extra}
        runs_by[s], per_query[s] = runs, pq
        _log(config, f"rag eval: {s}: MRR@10 {agg['MRR@10']:.3f}, R@10 {agg['R@10']:.3f} "
                     f"({time.perf_counter() - ts:.1f} s)")
    sig = significance(per_query) if len(systems) > 1 else []
    sentences, sent_rows = None, {}
    if selectors:
        ts = time.perf_counter()
        summary, sent_rows, unavailable, not_verbatim = sentence_check(retriever, dataset, selectors, ask=ask, use_context=config.use_context,
                                                                       strict=strict)
        per_sel = {sel: {qid: row["metrics"] for qid, row in rows.items()} for sel, rows in sent_rows.items()}
        sentences = {
            "system": "hybrid", "k": QUOTE_K, "queries": len(dataset.sentences), "of": len(dataset.queries),
            "gold_sentences": sum(len(g) for g in dataset.sentences.values()), "selectors": summary,
            "significance": (significance(per_sel, base="sentence", metrics=SENTENCE_METRICS)
                             if len(per_sel) > 1 else []),
            "unavailable": unavailable, "not_verbatim": not_verbatim[:20],
            "seconds": round(time.perf_counter() - ts, 2)}
        _log(config, "rag eval: sentence level: " + ", ".join(
            f"{sel} quote_first_hit {m['quote_first_hit']:.3f}" for sel, m in summary.items()))
    thresholds = check_thresholds(results, mins, sentences)
    primary = primary_system(systems)
    misses = {}
    for q in dataset.queries:
        r = first_relevant_rank(runs_by[primary][q.qid].ranking, dataset.qrels[q.qid])
        if r is None or r > 10:
            misses[q.qid] = (q.text, r)
    info = {
        "dataset": str(config.dataset), "index": str(config.index), "index_counts": index.manifest.get("counts"),
        "chunking": index.manifest.get("chunking"), "ir_measures": ir_measures.__version__,
        "parse_time": config.parse_time, "use_context": config.use_context, "primary": primary, "fusion": fusion.__dict__,
        "command": config.command or f"rag eval {config.dataset}",
        "date": _dt.date.today().isoformat(), "misses": misses,
    }
    # Files
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".trec.gz" if config.compress_runs else ".trec"
    for s, runs in runs_by.items():
        write_run(out_dir / f"run.{s}{suffix}", runs, s)
        other = out_dir / f"run.{s}{'.trec' if config.compress_runs else '.trec.gz'}"
        other.unlink(missing_ok=True)  # never leave a stale run of the other format behind
    write_per_query(out_dir / "per_query.jsonl", dataset, systems, runs_by, per_query, quotes_by, sent_rows)
    chart = None
    try:
        plot_chart(results, out_dir / "chart.png", f"{dataset.name}: {len(dataset.queries)} queries, turn level")
        chart = "chart.png"
    except ImportError:  # pragma: no cover - matplotlib is in the eval extra
        print("rag eval: warning: matplotlib missing, no chart (pip install -e '.[eval]')", file=sys.stderr)
    payload = {
        "dataset": dataset.name, "path": str(config.dataset), "index": str(config.index),
        "queries": len(dataset.queries), "skipped_queries": dataset.skipped, "k": RUN_K, "systems": results,
        "significance": sig, "thresholds": thresholds,
        "passed": (all(t["ok"] for t in thresholds) and verbatim_ok(results)
                   and not (sentences or {}).get("not_verbatim")),
        "out": str(out_dir), "seconds": round(time.perf_counter() - t0, 1),
        "info": {k: v for k, v in info.items() if k != "misses"},
    }
    if sentences is not None:
        payload["sentences"] = sentences
    (out_dir / "metrics.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_report(out_dir / "report.md", dataset=dataset, results=results, sig=sig, info=info,
                 thresholds=thresholds, chart=chart, sentences=sentences)
    return payload


def write_per_query(path: Path, dataset: Dataset, systems: list[str], runs_by: dict[str, dict[str, QueryRun]],
                    per_query: dict[str, dict[str, dict[str, float]]], quotes_by: dict[str, dict[str, dict]],
                    sent_rows: dict[str, dict[str, dict]] | None = None) -> None:
    """One JSON line per system and query (metrics, first relevant rank, top 10 turn ids, quote check),
    then one per quote selector and labelled query (sentence metrics, gold and cited spans)."""
    with open(path, "w", encoding="utf-8") as fh:
        for s in systems:
            for q in dataset.queries:
                r = runs_by[s][q.qid]
                row = {"system": s, "query_id": q.qid, "query": short(q.text, 200),
                       "relevant": sorted(d for d, g in dataset.qrels[q.qid].items() if g > 0),
                       "first_relevant_rank": first_relevant_rank(r.ranking, dataset.qrels[q.qid]),
                       "metrics": {m: round(v, 6) for m, v in per_query[s][q.qid].items()},
                       "top10": [d for d, _ in r.ranking[:10]], "time_phrase": r.time_phrase,
                       "filters": {k: v for k, v in (r.filters or {}).items() if v}}
                if s in quotes_by:
                    row["quote"] = quotes_by[s][q.qid]
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        for sel, rows in (sent_rows or {}).items():
            for q in dataset.queries:
                if q.qid not in rows:
                    continue
                gold = [{"turn_id": g.turn_id, "source": g.source, "start": g.start, "end": g.end}
                        for g in dataset.sentences[q.qid]]
                row = {"system": "hybrid", "selector": sel, "query_id": q.qid, "query": short(q.text, 200),
                       "gold": gold, **rows[q.qid]}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
