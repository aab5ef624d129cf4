"""Tuning levers for hybrid retrieval, measured on an evaluation set (default: the paraphrase set).

Levers: fusion method and weights (a Retriever built with other FusionParams), candidate
depth, time phrases on/off (``Retriever.search(parse_time=False)``), and the index itself
(chunk size ``--max-tokens`` and context ``--context none|question``, one index per setting,
passed as ``--index NAME=DIR``). Writes eval/results/tuning/{tuning.md,tuning.json}.

    .venv/bin/python eval/tune.py --index base=/tmp/ev_full --index noq=/tmp/ev_full_noq
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag import store  # noqa: E402
from rag.embedding import MODEL_NAME, Embedder  # noqa: E402
from rag.eval.datasets import check_index, load_dataset  # noqa: E402
from rag.eval.metrics import MEASURES, evaluate_run  # noqa: E402
from rag.eval.runs import run_retriever  # noqa: E402
from rag.retrieval import FusionParams, Retriever  # noqa: E402

HERE = Path(__file__).resolve().parent
SHOWN = ("MRR@10", "R@1", "R@10", "Success@1", "Success@10", "nDCG@10", "R@100")

# (label, FusionParams, parse_time, mode) tried on the first index
FUSIONS = [
    ("hybrid rrf k=60 (default)", FusionParams(), True, "hybrid"),
    ("hybrid, time phrases off", FusionParams(), False, "hybrid"),
    ("rrf k=10", FusionParams(rrf_k=10), True, "hybrid"),
    ("rrf k=30", FusionParams(rrf_k=30), True, "hybrid"),
    ("rrf k=100", FusionParams(rrf_k=100), True, "hybrid"),
    ("rrf dense x2", FusionParams(dense_weight=2.0), True, "hybrid"),
    ("rrf dense x1.5", FusionParams(dense_weight=1.5), True, "hybrid"),
    ("rrf bm25 x1.5", FusionParams(bm25_weight=1.5), True, "hybrid"),
    ("rrf bm25 x2", FusionParams(bm25_weight=2.0), True, "hybrid"),
    ("weighted cos + 0.2 bm25", FusionParams(method="weighted", bm25_weight=0.2), True, "hybrid"),
    ("weighted cos + 0.35 bm25", FusionParams(method="weighted", bm25_weight=0.35), True, "hybrid"),
    ("weighted cos + 0.5 bm25", FusionParams(method="weighted", bm25_weight=0.5), True, "hybrid"),
    ("weighted cos + 1.0 bm25", FusionParams(method="weighted", bm25_weight=1.0), True, "hybrid"),
    ("weighted cos + 0.1 bm25", FusionParams(method="weighted", bm25_weight=0.1), True, "hybrid"),
    ("weighted cos + 0.25 bm25", FusionParams(method="weighted", bm25_weight=0.25), True, "hybrid"),
    ("weighted cos + 0.3 bm25", FusionParams(method="weighted", bm25_weight=0.3), True, "hybrid"),
    ("weighted 0.3, time phrases off", FusionParams(method="weighted", bm25_weight=0.3), False, "hybrid"),
    ("rrf k=20", FusionParams(rrf_k=20), True, "hybrid"),
    ("rrf k=10 dense x1.5", FusionParams(rrf_k=10, dense_weight=1.5), True, "hybrid"),
    ("rrf, 100 candidates", FusionParams(candidates=100), True, "hybrid"),
    ("rrf, 400 candidates", FusionParams(candidates=400), True, "hybrid"),
    ("dense only", FusionParams(), True, "dense"),
    ("dense only, time phrases off", FusionParams(), False, "dense"),
    ("bm25 only", FusionParams(), True, "bm25"),
]
# tried on every other index
PER_INDEX = [("hybrid rrf k=60 (default)", FusionParams(), True, "hybrid"),
             ("weighted cos + 0.3 bm25", FusionParams(method="weighted", bm25_weight=0.3), True, "hybrid"),
             ("rrf k=10", FusionParams(rrf_k=10), True, "hybrid"),
             ("dense only", FusionParams(), True, "dense"),
             ("bm25 only", FusionParams(), True, "bm25")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default=str(HERE / "paraphrase"))
    ap.add_argument("--index", action="append", required=True, metavar="NAME=DIR",
                    help="an index to try; the first one gets every fusion setting")
    ap.add_argument("--out", help="output folder (default: eval/results/tuning/<set name>)")
    args = ap.parse_args(argv)

    ds = load_dataset(args.set)
    enc = Embedder("fp32")
    rows = []
    per_query: dict[str, dict[str, dict[str, float]]] = {}  # "index/setting" -> qid -> metric
    for i, spec in enumerate(args.index):
        name, _, path = spec.partition("=")
        index = store.load(Path(path), model=MODEL_NAME)
        for w in check_index(ds, index):
            print(f"warning ({name}): {w}", file=sys.stderr)
        chunking = index.manifest.get("chunking", {})
        for label, fusion, parse_time, mode in (FUSIONS if i == 0 else PER_INDEX):
            t0 = time.perf_counter()
            runs = run_retriever(Retriever(index, enc, fusion), ds.queries, mode, parse_time=parse_time)
            agg, pq = evaluate_run(ds.qrels, runs)
            per_query[f"{name}/{label}"] = pq
            row = {"index": name, "max_tokens": chunking.get("max_tokens"), "context": chunking.get("context"),
                   "chunks": len(index.chunks), "setting": label, "mode": mode, "parse_time": parse_time,
                   "fusion": fusion.__dict__ if mode == "hybrid" else None,
                   "metrics": {m: round(agg[m], 4) for m in MEASURES},
                   "seconds": round(time.perf_counter() - t0, 1)}
            rows.append(row)
            print(f"{name:8} {label:32} " + "  ".join(f"{m} {agg[m]:.3f}" for m in SHOWN), file=sys.stderr)
    cv = two_fold(per_query, sorted(ds.qrels))
    out = Path(args.out) if args.out else HERE / "results" / "tuning" / Path(args.set).name
    out.mkdir(parents=True, exist_ok=True)
    (out / "tuning.json").write_text(json.dumps({"set": args.set, "queries": len(ds.queries), "rows": rows,
                                                 "two_fold": cv}, indent=1) + "\n", encoding="utf-8")
    lines = [f"# Tuning levers on `{Path(args.set).name}` ({len(ds.queries)} queries)", "",
             "Made by `eval/tune.py`; turn-level metrics by ir-measures, k=100.", "",
             "| index | max tokens | context | setting | " + " | ".join(SHOWN) + " |",
             "|---|---:|---|---|" + "---:|" * len(SHOWN)]
    for r in rows:
        lines.append(f"| {r['index']} | {r['max_tokens']} | {r['context']} | {r['setting']} | "
                     + " | ".join(f"{r['metrics'][m]:.3f}" for m in SHOWN) + " |")
    lines += ["", "## Held-out check (2-fold)", "",
              "Every setting above was measured on the whole set, so the best row is optimistic. Here the queries "
              "are split in two halves (alternating ids); the setting with the best MRR@10 on one half is scored on "
              "the other.", "",
              "| picked on | picked setting | scored on | MRR@10 | Success@1 | Success@10 | R@10 |",
              "|---|---|---|---:|---:|---:|---:|"]
    for f in cv:
        m = f["scores"]
        lines.append(f"| half {f['train']} | {f['picked']} | half {f['test']} | {m['MRR@10']:.3f} | "
                     f"{m['Success@1']:.3f} | {m['Success@10']:.3f} | {m['R@10']:.3f} |")
    (out / "tuning.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out / 'tuning.md'}")
    return 0


def two_fold(per_query: dict[str, dict[str, dict[str, float]]], qids: list[str]) -> list[dict]:
    """Pick the best setting (MRR@10) on one half of the queries, score it on the other half."""
    halves = [qids[0::2], qids[1::2]]
    out = []
    for train, test in ((0, 1), (1, 0)):
        def mean(key: str, metric: str, part: list[str]) -> float:
            return sum(per_query[key][q][metric] for q in part) / len(part)

        picked = max(per_query, key=lambda k: mean(k, "MRR@10", halves[train]))
        out.append({"train": train + 1, "test": test + 1, "picked": picked,
                    "scores": {m: round(mean(picked, m, halves[test]), 4) for m in MEASURES}})
    return out


if __name__ == "__main__":
    sys.exit(main())
