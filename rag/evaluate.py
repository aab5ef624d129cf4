"""Retrieval evaluation (``rag eval``): turn-level metrics for one or more retrievers.

An evaluation set is a folder in BEIR layout (see ``eval/README.md``)::

    SET/queries.jsonl     {"_id", "text"} plus optional "since", "until", "spokesperson", "outlet"
    SET/qrels/test.tsv    "query-id<TAB>corpus-id<TAB>score" with a header line
    SET/turns.tsv         optional: "turn_id<TAB>sha1(answer)[:12]" fingerprints of the judged turns

``corpus-id`` is a turn id (``"<source stem>:<n>"``, see :class:`rag.records.Turn`). A TREC
qrels file (``qid 0 docid rel``) can replace ``qrels/test.tsv`` with ``--qrels``.

Every system returns 100 turns per query (chunk scores folded to their turn); metrics are
computed by ``ir-measures``. Outputs (under ``--out``): a TREC run per system, per-query
JSONL, ``metrics.json``, a bar chart and ``report.md`` with paired significance tests of
hybrid against every other system.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QueryError, RagError

RUN_K = 100
SYSTEMS = ("bm25", "dense", "hybrid", "naive")
# Display name -> ir-measures measure name. MRR@10 is RR@10 averaged over queries, MAP is AP.
# Success@k (a relevant turn in the top k) is reported beside R@k because R@k counts the share
# of *all* relevant turns: with several judged turns per query R@1 cannot reach 1.
MEASURES = {"nDCG@10": "nDCG@10", "R@1": "R@1", "R@10": "R@10", "R@100": "R@100", "MRR@10": "RR@10", "MAP": "AP",
            "Success@1": "Success@1", "Success@10": "Success@10"}
QUOTE_METRICS = ("quote_verbatim", "quote_top_relevant", "quote_found")
SIG_METRICS = ("MRR@10", "nDCG@10")
SIG_PERMUTATIONS = 10000
REPO = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# Reading an evaluation set


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    since: str | None = None
    until: str | None = None
    spokesperson: str | None = None
    outlet: str | None = None
    notes: str | None = None

    def filters(self):  # noqa: ANN201 - rag.retrieval.Filters
        from .retrieval import make_filters

        return make_filters(self.since, self.until, self.spokesperson, self.outlet)


@dataclass
class Dataset:
    name: str
    path: Path
    queries: list[Query]
    qrels: dict[str, dict[str, int]]
    fingerprints: dict[str, str] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # query ids without a positive judgment


def load_queries(path: Path) -> list[Query]:
    """Queries from a BEIR ``queries.jsonl``; raises RagError naming the bad line."""
    out: list[Query] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except ValueError as e:
                raise RagError(f"{path}:{lineno}: not JSON ({e})") from None
            if not isinstance(d, dict) or not isinstance(d.get("_id"), str | int) or not isinstance(d.get("text"), str):
                raise RagError(f"{path}:{lineno}: each line needs {{\"_id\": ..., \"text\": ...}}")
            qid = str(d["_id"])
            if qid in seen:
                raise RagError(f"{path}:{lineno}: duplicate query id {qid!r}")
            seen.add(qid)
            meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}

            def get(key: str, meta: dict = meta, d: dict = d) -> str | None:
                v = d.get(key, meta.get(key))
                return str(v) if v not in (None, "") else None

            q = Query(qid, d["text"], get("since"), get("until"), get("spokesperson"), get("outlet"), get("notes"))
            try:
                q.filters()
            except QueryError as e:
                raise RagError(f"{path}:{lineno}: {e}") from None
            out.append(q)
    return out


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """``{query id: {turn id: grade}}`` from a BEIR TSV (with or without header) or a TREC qrels file.

    BEIR: ``query-id<TAB>corpus-id<TAB>score``. TREC: ``qid iter docid rel`` (whitespace).
    """
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t") if "\t" in line else line.split()
            parts = [p.strip() for p in parts]
            if len(parts) == 3:
                qid, doc, grade = parts
            elif len(parts) == 4:
                qid, _iter, doc, grade = parts
            else:
                raise RagError(f"{path}:{lineno}: expected 'query-id corpus-id score' (BEIR) "
                               f"or 'qid 0 docid rel' (TREC), got {len(parts)} fields")
            try:
                g = int(float(grade))
            except ValueError:
                if lineno == 1 or not qrels:  # a header line ("query-id corpus-id score")
                    continue
                raise RagError(f"{path}:{lineno}: relevance {grade!r} is not a number") from None
            qrels.setdefault(qid, {})[doc] = g
    return qrels


def read_fingerprints(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            tid, fp = line.split("\t")[:2]
            if tid != "turn_id":
                out[tid.strip()] = fp.strip()
    return out


def fingerprint(text: str) -> str:
    """The judged-turn fingerprint: first 12 hex digits of SHA-1 of the answer text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def load_dataset(path: str | Path, *, qrels: str | Path | None = None, queries: str | Path | None = None) -> Dataset:
    p = Path(path)
    if not p.is_dir() and not (qrels and queries):
        raise RagError(f"{p} is not an evaluation set folder (expected queries.jsonl and qrels/test.tsv)")
    qpath = Path(queries) if queries else p / "queries.jsonl"
    rpath = Path(qrels) if qrels else p / "qrels" / "test.tsv"
    for f in (qpath, rpath):
        if not f.is_file():
            raise RagError(f"missing {f} (an evaluation set has queries.jsonl and qrels/test.tsv; see eval/README.md)")
    qs = load_queries(qpath)
    judged = read_qrels(rpath)
    meta = {}
    if (p / "dataset.json").is_file():
        try:
            meta = json.loads((p / "dataset.json").read_text(encoding="utf-8"))
        except ValueError as e:
            raise RagError(f"{p / 'dataset.json'}: not JSON ({e})") from None
    kept, skipped = [], []
    for q in qs:
        (kept if any(g > 0 for g in judged.get(q.qid, {}).values()) else skipped).append(q)
    if not kept:
        raise RagError(f"no query of {qpath} has a relevant turn in {rpath}")
    return Dataset(name=p.name if p.is_dir() else qpath.stem, path=p, queries=kept,
                   qrels={q.qid: judged[q.qid] for q in kept}, fingerprints=read_fingerprints(p / "turns.tsv"),
                   meta=meta, skipped=[q.qid for q in skipped])


# ---------------------------------------------------------------------------
# Running systems


@dataclass
class QueryRun:
    qid: str
    ranking: list[tuple[str, float]]  # (turn id, score), best first, strictly decreasing scores
    time_phrase: str | None = None
    filters: dict | None = None
    seconds: float = 0.0


# Smallest relative gap kept between consecutive scores of a run. trec_eval (and so pytrec_eval)
# reads scores as single-precision floats (~7 digits): closer scores are ties to it.
SCORE_GAP = 1e-5


def strictly_decreasing(scores: list[float]) -> list[float]:
    """Scores nudged so no evaluator can reorder the system's ranking.

    ``trec_eval``/``pytrec_eval`` sort by score in single precision and break ties by document
    id, which would not be the system's order. A score that is not at least ``SCORE_GAP``
    (relative) below the previous one is lowered to that; over 100 hits this moves scores by
    at most ~0.1 % and never changes the order.
    """
    out: list[float] = []
    for s in scores:
        s = float(s)
        if out:
            step = max(abs(out[-1]), 1e-6) * SCORE_GAP
            if s > out[-1] - step:
                s = out[-1] - step
        out.append(s)
    return out


def run_retriever(retriever, queries: list[Query], mode: str, *, k: int = RUN_K,  # noqa: ANN001
                  parse_time: bool = True) -> dict[str, QueryRun]:
    runs: dict[str, QueryRun] = {}
    for q in queries:
        t0 = time.perf_counter()
        res = retriever.search(q.text, k=k, filters=q.filters(), parse_time=parse_time, mode=mode)
        ids = [h.turn.turn_id for h in res.hits]
        scores = strictly_decreasing([h.score for h in res.hits])
        runs[q.qid] = QueryRun(q.qid, list(zip(ids, scores, strict=True)), res.time_phrase, res.filters.to_dict(),
                               time.perf_counter() - t0)
    return runs


def run_naive(naive, queries: list[Query], *, k: int = RUN_K) -> dict[str, QueryRun]:  # noqa: ANN001
    runs: dict[str, QueryRun] = {}
    for q in queries:
        t0 = time.perf_counter()
        f = q.filters()
        hits = naive.search(q.text, k=k, filters=f)
        scores = strictly_decreasing([h.score for h in hits])
        runs[q.qid] = QueryRun(q.qid, [(h.turn.turn_id, s) for h, s in zip(hits, scores, strict=True)], None,
                               f.to_dict(), time.perf_counter() - t0)
    return runs


# ---------------------------------------------------------------------------
# Metrics (ir-measures)


def _measures() -> dict[str, object]:
    import ir_measures

    return {label: ir_measures.parse_measure(name) for label, name in MEASURES.items()}


def evaluate_run(qrels: dict[str, dict[str, int]], runs: dict[str, QueryRun]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """``(aggregate, per_query)`` by ir-measures. Queries with no hits count as 0 everywhere."""
    import ir_measures

    measures = _measures()
    by_measure = {str(m): label for label, m in measures.items()}
    qrel_list = [ir_measures.Qrel(q, d, g) for q, docs in qrels.items() for d, g in docs.items()]
    run_list = [ir_measures.ScoredDoc(qid, doc, score)
                for qid, r in runs.items() if qid in qrels for doc, score in r.ranking]
    per_query: dict[str, dict[str, float]] = {qid: dict.fromkeys(MEASURES, 0.0) for qid in qrels}
    for m in ir_measures.iter_calc(list(measures.values()), qrel_list, run_list):
        per_query[m.query_id][by_measure[str(m.measure)]] = float(m.value)
    agg_raw = ir_measures.calc_aggregate(list(measures.values()), qrel_list, run_list) if run_list else {}
    agg = {}
    n_with_hits = len({s.query_id for s in run_list})
    for label, m in measures.items():
        v = float(agg_raw.get(m, 0.0))
        if 0 < n_with_hits < len(qrels):
            # Make sure queries without any hit count as zeros, whatever the provider does.
            v = sum(pq[label] for pq in per_query.values()) / len(qrels)
        agg[label] = v
    return agg, per_query


def first_relevant_rank(ranking: list[tuple[str, float]], rel: dict[str, int]) -> int | None:
    for r, (doc, _s) in enumerate(ranking, start=1):
        if rel.get(doc, 0) > 0:
            return r
    return None


# ---------------------------------------------------------------------------
# Quote check: verbatim citations, and whether the first one lands on a relevant answer


def quote_check(retriever, dataset: Dataset, mode: str, *, k: int = 10) -> tuple[dict, dict[str, dict]]:  # noqa: ANN001
    """Run the ``rag ask`` path (:func:`rag.answer.ask`) for every query and check its citations.

    ``quote_verbatim``: share of all citations whose quote equals the canonical text at its
    offsets (must be 1.0). ``quote_top_relevant``: share of queries whose first citation
    overlaps the answer span of a judged-relevant turn (queries without citations count as
    misses). ``quote_found``: share of queries that got any citation.
    """
    from .answer import ask

    index = retriever.index
    n_cit = n_ok = n_top = n_found = 0
    per: dict[str, dict] = {}
    bad: list[str] = []
    for q in dataset.queries:
        out = ask(retriever, q.text, k=k, filters=q.filters(), mode=mode)
        cits = out["citations"]
        ok_all = True
        for c in cits:
            n_cit += 1
            src = index.sources.get(c["source"])
            if src is not None and c["quote"] and src.canonical[c["start"]:c["end"]] == c["quote"]:
                n_ok += 1
            else:
                ok_all = False
                bad.append(f"{q.qid}: [{c['n']}] {c['source']} {c['start']}-{c['end']}")
        top_rel = False
        if cits:
            n_found += 1
            c = cits[0]
            for tid, g in dataset.qrels[q.qid].items():
                t = index.turns.get(tid)
                if g > 0 and t is not None and t.source == c["source"] and c["start"] < t.end and t.start < c["end"]:
                    top_rel = True
                    break
        n_top += top_rel
        per[q.qid] = {"citations": len(cits), "verbatim": ok_all, "top_citation_relevant": top_rel,
                      "top_citation": ({"source": cits[0]["source"], "start": cits[0]["start"],
                                        "end": cits[0]["end"]} if cits else None)}
    n = len(dataset.queries)
    summary = {"quote_verbatim": (n_ok / n_cit) if n_cit else 1.0, "quote_top_relevant": n_top / n,
               "quote_found": n_found / n, "citations": n_cit, "not_verbatim": bad[:20]}
    return summary, per


# ---------------------------------------------------------------------------
# Significance


def paired_randomization(a: list[float], b: list[float], *, n: int = SIG_PERMUTATIONS, seed: int = 0) -> float:
    """Two-sided paired randomization (sign-flip) test of mean(a - b) == 0; returns the p-value."""
    import numpy as np

    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if not len(d) or not np.any(d):
        return 1.0
    obs = abs(d.mean())
    rng = np.random.default_rng(seed)
    signs = rng.choice(np.array([-1.0, 1.0]), size=(n, len(d)))
    means = np.abs((signs * d).mean(axis=1))
    return float((np.sum(means >= obs - 1e-12) + 1) / (n + 1))


def paired_ttest(a: list[float], b: list[float]) -> float:
    from scipy import stats

    d = [x - y for x, y in zip(a, b, strict=True)]
    if not any(d):
        return 1.0
    if max(d) == min(d):  # the same non-zero difference on every query: t is infinite
        return 0.0
    p = float(stats.ttest_rel(a, b).pvalue)
    return 1.0 if math.isnan(p) else p


def significance(per_query: dict[str, dict[str, dict[str, float]]], base: str = "hybrid",
                 metrics: tuple[str, ...] = SIG_METRICS) -> list[dict]:
    """Hybrid vs every other system: mean difference and p-values per metric."""
    out: list[dict] = []
    if base not in per_query:
        return out
    qids = sorted(per_query[base])
    for other in per_query:
        if other == base:
            continue
        for m in metrics:
            a = [per_query[base][q][m] for q in qids]
            b = [per_query[other][q][m] for q in qids]
            wins = sum(x > y for x, y in zip(a, b, strict=True))
            losses = sum(x < y for x, y in zip(a, b, strict=True))
            out.append({"a": base, "b": other, "metric": m, "mean_a": sum(a) / len(a), "mean_b": sum(b) / len(b),
                        "diff": (sum(a) - sum(b)) / len(a), "wins": wins, "losses": losses,
                        "p_randomization": paired_randomization(a, b), "p_ttest": paired_ttest(a, b)})
    return out


# ---------------------------------------------------------------------------
# Thresholds


def _metric_name(name: str) -> str:
    aliases = {k.lower(): k for k in MEASURES} | {v.lower(): k for k, v in MEASURES.items()}
    aliases |= {m: m for m in QUOTE_METRICS} | {"mrr": "MRR@10", "ndcg": "nDCG@10"}
    key = name.strip().lower()
    if key not in aliases:
        raise QueryError(f"unknown metric {name!r} in --min; use one of {', '.join(list(MEASURES) + list(QUOTE_METRICS))}")
    return aliases[key]


def parse_min(spec: str, systems: list[str]) -> tuple[str | None, str, float]:
    """``"[SYSTEM:]METRIC=VALUE"`` -> (system or None, metric, value)."""
    if "=" not in spec:
        raise QueryError(f"--min needs METRIC=VALUE (e.g. MRR@10=0.8), not {spec!r}")
    left, value = spec.rsplit("=", 1)
    system = None
    if ":" in left:
        system, left = left.split(":", 1)
        system = system.strip()
        if system not in systems:
            raise QueryError(f"--min {spec}: system {system!r} is not among --systems {','.join(systems)}")
    try:
        v = float(value)
    except ValueError:
        raise QueryError(f"--min {spec}: {value!r} is not a number") from None
    return system, _metric_name(left), v


def primary_system(systems: list[str]) -> str:
    return "hybrid" if "hybrid" in systems else systems[0]


def check_thresholds(results: dict[str, dict], mins: list[tuple[str | None, str, float]]) -> list[dict]:
    """Every threshold with the measured value and whether it passed."""
    systems = list(results)
    out = []
    for system, metric, want in mins:
        s = system or primary_system(systems)
        r = results[s]
        got = r["metrics"].get(metric, (r.get("quote") or {}).get(metric))
        if got is None:
            raise QueryError(f"--min {metric}: not measured for {s} (quote metrics need bm25, dense or hybrid "
                             "and no --no-quote)")
        out.append({"system": s, "metric": metric, "min": want, "value": got, "ok": got + 1e-12 >= want})
    return out


# ---------------------------------------------------------------------------
# Output


def format_table(results: dict[str, dict]) -> str:
    systems = list(results)
    width = max(7, *(len(s) for s in systems))
    label_w = max(len(x) for x in list(MEASURES) + list(QUOTE_METRICS))
    lines = [f"{'metric':<{label_w}}  " + "  ".join(f"{s:>{width}}" for s in systems)]
    for m in MEASURES:
        lines.append(f"{m:<{label_w}}  " + "  ".join(f"{results[s]['metrics'][m]:>{width}.3f}" for s in systems))
    if any(results[s].get("quote") for s in systems):
        for m in QUOTE_METRICS:
            cells = [(f"{results[s]['quote'][m]:>{width}.3f}" if results[s].get("quote") else f"{'-':>{width}}")
                     for s in systems]
            lines.append(f"{m:<{label_w}}  " + "  ".join(cells))
    return "\n".join(lines)


def markdown_table(results: dict[str, dict]) -> str:
    systems = list(results)
    best = {m: max(results[s]["metrics"][m] for s in systems) for m in MEASURES}
    lines = ["| metric | " + " | ".join(systems) + " |", "|---|" + "---:|" * len(systems)]
    for m in MEASURES:
        cells = []
        for s in systems:
            v = results[s]["metrics"][m]
            cells.append(f"**{v:.3f}**" if len(systems) > 1 and v == best[m] else f"{v:.3f}")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    if any(results[s].get("quote") for s in systems):
        for m in QUOTE_METRICS:
            lines.append(f"| {m} | " + " | ".join(
                f"{results[s]['quote'][m]:.3f}" if results[s].get("quote") else "–" for s in systems) + " |")
    return "\n".join(lines)


def plot_chart(results: dict[str, dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    systems = list(results)
    metrics = list(MEASURES)
    x = np.arange(len(metrics))
    w = 0.8 / max(len(systems), 1)
    fig, ax = plt.subplots(figsize=(9, 4.6), dpi=100)
    for i, s in enumerate(systems):
        vals = [results[s]["metrics"][m] for m in metrics]
        bars = ax.bar(x + (i - (len(systems) - 1) / 2) * w, vals, w, label=s)
        for b, v in zip(bars, vals, strict=True):
            ax.text(b.get_x() + b.get_width() / 2, v + 0.01, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, metrics)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("score")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(systems), fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_run(path: Path, runs: dict[str, QueryRun], tag: str) -> None:
    """TREC run: ``qid Q0 turn_id rank score tag``."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as fh:  # type: ignore[operator]
        for qid, r in runs.items():
            for rank, (doc, score) in enumerate(r.ranking, start=1):
                fh.write(f"{qid} Q0 {doc} {rank} {score!r} {tag}\n")


MAX_MISSES_SHOWN = 40


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + " …"


def _p(p: float) -> str:
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"


def write_report(path: Path, *, dataset: Dataset, results: dict[str, dict], sig: list[dict], info: dict,
                 thresholds: list[dict], chart: str | None) -> None:
    lines = [f"# Retrieval evaluation: `{dataset.name}`", "",
             f"- set: `{info['dataset']}` — {len(dataset.queries)} queries, "
             f"{sum(sum(g > 0 for g in d.values()) for d in dataset.qrels.values())} relevant turns judged",
             f"- index: `{info['index']}` — {info['index_counts']}, chunking {info['chunking']}",
             f"- run depth k={RUN_K}, turn level (chunk scores folded to their turn); metrics by ir-measures "
             f"{info['ir_measures']}",
             f"- hybrid fusion: {info['fusion']}",
             f"- time phrases in questions {'parsed into date filters' if info['parse_time'] else 'ignored'} "
             "(bm25/dense/hybrid; naive never parses them)",
             "- naive: LangChain RecursiveCharacterTextSplitter(1000, 200) over each page's canonical text, MiniLM "
             "fp32, FAISS flat; a chunk's score goes to every turn it overlaps"
             + ("; journalists' questions blanked out (the index was built with --context none)"
                if any(r.get("questions_hidden") for r in results.values()) else ""),
             f"- command: `{info['command']}`", f"- date: {info['date']}", ""]
    if dataset.skipped:
        lines += [f"Skipped {len(dataset.skipped)} queries without a relevant judgment: {', '.join(dataset.skipped)}", ""]
    lines += ["## Metrics", "", markdown_table(results), ""]
    if chart:
        lines += [f"![metrics]({chart})", ""]
    if any(r.get("quote") for r in results.values()):
        lines += ["`quote_verbatim`: share of citations (from `rag.answer.ask`, k=10) whose quote is the canonical "
                  "text at its offsets (must be 1.000). `quote_top_relevant`: share of queries whose first citation "
                  "overlaps the answer of a judged-relevant turn. `quote_found`: share of queries with any citation.",
                  ""]
    if sig:
        lines += ["## Significance (paired, per query)", "",
                  f"Two-sided paired randomization test ({SIG_PERMUTATIONS} sign flips, seed 0) and paired t-test "
                  "(scipy `ttest_rel`) over per-query scores; `wins/losses` count queries where the first system "
                  "scores higher/lower.", "",
                  "| comparison | metric | mean A | mean B | diff | wins/losses | p (randomization) | p (t-test) |",
                  "|---|---|---:|---:|---:|---:|---:|---:|"]
        for s in sig:
            lines.append(f"| {s['a']} vs {s['b']} | {s['metric']} | {s['mean_a']:.3f} | {s['mean_b']:.3f} | "
                         f"{s['diff']:+.3f} | {s['wins']}/{s['losses']} | {_p(s['p_randomization'])} | "
                         f"{_p(s['p_ttest'])} |")
        lines.append("")
    if thresholds:
        lines += ["## Thresholds", ""]
        for t in thresholds:
            lines.append(f"- {t['system']} {t['metric']} {t['value']:.3f} >= {t['min']}: {'ok' if t['ok'] else 'FAILED'}")
        lines.append("")
    misses = info.get("misses") or {}
    if misses:
        lines += ["## Misses of the primary system", "",
                  f"Queries where `{info['primary']}` ranks no relevant turn in its top 10 (first relevant rank in "
                  "brackets; – = not in the top 100).", ""]
        shown = list(misses.items())[:MAX_MISSES_SHOWN]
        for qid, (text, rank) in shown:
            lines.append(f"- `{qid}` [{rank if rank else '–'}] {_short(text)}")
        if len(misses) > len(shown):
            lines.append(f"- … and {len(misses) - len(shown)} more (see per_query.jsonl)")
        lines.append("")
    lines += ["## Files", "", "- `metrics.json`: everything above as JSON (same as `--json`)",
              "- `per_query.jsonl`: one line per system and query (metrics, first relevant rank, top 10 turn ids)",
              "- `run.<system>.trec[.gz]`: TREC runs (`qid Q0 turn_id rank score tag`), 100 turns per query", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


# ---------------------------------------------------------------------------
# CLI


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", help="folder with queries.jsonl and qrels/test.tsv (BEIR layout; see eval/README.md)")
    p.add_argument("--qrels", help="qrels file to use instead of DATASET/qrels/test.tsv (BEIR TSV or TREC format)")
    p.add_argument("--queries", help="queries.jsonl to use instead of DATASET/queries.jsonl")
    p.add_argument("--systems", default="hybrid",
                   help=f"comma-separated retrievers to compare, from {','.join(SYSTEMS)} (default: hybrid)")
    p.add_argument("--out", help="output folder for runs, per-query JSONL, chart and report "
                                 "(default: eval/results/<dataset name>)")
    p.add_argument("--min", action="append", default=[], metavar="[SYSTEM:]METRIC=VALUE",
                   help="exit 1 if METRIC is below VALUE (repeatable); without SYSTEM it applies to hybrid "
                        "(or the first system when hybrid is not evaluated)")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    p.add_argument("--no-quote", action="store_true", help="skip the quote check (the rag ask path)")
    p.add_argument("--no-time-phrases", action="store_true",
                   help="do not turn time phrases in questions into date filters (a tuning lever)")
    p.add_argument("--fusion", choices=["rrf", "weighted"], help="fusion of the hybrid system (default: the library's)")
    p.add_argument("--rrf-k", type=int, help="RRF constant (default: the library's)")
    p.add_argument("--dense-weight", type=float, help="weight of the dense list in fusion")
    p.add_argument("--bm25-weight", type=float, help="weight of the BM25 list in fusion")
    p.add_argument("--compress-runs", action="store_true", help="write run files gzipped (run.<system>.trec.gz)")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")


def _log(args: argparse.Namespace, msg: str) -> None:
    if not getattr(args, "quiet", False):
        print(msg, file=sys.stderr, flush=True)


def check_index(dataset: Dataset, index) -> list[str]:  # noqa: ANN001
    """Warnings about judged turns the index does not have or whose text changed."""
    warns = []
    judged = {d for docs in dataset.qrels.values() for d, g in docs.items() if g > 0}
    missing = sorted(d for d in judged if d not in index.turns)
    if missing:
        warns.append(f"{len(missing)} judged turn(s) are not in the index (e.g. {', '.join(missing[:5])}): "
                     "build the index from the set's sources (see eval/README.md)")
    changed = sorted(tid for tid, fp in dataset.fingerprints.items()
                     if tid in index.turns and fingerprint(index.turns[tid].text) != fp)
    if changed:
        warns.append(f"{len(changed)} judged turn(s) have other text than when judged (e.g. {', '.join(changed[:5])}): "
                     "the parser changed turn boundaries; re-check the qrels")
    want = dataset.meta.get("index", {}) if isinstance(dataset.meta.get("index"), dict) else {}
    chunking = index.manifest.get("chunking", {})
    for key, value in want.items():
        if chunking.get(key) != value:
            warns.append(f"this set expects an index with {key}={value!r}, the index has {chunking.get(key)!r} "
                         f"(see {dataset.path / 'dataset.json'})")
    return warns


def fusion_params(args: argparse.Namespace):  # noqa: ANN201 - rag.retrieval.FusionParams
    """FusionParams from the CLI flags; unset flags keep the library defaults."""
    from dataclasses import replace

    from .retrieval import FusionParams

    changes = {k: v for k, v in (("method", getattr(args, "fusion", None)), ("rrf_k", getattr(args, "rrf_k", None)),
                                 ("dense_weight", getattr(args, "dense_weight", None)),
                                 ("bm25_weight", getattr(args, "bm25_weight", None))) if v is not None}
    if changes.get("rrf_k") is not None and changes["rrf_k"] < 1:
        raise QueryError("--rrf-k must be at least 1")
    return replace(FusionParams(), **changes)


def evaluate(args: argparse.Namespace) -> dict:
    """Run everything ``rag eval`` does and return the JSON-ready result (files are written too)."""
    import ir_measures

    from . import store
    from .embedding import MODEL_NAME, Embedder
    from .retrieval import Retriever

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    bad = [s for s in systems if s not in SYSTEMS]
    if bad or not systems:
        raise QueryError(f"unknown system(s) {', '.join(bad) or '(none)'}; choose from {', '.join(SYSTEMS)}")
    systems = list(dict.fromkeys(systems))
    mins = [parse_min(m, systems) for m in args.min]
    dataset = load_dataset(args.dataset, qrels=args.qrels, queries=args.queries)
    out_dir = Path(args.out) if args.out else REPO / "eval" / "results" / dataset.name
    t0 = time.perf_counter()
    index = store.load(Path(args.index), model=MODEL_NAME)
    for w in check_index(dataset, index):
        print(f"rag eval: warning: {w}", file=sys.stderr)
    encoder = Embedder(index.manifest.get("dtype", "fp32"))
    fusion = fusion_params(args)
    retriever = Retriever(index, encoder, fusion)
    results: dict[str, dict] = {}
    runs_by: dict[str, dict[str, QueryRun]] = {}
    per_query: dict[str, dict[str, dict[str, float]]] = {}
    quotes_by: dict[str, dict[str, dict]] = {}
    for s in systems:
        ts = time.perf_counter()
        if s == "naive":
            from . import naive as naive_mod

            naive_enc = encoder if encoder.dtype == "fp32" else Embedder("fp32")
            _log(args, f"rag eval: naive: splitting {len(index.sources)} pages (vectors cached under "
                       f"{naive_mod.CACHE_DIR})")
            # An index built with --context none embeds no question text; the baseline then reads the
            # pages with the questions blanked out too (see rag/naive.py).
            hide = index.manifest.get("chunking", {}).get("context") == "none"
            naive = naive_mod.NaiveRetriever(index.sources, naive_enc, cache_dir=naive_mod.CACHE_DIR,
                                             progress=not args.quiet and sys.stderr.isatty(),
                                             hide_questions=hide)
            runs = run_naive(naive, dataset.queries)
            extra = {"chunks": len(naive.chunks), "cached_vectors": naive.cached, "questions_hidden": hide}
        else:
            runs = run_retriever(retriever, dataset.queries, s, parse_time=not args.no_time_phrases)
            extra = {}
        agg, pq = evaluate_run(dataset.qrels, runs)
        quote = None
        if s != "naive" and not args.no_quote:
            quote, quotes_by[s] = quote_check(retriever, dataset, s)
        results[s] = {"metrics": agg, "quote": quote, "queries": len(dataset.queries),
                      "seconds": round(time.perf_counter() - ts, 2), **extra}
        runs_by[s], per_query[s] = runs, pq
        _log(args, f"rag eval: {s}: MRR@10 {agg['MRR@10']:.3f}, R@10 {agg['R@10']:.3f} "
                   f"({time.perf_counter() - ts:.1f} s)")
    sig = significance(per_query) if len(systems) > 1 else []
    thresholds = check_thresholds(results, mins)
    primary = primary_system(systems)
    qtext = {q.qid: q.text for q in dataset.queries}
    misses = {}
    for q in dataset.queries:
        r = first_relevant_rank(runs_by[primary][q.qid].ranking, dataset.qrels[q.qid])
        if r is None or r > 10:
            misses[q.qid] = (qtext[q.qid], r)
    info = {
        "dataset": str(args.dataset), "index": str(args.index), "index_counts": index.manifest.get("counts"),
        "chunking": index.manifest.get("chunking"), "ir_measures": ir_measures.__version__,
        "parse_time": not args.no_time_phrases, "primary": primary, "fusion": fusion.__dict__,
        "command": "rag eval " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["eval"] else f"rag eval {args.dataset}",
        "date": _dt.date.today().isoformat(), "misses": misses,
    }
    # Files
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".trec.gz" if args.compress_runs else ".trec"
    for s, runs in runs_by.items():
        write_run(out_dir / f"run.{s}{suffix}", runs, s)
        other = out_dir / f"run.{s}{'.trec' if args.compress_runs else '.trec.gz'}"
        other.unlink(missing_ok=True)  # never leave a stale run of the other format behind
    with open(out_dir / "per_query.jsonl", "w", encoding="utf-8") as fh:
        for s in systems:
            for q in dataset.queries:
                r = runs_by[s][q.qid]
                row = {"system": s, "query_id": q.qid, "query": _short(q.text, 200),
                       "relevant": sorted(d for d, g in dataset.qrels[q.qid].items() if g > 0),
                       "first_relevant_rank": first_relevant_rank(r.ranking, dataset.qrels[q.qid]),
                       "metrics": {m: round(v, 6) for m, v in per_query[s][q.qid].items()},
                       "top10": [d for d, _ in r.ranking[:10]], "time_phrase": r.time_phrase,
                       "filters": {k: v for k, v in (r.filters or {}).items() if v}}
                if s in quotes_by:
                    row["quote"] = quotes_by[s][q.qid]
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    chart = None
    try:
        plot_chart(results, out_dir / "chart.png", f"{dataset.name}: {len(dataset.queries)} queries, turn level")
        chart = "chart.png"
    except ImportError:  # pragma: no cover - matplotlib is in the eval extra
        print("rag eval: warning: matplotlib missing, no chart (pip install -e '.[eval]')", file=sys.stderr)
    payload = {
        "dataset": dataset.name, "path": str(args.dataset), "index": str(args.index), "queries": len(dataset.queries),
        "skipped_queries": dataset.skipped, "k": RUN_K, "systems": results, "significance": sig,
        "thresholds": thresholds, "passed": all(t["ok"] for t in thresholds) and _verbatim_ok(results),
        "out": str(out_dir), "seconds": round(time.perf_counter() - t0, 1),
        "info": {k: v for k, v in info.items() if k != "misses"},
    }
    (out_dir / "metrics.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_report(out_dir / "report.md", dataset=dataset, results=results, sig=sig, info=info,
                 thresholds=thresholds, chart=chart)
    return payload


def _verbatim_ok(results: dict[str, dict]) -> bool:
    return all((r.get("quote") or {}).get("quote_verbatim", 1.0) == 1.0 for r in results.values())


def run_cli(args: argparse.Namespace) -> int:
    payload = evaluate(args)
    if args.json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(format_table(payload["systems"]))
        for s in payload["significance"]:
            print(f"{s['a']} vs {s['b']} {s['metric']}: {s['diff']:+.3f} "
                  f"(p={_p(s['p_randomization'])} randomization, {_p(s['p_ttest'])} t-test)")
        print(f"wrote {payload['out']}/report.md")
    for t in payload["thresholds"]:
        if not t["ok"]:
            print(f"rag eval: FAIL: {t['system']} {t['metric']} {t['value']:.4f} < {t['min']}", file=sys.stderr)
    if not _verbatim_ok(payload["systems"]):
        print("rag eval: FAIL: some citation quotes are not verbatim (see per_query.jsonl)", file=sys.stderr)
    return 0 if payload["passed"] else 1


# ---------------------------------------------------------------------------
# Writing checks for hand-made sets


def words(text: str) -> list[str]:
    """Lower-case word tokens (letters/digits runs), the unit of the copy check."""
    import re

    return re.findall(r"\w+", text.lower())


def shared_ngrams(query: str, text: str, n: int = 4) -> list[str]:
    """Runs of ``n`` consecutive words of ``query`` that also occur in ``text`` (empty = no copying)."""
    q, t = words(query), words(text)
    grams = {tuple(t[i:i + n]) for i in range(len(t) - n + 1)}
    return sorted({" ".join(q[i:i + n]) for i in range(len(q) - n + 1) if tuple(q[i:i + n]) in grams})
