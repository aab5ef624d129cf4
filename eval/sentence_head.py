"""Experiment: can a learned scorer pick the answering sentence of a turn better than the hand-weighted sum?

    .venv/bin/python eval/sentence_head.py --index INDEX [--out eval/results/sentence_head.md]

INDEX must hold seeds + ../shared/corpus/fmprc/en (the pages of the pairs and of the dev sets).
Training data: ``eval/sentences_train/pairs.jsonl`` (624 query/turn/gold-sentence triples written by
blind labellers from random turns that no dev set judges; see its README). For every sentence of a
turn, the features of :class:`rag.sentence_rank.SentenceRanker` (cosine to the question, IDF-weighted
term overlap, position, procedural, chunk cosine, stance) plus six more (term overlap weighted within
the turn, overlap with the journalist's question, "announces a position", the sentence after one,
short, first) and the sentence's 384-number MiniLM vector; an L2 logistic regression over them
(Newton's method, numpy only). Reported: how often the best-scored sentence of a gold turn is a gold
sentence, on the training pairs (5-fold cross-validation) and on each dev set (never trained on),
against the hand-weighted sum. The end-to-end effect on ``rag ask`` was measured by plugging the head
into the ranker: see the report's last section (written by hand from that run).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from rag.embedding import Embedder
from rag.eval.datasets import load_dataset
from rag.procedural import is_procedural
from rag.retrieval import Retriever
from rag.sentence_rank import SentenceRanker, SentenceWeights, announces_position, score_row, stance
from rag.store import load
from rag.text import bm25_tokens

ROOT = Path(__file__).resolve().parent
PAIRS = ROOT / "sentences_train" / "pairs.jsonl"
EXTRA = ("local", "restates", "announces", "after_announcement", "short", "first")


def turn_rows(ranker: SentenceRanker, retriever: Retriever, query: str, turn_id: str, gold: list[tuple[int, int]],
              filters=None) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:  # noqa: ANN001
    """``(features, hand-weighted score, gold flags)`` of the turn's sentences for ``query`` (as rag ask searches it)."""
    res = retriever.search(query, k=10, **({"filters": filters} if filters is not None else {}))
    text = res.intent.search_text if res.intent else res.question
    terms = set(bm25_tokens(text))
    units = ranker.units(turn_id, text, res.query_vector, list(terms))
    if not units:
        return None
    idx = retriever.index
    turn = idx.turns[turn_id]
    canon = idx.sources[turn.source].canonical
    asked = set(bm25_tokens(turn.question or ""))
    rows = ranker.table.rows_of(ranker._turn_chunks.get(turn_id, []))
    vecs = ranker.table.vectors[rows].astype(np.float32)
    q = res.query_vector
    texts = [canon[u.start:u.end] for u in units]
    toks = [set(bm25_tokens(t)) for t in texts]
    n = len(units)
    df = {t: sum(1 for ts in toks if t in ts) for t in terms}
    total = sum(ranker.idf(t) for t in terms) or 1.0
    local_total = sum(ranker.idf(t) * math.log((n + 1) / 0.5) for t in terms) or 1.0
    feats = []
    for k, (text, ts) in enumerate(zip(texts, toks, strict=True)):
        hit = terms & ts
        base = [float(vecs[k] @ q), sum(ranker.idf(t) for t in hit) / total, k / (n - 1) if n > 1 else 0.0,
                float(is_procedural(text)), float(idx.vectors[ranker.table.chunk[rows[k]]] @ q), stance(text)]
        extra = [sum(ranker.idf(t) * math.log((n + 1) / (df[t] + 0.5)) for t in hit) / local_total,
                 len(ts & asked) / max(len(ts), 1), float(announces_position(text)),
                 float(k > 0 and announces_position(texts[k - 1])), float(len(text.split()) < 8), float(k == 0)]
        feats.append(base + extra)
    x = np.hstack([np.asarray(feats, dtype=np.float64), vecs])
    w = SentenceWeights()
    hand = np.array([score_row(f[0], f[1], f[2], bool(f[3]), w, f[4], f[5]) for f in feats])
    y = np.array([any(u.start <= s and e <= u.end for s, e in gold) for u in units], dtype=float)
    return x, hand, y


def fit(xs: list[np.ndarray], ys: list[np.ndarray], c: float, iterations: int = 50) -> tuple[np.ndarray, ...]:
    """L2 logistic regression by Newton's method: ``(mean, scale, weights, bias)`` (bias not penalised)."""
    x, y = np.vstack(xs), np.concatenate(ys)
    mean, scale = x.mean(0), x.std(0)
    scale[scale < 1e-6] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], 1.0 / c)
    reg[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        step = np.linalg.solve((z * (p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9), z.T @ (p - y) + reg * w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w[:-1], w[-1]


def top1(scores: list[np.ndarray], ys: list[np.ndarray]) -> float:
    return float(np.mean([y[int(np.argmax(s))] for s, y in zip(scores, ys, strict=True)]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--c", type=float, default=3.0)
    ap.add_argument("--dev", default="eval/paraphrase,eval/journalist,eval/seeds")
    args = ap.parse_args(argv)
    index = load(Path(args.index))
    retriever = Retriever(index, Embedder(index.manifest.get("dtype", "fp32")))
    ranker = retriever.sentence_ranker()
    train = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        p = json.loads(line)
        got = turn_rows(ranker, retriever, p["query"], p["turn_id"], [(g["start"], g["end"]) for g in p["gold"]])
        if got is not None and got[2].any():
            train.append(got)
    xs, hands, ys = zip(*train, strict=True)
    print(f"training pairs: {len(xs)}, sentences {sum(len(y) for y in ys)}, gold {int(sum(y.sum() for y in ys))}")
    folds = np.arange(len(xs)) % 5
    for c in (0.3, 1.0, 3.0, 10.0):
        scores = [None] * len(xs)
        for f in range(5):
            mean, scale, w, b = fit([xs[i] for i in range(len(xs)) if folds[i] != f],
                                    [ys[i] for i in range(len(xs)) if folds[i] != f], c)
            for i in np.flatnonzero(folds == f):
                scores[i] = ((xs[i] - mean) / scale) @ w + b
        print(f"training 5-fold CV, C={c}: head {top1(scores, ys):.3f}, hand-weighted sum {top1(hands, ys):.3f}")
    mean, scale, w, b = fit(list(xs), list(ys), args.c)
    for name in filter(None, args.dev.split(",")):
        ds = load_dataset(name)
        dev = []
        for q in ds.queries:
            by_turn: dict[str, list] = {}
            for g in ds.sentences.get(q.qid, []):
                by_turn.setdefault(g.turn_id, []).append((g.start, g.end))
            for tid, gold in by_turn.items():
                got = turn_rows(ranker, retriever, q.text, tid, gold, q.filters())
                if got is not None and got[2].any():
                    dev.append(got)
        dx, dh, dy = zip(*dev, strict=True)
        head = [((x - mean) / scale) @ w + b for x in dx]
        print(f"{name} (C={args.c}): {len(dx)} gold turns, top-1 gold: head {top1(head, dy):.3f}, "
              f"hand-weighted sum {top1(dh, dy):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
