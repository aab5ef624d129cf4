"""How much the re-read can be skipped: when the head's best sentence leads clearly, does the cross-encoder ever
overturn it? (issue 9, eval/results/sentence_head.md §18)

    .venv/bin/python eval/cross_skip.py --lists L.pkl --teacher T.onnx   # held out: T trained with --holdout 0
    .venv/bin/python eval/cross_skip.py --lists L.pkl                    # the shipped model, every list

``L.pkl`` is ``eval/sentence_cross.py --lists``'s file (each training pair's head's best sentences, scored out of
fold). For each lead τ (the head's best minus its second, in logits) it reports the share of lists whose lead is
over τ (they would skip the model call), the top-1 with those lists keeping the head's pick (held out only: a
teacher trained without the fold), and how many of them the re-read (``logit + weight × cross`` among the best
``k``) would have overturned. Training pairs only; no dev set is read.
"""
from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sentence_cross import onnx_scores  # noqa: E402

from rag.sentence_cross import CrossScorer, combine, load_spec  # noqa: E402

TAUS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lists", required=True)
    ap.add_argument("--teacher", default=None, help="an ONNX cross-encoder trained without --fold (held out)")
    ap.add_argument("--fold", type=int, default=0)
    args = ap.parse_args(argv)
    spec = load_spec()
    rows = pickle.loads(Path(args.lists).read_bytes())["rows"]
    if args.teacher:  # held out: the fold's round-1 lists, scored by a model that never saw them
        rows = [d for d in rows if d["fold"] == args.fold and d["rnd"] == 1]
        cross = onnx_scores([args.teacher])
    else:  # the shipped model (in sample for every list: only its overturns are worth reading)
        cross = CrossScorer(spec).scores
    res = []
    for d in rows:
        top = [int(i) for i in np.argsort(-d["oof"], kind="stable")[:spec.k]]
        if len(top) < 2:
            continue
        c = np.asarray(cross(d["text"], [d["texts"][j] for j in top]))
        pick = top[int(np.argmax(combine(d["oof"][top], c, spec.weight)))]
        res.append((float(d["oof"][top[0]] - d["oof"][top[1]]), top[0], pick, d["y"]))
    which = f"fold {args.fold}, held out" if args.teacher else "all, shipped model"
    print(f"{len(res)} lists ({which}); weight {spec.weight:g}, k {spec.k}")
    print("| τ | lists that skip | top-1 | overturns skipped (lost / won by skipping) |\n|---:|---:|---:|---:|")
    for tau in (0.0, *TAUS):
        skip = [r for r in res if r[0] > tau] if tau else []
        acc = np.mean([r[3][r[1]] if r[0] > tau and tau else r[3][r[2]] for r in res])
        over = [r for r in skip if r[2] != r[1]]
        lost, won = sum(r[3][r[2]] > r[3][r[1]] for r in over), sum(r[3][r[2]] < r[3][r[1]] for r in over)
        top1 = f"{acc:.3f}" if args.teacher else "–"
        print(f"| {tau:g} | {len(skip) / len(res):.2f} | {top1} | {len(over)} ({lost} / {won}) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
