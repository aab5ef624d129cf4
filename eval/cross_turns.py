"""Held-out check: would the sentence cross-encoder re-rank turns well? (issue 9, sentence_head.md §17)

    .venv/bin/python eval/sentence_cross.py --index INDEX --lists L.pkl --rank 0 --lr 3e-5 --holdout 0 --teacher-out T.onnx
    .venv/bin/python eval/cross_turns.py --index INDEX --teacher T.onnx

The first command trains the teacher's recipe without round-1 fold F (``--holdout F``, here 0) of the training
pairs; this one (``--fold F``) searches each held-out pair's query as ``rag ask`` does, scores every sentence of
the top ``--turns`` turns with a head and query map fitted without fold F (``eval/sentence_cross.py``'s
``fold_head``), re-reads each turn's best ``k`` with the held-out cross-encoder (``k`` and weight as the shipped
re-read), and moves a turn up when ``fused score + λ × (logit + weight × cross of its best sentence)`` says so.
It reports, for λ = 0 (today) and each λ, how often the pair's turn comes first (S@1; one labelled turn a query)
and how often the first quote, the best sentence of the first turn, is a gold sentence.
Training pairs only; no dev set is read.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sentence_head as SH  # noqa: E402
from sentence_cross import fold_head, onnx_scores, training_rows  # noqa: E402

from rag.sentence_cross import combine, load_spec  # noqa: E402
from rag.sentence_head import SentenceHead  # noqa: E402
from rag.sentence_rank import FEATURES, SentenceRanker  # noqa: E402
from rag.store import load  # noqa: E402
from rag.text import bm25_tokens  # noqa: E402

LAMBDAS = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)


def held_out(index_dir: str, fold: int, turns: int) -> list[dict]:
    """Each held-out pair's query with its top ``turns`` turns: fused score, out-of-fold logits, texts, gold flags."""
    index = load(Path(index_dir))
    ranker = SentenceRanker(index, head=SentenceHead(FEATURES, np.zeros(1), np.ones(1), np.zeros(1), 0.0))
    rows = training_rows(index)
    head = fold_head(rows, fold)
    out = []
    for d in rows:
        if d["rnd"] != 1 or d["fold"] != fold:
            continue
        res, ts = d["result"], []
        if not res.hits:
            continue
        for h in res.hits[:turns]:
            tid = h.turn.turn_id
            units, x = ranker.features(tid, d["text"], res.query_vector, bm25_tokens(d["text"]))
            canon = index.sources[h.turn.source].canonical
            ts.append({"tid": tid, "score": h.score, "logit": head.logit(x, res.query_vector) if units else np.zeros(0),
                       "texts": [canon[u.start:u.end] for u in units],
                       "y": d["y"] if tid == d["tid"] else np.zeros(len(units))})
        out.append({"text": d["text"], "tid": d["tid"], "turns": ts})
    return out


def best(t: dict, weight: float) -> tuple[int | None, float]:
    """The turn's pick among the head's best k by logit + weight x cross, and that combined score (a turn without
    sentences: no pick, -inf, so that with λ > 0 it goes last; such turns are counted in the report)."""
    if not t["top"]:
        return None, -np.inf
    c = combine(t["logit"][t["top"]], t["cross"], weight)  # raises on a NaN, which argmax would take as the best
    j = int(np.argmax(c))
    return t["top"][j], float(c[j])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--teacher", required=True, help="a cross-encoder trained without --fold (ONNX, --teacher-out)")
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--turns", type=int, default=3, help="how many top turns may move up (default 3)")
    args = ap.parse_args(argv)
    if not 0 <= args.fold < SH.FOLDS:
        ap.error(f"--fold must be 0 to {SH.FOLDS - 1}")
    if args.turns < 1:
        ap.error("--turns must be at least 1")
    queries = held_out(args.index, args.fold, args.turns)
    spec, cross = load_spec(), onnx_scores([args.teacher])  # re-read as shipped: its k and weight
    for o in queries:
        for t in o["turns"]:
            t["top"] = [int(i) for i in np.argsort(-t["logit"], kind="stable")[:spec.k]]
            if t["top"]:
                t["cross"] = cross(o["text"], [t["texts"][i] for i in t["top"]])
    empty = sum(not t["top"] for o in queries for t in o["turns"])
    print(f"{len(queries)} held-out queries (round-1 fold {args.fold}); top {args.turns} turns may move; "
          f"{empty} of them without sentences")
    print("| λ | S@1 | first quote gold |\n|---:|---:|---:|")
    for lam in LAMBDAS:
        s1 = first = 0
        for o in queries:
            # λ = 0 is today's order (and 0 × -inf would be NaN for a turn without sentences)
            j = int(np.argmax([t["score"] + (lam * best(t, spec.weight)[1] if lam else 0.0) for t in o["turns"]]))
            t = o["turns"][j]
            s1 += t["tid"] == o["tid"]
            pick = best(t, spec.weight)[0]
            first += pick is not None and bool(t["y"][pick])
        print(f"| {lam:g} | {s1 / len(queries):.3f} | {first / len(queries):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
