"""Speed and memory benchmark; writes eval/results/bench.json and eval/results/bench.md.

    .venv/bin/python eval/bench.py [--pages ../shared/corpus/fmprc/en] [--queries 100] [--rounds 2]
                                   [--baseline DIR [--baseline-label LABEL]] [--no-stages]

Measures, on this machine, in one run: a cold full build (seeds + the English pages) of this tree, of the
naive recipe (LangChain splitter 1000/200, MiniLM fp32 in torch through sentence-transformers, FAISS flat:
``rag.eval.naive``, what ``rag eval --systems naive`` builds) and, with ``--baseline DIR``, of another
source tree of this project (e.g. the code before a change: ``git archive REV | tar -x -C DIR``). The
builds alternate over ``--rounds`` (round 2 runs them in reverse order) and each one's median is
reported, so load from other processes on a shared machine falls on all of them alike; the ratio to the
naive recipe is the issue-12 target (≤ 0.5). Each build is one child process: its own wall, CPU seconds
and peak RSS (``os.wait4``). Then, per tree: a no-change re-ingest, cold start (load model + index, answer
one question) and retrieve/ask latency percentiles; embedding throughput of torch fp32, onnx fp32 and onnx
int8 on the same 1,000 chunk texts, interleaved batch by batch (every runtime sees the same load), with
their vectors compared; and where this tree's build spends its time (an extra in-process build with
timers around each stage; ``--no-stages`` skips it).
About 35 minutes with a baseline on 2 cores. It is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAG = [sys.executable, "-m", "rag.cli"]
SELF = [sys.executable, str(Path(__file__).resolve())]


def run(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> dict:
    """Run ``cmd`` in ``cwd``; its wall and CPU seconds, peak RSS and stdout (``wait4``: this child's own)."""
    # `python -m rag.cli` run in `cwd` imports that tree's rag (the working directory comes first on sys.path).
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, text=True, env={**os.environ, **(env or {})})
        _, status, ru = os.wait4(p.pid, 0)
        secs = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if p.returncode:
            raise RuntimeError(f"{cmd} failed ({p.returncode}): {err.read()[-2000:]}")
        return {"seconds": secs, "cpu_seconds": ru.ru_utime + ru.ru_stime, "peak_rss_mb": ru.ru_maxrss / 1024,
                "stdout": out.read()}


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", default=str(ROOT.parent / "shared/corpus/fmprc/en"))
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2, help="cold builds of each contender, in alternating order")
    ap.add_argument("--out", default=str(ROOT / "eval/results"))
    ap.add_argument("--baseline", help="another source tree of this project to measure the same way")
    ap.add_argument("--baseline-label", default="baseline")
    ap.add_argument("--no-stages", action="store_true", help="skip the build-stage profile")
    # child modes
    ap.add_argument("--latency", nargs=2, metavar=("CODE", "INDEX"), help=argparse.SUPPRESS)
    ap.add_argument("--naive-build", metavar="CACHE", help=argparse.SUPPRESS)
    ap.add_argument("--stages", metavar="INDEX", help=argparse.SUPPRESS)
    ap.add_argument("--throughput", metavar="INDEX", help=argparse.SUPPRESS)
    args = ap.parse_args()
    pages = [str(ROOT / "seeds"), str(Path(args.pages).resolve())]
    if args.latency:
        print(json.dumps(_latency(Path(args.latency[1]), args.queries, Path(args.latency[0]))))
        return
    if args.naive_build:
        print(json.dumps(_naive_build(pages, Path(args.naive_build))))
        return
    if args.stages:
        from bench_stages import build_stages  # eval/ is on sys.path: this script's folder

        print(json.dumps(build_stages(pages, Path(args.stages))))
        return
    if args.throughput:
        from bench_stages import throughput

        print(json.dumps(throughput(Path(args.throughput))))
        return
    res = _measure_all(args, pages)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(res, indent=1) + "\n")
    (out_dir / "bench.md").write_text(_markdown(res))
    print(_markdown(res))


def _measure_all(args: argparse.Namespace, pages: list[str]) -> dict:
    res: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "cpu": _cpu_name()},
                 "rounds": args.rounds}
    tmp = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    trees = {"this": ROOT}
    if args.baseline:
        trees = {"baseline": Path(args.baseline).resolve(), **trees}
        res["baseline"] = {"label": args.baseline_label}
    builds: dict[str, list[dict]] = {k: [] for k in [*trees, "naive"]}
    try:
        # 1. Cold full builds, as a user runs them, alternating with the naive recipe's.
        for r in range(args.rounds):
            names = list(builds) if r % 2 == 0 else list(builds)[::-1]
            for name in names:
                idx = tmp / f"{name}-{r}"
                if name == "naive":
                    b = run([*SELF, "--naive-build", str(idx)])
                    rep = json.loads(b["stdout"].strip().splitlines()[-1])
                else:
                    b = run([*RAG, "ingest", *pages, "--index", str(idx), "--quiet", "--json"], trees[name])
                    rep = json.loads(b["stdout"])
                b.update(load_average_1m=round(os.getloadavg()[0], 2), chunks=rep["chunks"],
                         sources=rep.get("conferences"), turns=rep.get("turns"))
                del b["stdout"]
                builds[name].append(b)
                print(f"round {r + 1}: {name} build {b['seconds']:.1f} s", file=sys.stderr, flush=True)
                if r > 0 or name == "naive":
                    shutil.rmtree(idx, ignore_errors=True)  # the first round's index is measured below
        res["naive"] = {"build": _summary(builds["naive"])}
        for name, code in trees.items():
            part = res.setdefault(name, {}) if name != "this" else res
            part["build"] = _summary(builds[name])
            part.update(_after_build(code, tmp / f"{name}-0", args))
        # 2. Embedding throughput by runtime, and where the build's time goes.
        res["embedding"] = json.loads(run([*SELF, "--throughput", str(tmp / "this-0")])["stdout"].splitlines()[-1])
        if not args.no_stages:
            st = run([*SELF, "--stages", str(tmp / "stages")])
            res["stages"] = {**json.loads(st["stdout"].splitlines()[-1]), "peak_rss_mb": round(st["peak_rss_mb"])}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def _summary(runs: list[dict]) -> dict:
    """Median over the rounds (each round's values kept too)."""
    med = lambda k: round(statistics.median(b[k] for b in runs), 1)  # noqa: E731
    out = {"seconds": med("seconds"), "cpu_seconds": med("cpu_seconds"), "peak_rss_mb": round(max(b["peak_rss_mb"]
           for b in runs)), "chunks": runs[0]["chunks"], "sources": runs[0]["sources"], "turns": runs[0]["turns"],
           "rounds": [{k: round(v, 2) if isinstance(v, float) else v for k, v in b.items()} for b in runs]}
    out["chunks_per_s"] = round(out["chunks"] / out["seconds"], 1)
    return out


def _after_build(code: Path, idx: Path, args: argparse.Namespace) -> dict:
    """Re-ingest unchanged, cold start and warm latency of the tree ``code`` on its index ``idx``."""
    pages = [str(ROOT / "seeds"), str(Path(args.pages).resolve())]
    res = {"reingest_unchanged_s": round(run([*RAG, "ingest", *pages, "--index", str(idx), "--quiet", "--json"],
                                             code)["seconds"], 2)}
    cold = run([*RAG, "ask", "What did China say about the trade war?", "--index", str(idx), "--json"], code)
    res["cold_start_ask_s"] = round(cold["seconds"], 2)
    res["cold_start_peak_rss_mb"] = round(cold["peak_rss_mb"])
    out = run([*SELF, "--latency", str(code), str(idx), "--queries", str(args.queries)], code)["stdout"]
    res.update(json.loads(out.strip().splitlines()[-1]))
    manifest = json.loads((idx / "CURRENT" / "manifest.json").read_text())
    res["index_runtime"] = f"{manifest.get('backend', 'torch')} {manifest.get('dtype')}"
    return res


def _naive_build(pages: list[str], cache: Path) -> dict:
    """The naive recipe from nothing: parse, split, embed (torch fp32), FAISS flat; vectors cached nowhere."""
    sys.path.insert(0, str(ROOT))
    from rag.embedding import Embedder
    from rag.eval.naive import NaiveRetriever
    from rag.sources.files import collect_files, parse_file, urls_for

    files, _ = collect_files(pages)
    urls = urls_for(files)
    sources = {}
    for p in files:
        try:
            src = parse_file(p, p.read_bytes(), urls=urls)
        except Exception:  # noqa: BLE001, S112 - what ingest refuses, the recipe skips too
            continue
        if src.lang != "zh":
            sources[src.source] = src
    naive = NaiveRetriever(sources, Embedder("fp32", backend="torch"), cache_dir=cache)
    return {"chunks": len(naive.chunks), "conferences": len(sources), "turns": sum(len(s.turns)
                                                                                   for s in sources.values())}


def _latency(idx: Path, n: int, code: Path = ROOT) -> dict:
    sys.path.insert(0, str(code))
    from rag import store
    from rag.answer import ask
    from rag.embedding import MODEL_NAME, Embedder
    from rag.retrieval import Retriever

    t = time.perf_counter()
    index = store.load(idx, model=MODEL_NAME)
    load_index = time.perf_counter() - t
    t = time.perf_counter()
    enc = Embedder(index.manifest["dtype"])
    load_model = time.perf_counter() - t
    r = Retriever(index, enc)
    rng = random.Random(7)
    qs = [" ".join(t.question.split()[:14]) for t in rng.sample(
        [t for t in index.turns.values() if t.question], n)]
    for q in qs[:5]:  # warm-up
        ask(r, q)
    enc_t, ret_t, ask_t = [], [], []
    for q in qs:
        t = time.perf_counter()
        enc.encode([q])
        enc_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        r.search(q, k=10)
        ret_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        ask(r, q, k=10)
        ask_t.append(time.perf_counter() - t)
    ms = lambda xs, p: round(1000 * pct(xs, p), 1)  # noqa: E731
    return {"load_index_s": round(load_index, 2), "load_model_s": round(load_model, 2), "queries": n,
            "query_embed_ms_p50": ms(enc_t, 50), "retrieve_ms_p50": ms(ret_t, 50),
            "retrieve_ms_p95": ms(ret_t, 95), "ask_ms_p50": ms(ask_t, 50), "ask_ms_p95": ms(ask_t, 95)}


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _markdown(r: dict) -> str:
    from bench_stages import markdown_sections

    b, nv = r["build"], r["naive"]["build"]
    ratio = b["seconds"] / nv["seconds"]
    rows = [
        ("full build (seeds + pages, cold)", f"{b['seconds']} s wall, {b['cpu_seconds']} s CPU "
         f"(median of {r['rounds']}; index: {r['index_runtime']})", "≤ 60 s"),
        ("  ... against the naive recipe's build in the same run", f"{ratio:.3f}× ({nv['seconds']} s)", "≤ 0.5×"),
        ("  sources / turns / chunks", f"{b['sources']} / {b['turns']} / {b['chunks']}", ""),
        ("  chunks/s", f"{b['chunks_per_s']}", ""),
        ("  peak RSS", f"{b['peak_rss_mb']} MB", "≤ 1.5 GB"),
        ("re-ingest, nothing changed", f"{r['reingest_unchanged_s']} s", "≤ 5 s"),
        ("cold start (process: model + index + 1 answer)", f"{r['cold_start_ask_s']} s "
         f"({r['cold_start_peak_rss_mb']} MB peak)", "≤ 10 s"),
        ("  load index / load model (warm imports)", f"{r['load_index_s']} s / {r['load_model_s']} s", ""),
        ("query embedding p50", f"{r['query_embed_ms_p50']} ms", ""),
        ("retrieve p50 / p95", f"{r['retrieve_ms_p50']} / {r['retrieve_ms_p95']} ms", "p50 ≤ 20 ms"),
        ("ask p50 / p95 (retrieve + quotes + answer)", f"{r['ask_ms_p50']} / {r['ask_ms_p95']} ms", "p50 ≤ 60 ms"),
    ]
    lines = [f"# Benchmark ({r['machine']['cpu']}, {r['machine']['cpus']} cores, Python {r['machine']['python']})",
             "", "| measure | value | target |", "|---|---|---|"]
    lines += [f"| {a} | {b_} | {c} |" for a, b_, c in rows]
    cols = [("naive recipe", r["naive"])] + ([(r["baseline"]["label"], r["baseline"])] if "baseline" in r else []) \
        + [("this tree", r)]
    lines += ["", "## Same run: cold builds side by side", "",
              "Each build is a fresh process over seeds + the English pages, alternating over the rounds (load "
              "average after each in the last row).", "",
              "| measure | " + " | ".join(c for c, _ in cols) + " |", "|---|" + "---|" * len(cols)]
    for label, get in (
        ("build wall s (median)", lambda x: x["build"]["seconds"]),
        ("  ... each round", lambda x: " / ".join(f"{y['seconds']:.1f}" for y in x["build"]["rounds"])),
        ("  ... against the naive recipe", lambda x: f"{x['build']['seconds'] / nv['seconds']:.3f}×"),
        ("build CPU s (median)", lambda x: x["build"]["cpu_seconds"]),
        ("build peak RSS, MB", lambda x: x["build"]["peak_rss_mb"]),
        ("chunks embedded", lambda x: x["build"]["chunks"]),
        ("index runtime", lambda x: x.get("index_runtime", "torch fp32 (sentence-transformers)")),
        ("re-ingest unchanged, s", lambda x: x.get("reingest_unchanged_s", "–")),
        ("cold start, s", lambda x: x.get("cold_start_ask_s", "–")),
        ("load model (warm imports), s", lambda x: x.get("load_model_s", "–")),
        ("query embedding p50, ms", lambda x: x.get("query_embed_ms_p50", "–")),
        ("retrieve p50 / p95, ms", lambda x: f"{x['retrieve_ms_p50']} / {x['retrieve_ms_p95']}" if "retrieve_ms_p50"
         in x else "–"),
        ("ask p50 / p95, ms", lambda x: f"{x['ask_ms_p50']} / {x['ask_ms_p95']}" if "ask_ms_p50" in x else "–"),
        ("load average after each build", lambda x: " / ".join(str(y["load_average_1m"]) for y in x["build"]["rounds"])),
    ):
        lines.append(f"| {label} | " + " | ".join(str(get(x)) for _, x in cols) + " |")
    lines += markdown_sections(r)
    notes = ROOT / "eval/results/bench_levers.md"  # hand-written: what each lever gave, from other runs
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
