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
from dataclasses import replace
from pathlib import Path

import numpy as np

from rag.embedding import Embedder
from rag.eval.datasets import load_dataset
from rag.retrieval import Filters, Retriever
from rag.sentence_head import DEFAULT_PATH, SentenceHead, fit, fit_query_map, scaled
from rag.sentence_rank import FEATURES, SentenceRanker, hand_score
from rag.store import load
from rag.text import bm25_tokens

ROOT = Path(__file__).resolve().parent
PAIRS = ROOT / "sentences_train" / "pairs.jsonl"
EXTRA = ROOT / "sentences_train" / "pairs_round2.jsonl"
DIMS = 384  # the sentence vector's size (MiniLM)
MAP_LAMBDAS = (1e-4, 1e-3, 3e-3, 1e-2, 3e-2)


def turn_rows(retriever: Retriever, ranker: SentenceRanker, query: str, turn_id: str, gold: list[tuple[int, int]],
              filters: Filters = Filters()) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(feature rows, gold flags, question vector)`` of the turn's sentences for ``query``, or None without
    sentences; the query is searched as ``rag ask`` searches it."""
    res = retriever.search(query, k=10, filters=filters)
    text = res.intent.search_text if res.intent else res.question
    units, x = ranker.features(turn_id, text, res.query_vector, bm25_tokens(text))
    if not units:
        return None
    return x, np.array([any(u.start <= s and e <= u.end for s, e in gold) for u in units], dtype=float), res.query_vector


def read_pairs(retriever: Retriever, ranker: SentenceRanker, path: Path) -> tuple[list, list, list, list]:
    """``(rows, gold flags, question vectors, turn ids)`` of the pairs in ``path`` that have a gold sentence."""
    xs, ys, qs, turns = [], [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        p = json.loads(line)
        got = turn_rows(retriever, ranker, p["query"], p["turn_id"], [(g["start"], g["end"]) for g in p["gold"]])
        if got is not None and got[1].any():
            xs.append(got[0])
            ys.append(got[1])
            # no question vector when the query's own date filter leaves nothing to search: no map term then
            qs.append(got[2] if got[2] is not None else np.zeros(got[0].shape[1] - len(FEATURES), dtype=np.float32))
            turns.append(p["turn_id"])
    return xs, ys, qs, turns


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
    ap.add_argument("--pairs", default=str(PAIRS), help="training pairs of the head (default: the shipped head's)")
    ap.add_argument("--extra", default=str(EXTRA),
                    help="more pairs for the query map only (default: round 2; '' for none)")
    ap.add_argument("--map-lambda", default="auto",
                    help="L2 strength of the query map, 'none' for no map, or 'auto' (default): the largest of "
                         f"{MAP_LAMBDAS} whose training CV is within one standard error of the best")
    ap.add_argument("--dev", default="eval/paraphrase,eval/journalist,eval/seeds")
    args = ap.parse_args(argv)
    index = load(Path(args.index))
    retriever = Retriever(index, Embedder(index.manifest.get("dtype", "fp32")))
    ranker = SentenceRanker(index, head=SentenceHead(FEATURES, np.zeros(1), np.ones(1), np.zeros(1), 0.0))  # unused
    xs, ys, qs, turns = read_pairs(retriever, ranker, Path(args.pairs))
    print(f"training pairs: {len(xs)}, sentences {sum(len(y) for y in ys)}, gold {int(sum(y.sum() for y in ys))}")
    # Folds by turn (a turn's pairs stay in one fold), numbered in order of first appearance: with one pair per
    # turn, fold i is pairs i, i+5, ...
    order = {t: n for n, t in enumerate(dict.fromkeys(turns))}
    folds = np.array([order[t] % 5 for t in turns])
    for c in (0.3, 1.0, 3.0, 10.0):
        scores = _cv(lambda tr, c=c: fit([xs[i] for i in tr], [ys[i] for i in tr], FEATURES, c=c), xs, folds)
        print(f"training 5-fold CV, C={c}: head {top1(scores, ys):.3f}, "
              f"hand-weighted sum {top1([hand_score(x) for x in xs], ys):.3f}")
    info = {"pairs": _rel(args.pairs), "sha1": _sha1(Path(args.pairs)), "turns": len(xs), "c": args.c}
    head = fit(xs, ys, FEATURES, c=args.c, info=info)
    if args.map_lambda != "none":
        ex, ey, eq, et = read_pairs(retriever, ranker, Path(args.extra)) if args.extra else ([], [], [], [])
        efolds = np.array([order[t] % 5 if t in order else -1 for t in et])  # other turns: always training
        print(f"query map: {len(xs)} + {len(ex)} pairs")
        fold_heads = {f: fit([xs[i] for i in np.flatnonzero(folds != f)], [ys[i] for i in np.flatnonzero(folds != f)],
                             FEATURES, c=args.c) for f in range(5)}
        base = _cv(lambda tr: None, xs, folds, fold_heads)
        print(f"  training 5-fold CV, head alone: {top1(base, ys):.3f}")
        lambdas = MAP_LAMBDAS if args.map_lambda == "auto" else (float(args.map_lambda),)
        cv = {}
        for lam in lambdas:
            scores = [np.zeros(0)] * len(xs)
            for f in range(5):
                tr = [(xs[i], ys[i], qs[i]) for i in np.flatnonzero(folds != f)] + \
                     [(ex[j], ey[j], eq[j]) for j in np.flatnonzero(efolds != f)]
                m = fit_query_map([t[0] for t in tr], [t[1] for t in tr], [t[2] for t in tr],
                                  [fold_heads[f].logit(t[0]) for t in tr], DIMS, lam=lam)
                for i in np.flatnonzero(folds == f):
                    scores[i] = base[i] + xs[i][:, -DIMS:] @ (m @ qs[i])
            cv[lam] = top1(scores, ys)
            print(f"  training 5-fold CV, head + query map, lambda={lam:g}: {cv[lam]:.3f}")
        best = max(cv.values())
        se = (best * (1 - best) / len(xs)) ** 0.5
        lam = max(v for v in cv if cv[v] >= best - se)  # the one-standard-error rule: the simplest map that fits
        qmap = fit_query_map(xs + ex, ys + ey, qs + eq, [head.logit(x) for x in xs + ex], DIMS, lam=lam)
        head = replace(head, query_map=qmap, info={**info, "query_map": {
            "extra_pairs": _rel(args.extra), "extra_sha1": _sha1(Path(args.extra)) if args.extra else None,
            "extra_turns": len(ex), "lambda": lam, "cv_top1": round(cv[lam], 4)}})
        print(f"  query map: lambda {lam:g} (best {best:.3f}, one standard error {se:.3f})")
    head = scaled(head, xs, float(np.mean([hand_score(x).std() for x in xs])), qs)
    head.save(Path(args.out))
    print(f"wrote {args.out} (score scale {head.score_scale:.4f})")
    plain = replace(head, query_map=None)
    for name in filter(None, args.dev.split(",")):
        ds = load_dataset(name)
        dx, dy, dq = [], [], []
        for q in ds.queries:
            by_turn: dict[str, list] = {}
            for g in ds.sentences.get(q.qid, []):
                by_turn.setdefault(g.turn_id, []).append((g.start, g.end))
            for tid, gold in by_turn.items():
                got = turn_rows(retriever, ranker, q.text, tid, gold, q.filters())
                if got is not None and got[1].any():
                    dx.append(got[0])
                    dy.append(got[1])
                    dq.append(got[2] if got[2] is not None else np.zeros(got[0].shape[1] - len(FEATURES)))
        mapped = [head.logit(x, q) for x, q in zip(dx, dq, strict=True)]
        print(f"{name}: {len(dx)} gold turns, top-1 gold: head {top1(mapped, dy):.3f}"
              f" (without the query map {top1([plain.logit(x) for x in dx], dy):.3f}), "
              f"hand-weighted sum {top1([hand_score(x) for x in dx], dy):.3f}")
    return 0


def _cv(fit_fold, xs: list[np.ndarray], folds: np.ndarray, heads: dict | None = None) -> list[np.ndarray]:
    """Each turn's logits from the head fitted without its fold (``fit_fold(train indices)``, or ``heads[f]``)."""
    scores: list[np.ndarray] = [np.zeros(0)] * len(xs)
    for f in range(5):
        head = heads[f] if heads else fit_fold(np.flatnonzero(folds != f))
        for i in np.flatnonzero(folds == f):
            scores[i] = head.logit(xs[i])
    return scores


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:12]


if __name__ == "__main__":
    sys.exit(main())
