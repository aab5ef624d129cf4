"""Speed and memory benchmark; writes eval/results/bench.json and eval/results/bench.md.

    .venv/bin/python eval/bench.py [--pages ../shared/corpus/fmprc/en] [--queries 100] [--baseline DIR]

Measures, on this machine: a cold full build (seeds + the 500 English pages), a
no-change re-ingest, cold start (load model + index, answer one question), and
retrieve/ask latency percentiles; plus embedding throughput in fp32 vs bf16.
``--baseline DIR`` measures another source tree of this project the same way in the same
run (e.g. ``git archive REV | tar -x -C DIR``), so a change is compared on the same machine
under the same conditions; the report shows both side by side.
Run it on an otherwise idle machine: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAG = [sys.executable, "-m", "rag.cli"]


def _child_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _child_cpu_s() -> float:
    """CPU seconds used by finished children: robust to other load on the machine, unlike wall time."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], cwd: Path = ROOT) -> tuple[float, str]:
    # `python -m rag.cli` run in `cwd` imports that tree's rag (the working directory comes first on sys.path).
    t = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - t, out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", default=str(ROOT.parent / "shared/corpus/fmprc/en"))
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--out", default=str(ROOT / "eval/results"))
    ap.add_argument("--baseline", help="another source tree of this project to measure the same way, first")
    ap.add_argument("--baseline-label", default="baseline")
    ap.add_argument("--latency", nargs=2, metavar=("CODE", "INDEX"), help=argparse.SUPPRESS)  # child mode
    args = ap.parse_args()
    if args.latency:
        print(json.dumps(_latency(Path(args.latency[1]), args.queries, Path(args.latency[0]))))
        return
    res: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                             "cpu": _cpu_name()}}
    if args.baseline:
        res["baseline"] = {"label": args.baseline_label, **_measure(Path(args.baseline).resolve(), args)}
    res.update(_measure(ROOT, args, embedding=True))
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(res, indent=1) + "\n")
    (out_dir / "bench.md").write_text(_markdown(res))
    print(_markdown(res))


def _measure(code: Path, args: argparse.Namespace, embedding: bool = False) -> dict:
    """Build, re-ingest, cold start and latency with the source tree ``code``."""
    tmp = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    idx = tmp / "index"
    res: dict = {}
    pages = str(Path(args.pages).resolve())
    try:
        # 1. Cold full build, as a user runs it.
        cpu0, rss0 = _child_cpu_s(), _child_peak_rss_mb()
        secs, out = timed([*RAG, "ingest", str(ROOT / "seeds"), pages, "--index", str(idx), "--quiet", "--json"], code)
        rep = json.loads(out)
        res["build"] = {"seconds": round(secs, 1), "cpu_seconds": round(_child_cpu_s() - cpu0, 1),
                        "load_average_1m": round(os.getloadavg()[0], 2),
                        "sources": rep["conferences"], "turns": rep["turns"],
                        "chunks": rep["chunks"], "chunks_per_s": round(rep["chunks"] / secs, 1),
                        # ru_maxrss of children is the largest child so far: the first build's is exact
                        "peak_rss_mb": round(max(_child_peak_rss_mb(), rss0))}
        # 2. Re-ingest with nothing changed.
        secs, out = timed([*RAG, "ingest", str(ROOT / "seeds"), pages, "--index", str(idx), "--quiet", "--json"], code)
        res["reingest_unchanged_s"] = round(secs, 2)
        # 3. Cold start: a fresh process loads model + index and answers one question.
        secs, _ = timed([*RAG, "ask", "What did China say about the trade war?", "--index", str(idx), "--json"], code)
        res["cold_start_ask_s"] = round(secs, 2)
        # 4. Latency in a warm process of that tree's code.
        _, out = timed([sys.executable, str(Path(__file__).resolve()), "--latency", str(code), str(idx),
                        "--queries", str(args.queries)], code)
        res.update(json.loads(out.strip().splitlines()[-1]))
        # 5. Embedding throughput by dtype.
        if embedding:
            res["embedding"] = _embedding(idx)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


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


def _embedding(idx: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from rag import store
    from rag.embedding import Embedder

    index = store.load(idx)
    texts = [c.embed_text for c in index.chunks[:200]]
    out, vecs = {}, {}
    for dtype in ("fp32", "bf16"):
        enc = Embedder(dtype)
        enc.encode(texts[:8])
        t = time.perf_counter()
        vecs[dtype] = enc.encode(texts, batch_size=16)
        out[f"{dtype}_passages_per_s"] = round(len(texts) / (time.perf_counter() - t), 1)
    cos = (vecs["fp32"] * vecs["bf16"]).sum(1)
    out["bf16_vs_fp32_cosine_min"] = round(float(np.min(cos)), 4)
    out["passages"] = len(texts)
    return out


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _markdown(r: dict) -> str:
    b = r["build"]
    e = r["embedding"]
    rows = [
        ("full build (seeds + pages, cold)", f"{b['seconds']} s wall, {b.get('cpu_seconds')} s CPU "
         f"(load avg {b.get('load_average_1m')})", "≤ 60 s"),
        ("  sources / turns / chunks", f"{b['sources']} / {b['turns']} / {b['chunks']}", ""),
        ("  chunks/s", f"{b['chunks_per_s']}", ""),
        ("  peak RSS", f"{b['peak_rss_mb']} MB", ""),
        ("re-ingest, nothing changed", f"{r['reingest_unchanged_s']} s", "≤ 5 s"),
        ("cold start (process: model + index + 1 answer)", f"{r['cold_start_ask_s']} s", "≤ 10 s"),
        ("  load index / load model (warm imports)", f"{r['load_index_s']} s / {r['load_model_s']} s", ""),
        ("query embedding p50", f"{r['query_embed_ms_p50']} ms", ""),
        ("retrieve p50 / p95", f"{r['retrieve_ms_p50']} / {r['retrieve_ms_p95']} ms", "p50 ≤ 20 ms"),
        ("ask p50 / p95 (retrieve + quotes + answer)", f"{r['ask_ms_p50']} / {r['ask_ms_p95']} ms", "p50 ≤ 60 ms"),
        ("embedding fp32 / bf16", f"{e['fp32_passages_per_s']} / {e['bf16_passages_per_s']} passages/s", ""),
        ("bf16 vs fp32 cosine (min)", f"{e['bf16_vs_fp32_cosine_min']}", ""),
    ]
    lines = [f"# Benchmark ({r['machine']['cpu']}, {r['machine']['cpus']} cores, Python {r['machine']['python']})",
             "", "| measure | value | target |", "|---|---|---|"]
    lines += [f"| {a} | {b_} | {c} |" for a, b_, c in rows]
    if "baseline" in r:
        lines += ["", f"## Same run: {r['baseline']['label']} against this tree", "",
                  f"| measure | {r['baseline']['label']} | this tree |", "|---|---|---|"]
        for label, get in (
            ("full build, wall s", lambda x: x["build"]["seconds"]),
            ("full build, CPU s", lambda x: x["build"]["cpu_seconds"]),
            ("build peak RSS, MB", lambda x: x["build"]["peak_rss_mb"]),
            ("chunks", lambda x: x["build"]["chunks"]),
            ("re-ingest unchanged, s", lambda x: x["reingest_unchanged_s"]),
            ("cold start, s", lambda x: x["cold_start_ask_s"]),
            ("retrieve p50 / p95, ms", lambda x: f"{x['retrieve_ms_p50']} / {x['retrieve_ms_p95']}"),
            ("ask p50 / p95, ms", lambda x: f"{x['ask_ms_p50']} / {x['ask_ms_p95']}"),
        ):
            lines.append(f"| {label} | {get(r['baseline'])} | {get(r)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
