"""Train the sentence head (rag/data/sentence_head.json) and report how well it picks the answering sentence.

    .venv/bin/python eval/sentence_head.py --index INDEX [--c 3] [--out rag/data/sentence_head.json]

INDEX must hold seeds + ../shared/corpus/fmprc/en (the pages of the pairs and of the dev sets).
Training data: ``eval/sentences_train/pairs.jsonl`` (query / turn / gold sentences written by blind
labellers from random turns that no dev set judges; see its README). Every sentence of each turn gets
the feature row :meth:`rag.sentence_rank.SentenceRanker.features` computes at ask time (the query
searched as ``rag ask`` searches it), and :func:`rag.sentence_head.fit` fits a logistic regression
over them; the score scale is set so scores spread within a training turn as the hand-weighted sum's
did (:func:`rag.sentence_head.scaled`), so the quote rules' margins keep their size. Nothing here
reads a dev set's labels except to report, after the head is written: how often the best-scored
sentence of a gold turn is gold, head against the hand-weighted sum (5-fold CV on the training
pairs; then each dev set, never trained on).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from rag.embedding import Embedder
from rag.eval.datasets import load_dataset
from rag.retrieval import Filters, Retriever
from rag.sentence_head import DEFAULT_PATH, SentenceHead, fit, scaled
from rag.sentence_rank import FEATURES, SentenceRanker, hand_score
from rag.store import load
from rag.text import bm25_tokens

ROOT = Path(__file__).resolve().parent
PAIRS = ROOT / "sentences_train" / "pairs.jsonl"


def turn_rows(retriever: Retriever, ranker: SentenceRanker, query: str, turn_id: str, gold: list[tuple[int, int]],
              filters: Filters = Filters()) -> tuple[np.ndarray, np.ndarray] | None:
    """``(feature rows, gold flags)`` of the turn's sentences for ``query``, or None without sentences."""
    res = retriever.search(query, k=10, filters=filters)
    text = res.intent.search_text if res.intent else res.question
    units, x = ranker.features(turn_id, text, res.query_vector, bm25_tokens(text))
    if not units:
        return None
    return x, np.array([any(u.start <= s and e <= u.end for s, e in gold) for u in units], dtype=float)


def _rel(path: str) -> str:
    """``path`` relative to the repository when inside it (as the shipped head records it)."""
    p = Path(path).resolve()
    return str(p.relative_to(ROOT.parent)) if p.is_relative_to(ROOT.parent) else str(p)


def top1(scores: list[np.ndarray], ys: list[np.ndarray]) -> float:
    """Share of turns whose best-scored sentence (the earlier one on a tie) is gold."""
    return float(np.mean([y[int(np.argmax(s))] for s, y in zip(scores, ys, strict=True)]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--c", type=float, default=3.0, help="inverse L2 strength (default 3)")
    ap.add_argument("--out", default=str(DEFAULT_PATH))
    ap.add_argument("--pairs", default=str(PAIRS), help="training pairs (default: the shipped head's)")
    ap.add_argument("--dev", default="eval/paraphrase,eval/journalist,eval/seeds")
    args = ap.parse_args(argv)
    index = load(Path(args.index))
    retriever = Retriever(index, Embedder(index.manifest.get("dtype", "fp32")))
    ranker = SentenceRanker(index, head=SentenceHead(FEATURES, np.zeros(1), np.ones(1), np.zeros(1), 0.0))  # unused
    xs, ys, turns, first_round = [], [], [], []
    for line in Path(args.pairs).read_text(encoding="utf-8").splitlines():
        p = json.loads(line)
        got = turn_rows(retriever, ranker, p["query"], p["turn_id"], [(g["start"], g["end"]) for g in p["gold"]])
        if got is not None and got[1].any():
            xs.append(got[0])
            ys.append(got[1])
            turns.append(p["turn_id"])
            first_round.append(p["id"].startswith("s"))  # round 1: one topic query per turn of 4-16 sentences
    print(f"training pairs: {len(xs)}, sentences {sum(len(y) for y in ys)}, gold {int(sum(y.sum() for y in ys))}")
    # Folds by turn (a turn's pairs stay in one fold: round 2 asked again about round-1 turns), numbered in order
    # of first appearance, so with one pair per turn fold i is pairs i, i+5, ... as before.
    order = {t: n for n, t in enumerate(dict.fromkeys(turns))}
    folds = np.array([order[t] % 5 for t in turns])
    r1 = np.flatnonzero(first_round)
    for c in (0.3, 1.0, 3.0, 10.0):
        scores: list[np.ndarray] = [np.zeros(0)] * len(xs)
        for f in range(5):
            head = fit([xs[i] for i in range(len(xs)) if folds[i] != f], [ys[i] for i in range(len(xs)) if folds[i] != f],
                       FEATURES, c=c)
            for i in np.flatnonzero(folds == f):
                scores[i] = head.logit(xs[i])
        print(f"training 5-fold CV, C={c}: head {top1(scores, ys):.3f}, "
              f"hand-weighted sum {top1([hand_score(x) for x in xs], ys):.3f}; round-1 pairs alone: head "
              f"{top1([scores[i] for i in r1], [ys[i] for i in r1]):.3f}, "
              f"hand {top1([hand_score(xs[i]) for i in r1], [ys[i] for i in r1]):.3f}")
    digest = hashlib.sha1(Path(args.pairs).read_bytes()).hexdigest()[:12]
    head = fit(xs, ys, FEATURES, c=args.c, info={"pairs": _rel(args.pairs), "sha1": digest,
                                                   "turns": len(xs), "c": args.c})
    head = scaled(head, xs, float(np.mean([hand_score(x).std() for x in xs])))
    head.save(Path(args.out))
    print(f"wrote {args.out} (score scale {head.score_scale:.4f})")
    for name in filter(None, args.dev.split(",")):
        ds = load_dataset(name)
        dx, dy = [], []
        for q in ds.queries:
            by_turn: dict[str, list] = {}
            for g in ds.sentences.get(q.qid, []):
                by_turn.setdefault(g.turn_id, []).append((g.start, g.end))
            for tid, gold in by_turn.items():
                got = turn_rows(retriever, ranker, q.text, tid, gold, q.filters())
                if got is not None and got[1].any():
                    dx.append(got[0])
                    dy.append(got[1])
        print(f"{name}: {len(dx)} gold turns, top-1 gold: head {top1([head.logit(x) for x in dx], dy):.3f}, "
              f"hand-weighted sum {top1([hand_score(x) for x in dx], dy):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
