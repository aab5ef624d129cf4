"""Train the sentence head (rag/data/sentence_head.json + its query map) and report how well it picks the answering sentence.

    .venv/bin/python eval/sentence_head.py --index INDEX [--c 3] [--map-lambda auto] [--out rag/data/sentence_head.json]

INDEX must hold seeds + ../shared/corpus/fmprc/en (the pages of the pairs and of the dev sets).
Training data: ``eval/sentences_train/pairs.jsonl`` (query / turn / gold sentences written by blind
labellers from random turns that no dev set judges; see its README). Every sentence of each turn gets
the feature row :meth:`rag.sentence_rank.SentenceRanker.features` computes at ask time (the query
searched as ``rag ask`` searches it), and :func:`rag.sentence_head_fit.fit` fits a logistic regression
over them. The query map (:func:`rag.sentence_head_fit.fit_query_map`) is fitted on top of it on the
same pairs plus ``pairs_round2.jsonl``; its L2 strength is the largest of ``MAP_LAMBDAS`` whose
training CV top-1 is within one standard error (over the five folds) of the best. The score scale is
set so scores spread within a training turn as the hand-weighted sum's did
(:func:`rag.sentence_head_fit.scaled`), so the quote rules' margins keep their size. Nothing here reads
a dev set's labels except to report, after the head is written: how often the best-scored sentence of
a gold turn is gold (5-fold CV on the training pairs; then each dev set, never trained on).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rag.embedding import Embedder
from rag.eval.datasets import load_dataset
from rag.retrieval import Filters, Retriever, SearchResult
from rag.sentence_head import DEFAULT_PATH, SentenceHead
from rag.sentence_head_fit import fit, fit_query_map, scaled
from rag.sentence_rank import FEATURES, SentenceRanker, hand_score
from rag.store import load
from rag.text import bm25_tokens

ROOT = Path(__file__).resolve().parent
PAIRS = ROOT / "sentences_train" / "pairs.jsonl"
EXTRA = ROOT / "sentences_train" / "pairs_round2.jsonl"
MAP_LAMBDAS = (1e-4, 1e-3, 3e-3, 1e-2, 3e-2)
FOLDS = 5


@dataclass
class Turns:
    """Labelled turns as the head sees them: feature rows, gold flags, question vectors (None when the
    query's own dates leave nothing to search: no map term then, as at ask time), turn ids."""
    xs: list[np.ndarray]
    ys: list[np.ndarray]
    qs: list[np.ndarray | None]
    ids: list[str]

    def add(self, got: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None, turn_id: str) -> None:
        """Keep a :func:`turn_rows` result that has a gold sentence."""
        if got is not None and got[1].any():
            self.xs.append(got[0])
            self.ys.append(got[1])
            self.qs.append(got[2])
            self.ids.append(turn_id)


def read_turn(retriever: Retriever, ranker: SentenceRanker, query: str, turn_id: str, filters: Filters = Filters()
              ) -> tuple[str, list, np.ndarray, SearchResult]:
    """``(search text, sentence units, feature rows, search result)`` of the turn for ``query``, the query
    searched as ``rag ask`` searches it (its dates and outlets read off, the rest embedded; the result's
    ``query_vector`` is the question vector of the head's query map)."""
    res = retriever.search(query, k=10, filters=filters)
    text = res.intent.search_text if res.intent else res.question
    units, x = ranker.features(turn_id, text, res.query_vector, bm25_tokens(text))
    return text, units, x, res


def gold_flags(units: list, gold: list[tuple[int, int]]) -> np.ndarray:
    """1.0 for each unit that contains a gold span ``(start, end)`` of the source, else 0.0."""
    return np.array([any(u.start <= s and e <= u.end for s, e in gold) for u in units], dtype=float)


def turn_rows(retriever: Retriever, ranker: SentenceRanker, query: str, turn_id: str, gold: list[tuple[int, int]],
              filters: Filters = Filters()) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
    """``(feature rows, gold flags, question vector)`` of the turn's sentences for ``query`` (:func:`read_turn`),
    or None without sentences."""
    _, units, x, res = read_turn(retriever, ranker, query, turn_id, filters)
    return (x, gold_flags(units, gold), res.query_vector) if units else None


def read_pairs(retriever: Retriever, ranker: SentenceRanker, path: Path | None) -> Turns:
    """The pairs in ``path`` (none for None) that have a gold sentence."""
    out = Turns([], [], [], [])
    for line in path.read_text(encoding="utf-8").splitlines() if path else []:
        p = json.loads(line)
        out.add(turn_rows(retriever, ranker, p["query"], p["turn_id"], [(g["start"], g["end"]) for g in p["gold"]]),
                p["turn_id"])
    return out


def _rel(path: Path | None) -> str | None:
    """``path`` relative to the repository when inside it (as the shipped head records it)."""
    if path is None:
        return None
    p = path.resolve()
    return str(p.relative_to(ROOT.parent)) if p.is_relative_to(ROOT.parent) else str(p)


def top1(scores: list[np.ndarray], ys: list[np.ndarray]) -> float:
    """Share of turns whose best-scored sentence (the earlier one on a tie) is gold."""
    return float(np.mean([y[int(np.argmax(s))] for s, y in zip(scores, ys, strict=True)]))


def fold_top1(scores: list[np.ndarray], ys: list[np.ndarray], folds: np.ndarray) -> tuple[float, float]:
    """``(top-1 over all turns, its standard error over the folds: sd of the folds' top-1 / sqrt(folds))``."""
    per = [top1([scores[i] for i in np.flatnonzero(folds == f)], [ys[i] for i in np.flatnonzero(folds == f)])
           for f in range(FOLDS)]
    return top1(scores, ys), float(np.std(per, ddof=1) / np.sqrt(FOLDS))


def cross_validate(fit_fold: Callable[[int], Callable[[int], np.ndarray]], n: int, folds: np.ndarray) -> list[np.ndarray]:
    """Each turn's scores from a model fitted without its fold: ``fit_fold(f)`` returns ``score(i)``."""
    scores: list[np.ndarray] = [np.zeros(0)] * n
    for f in range(FOLDS):
        score = fit_fold(f)
        for i in np.flatnonzero(folds == f):
            scores[i] = score(i)
    return scores


def fold_heads(train: Turns, folds: np.ndarray, c: float) -> dict[int, SentenceHead]:
    """The head of each fold: fitted on the other folds' turns."""
    return {f: fit([train.xs[i] for i in np.flatnonzero(folds != f)], [train.ys[i] for i in np.flatnonzero(folds != f)],
                   FEATURES, c=c) for f in range(FOLDS)}


def choose_map(train: Turns, extra: Turns, folds: np.ndarray, heads: dict[int, SentenceHead],
               lambdas: tuple[float, ...]) -> tuple[float, dict]:
    """The query map's L2 strength: the largest of ``lambdas`` whose CV top-1 is within one standard error of
    the best (``{lambda: cv top-1}`` beside it). In fold f the head is ``heads[f]`` (:func:`fold_heads`) and
    the map is fitted on the other folds' round-1 and round-2 pairs (round-2 pairs of turns round 1 lacks:
    every fold)."""
    fold_of = {t: int(f) for t, f in zip(train.ids, folds, strict=True)}
    efolds = np.array([fold_of.get(t, -1) for t in extra.ids], dtype=int)
    alone = cross_validate(lambda f: lambda i, f=f: heads[f].logit(train.xs[i]), len(train.xs), folds)
    print(f"  training {FOLDS}-fold CV, head alone: {top1(alone, train.ys):.3f}")
    cv: dict[float, tuple[float, float]] = {}
    for lam in lambdas:
        def fit_fold(f: int, lam: float = lam) -> Callable[[int], np.ndarray]:
            rows = [(train.xs[i], train.ys[i], train.qs[i]) for i in np.flatnonzero(folds != f)] + \
                   [(extra.xs[j], extra.ys[j], extra.qs[j]) for j in np.flatnonzero(efolds != f)]
            m = fit_query_map([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                              [heads[f].logit(r[0]) for r in rows], lam=lam)
            mapped = replace(heads[f], query_map=m)
            return lambda i: mapped.logit(train.xs[i], train.qs[i])
        cv[lam] = fold_top1(cross_validate(fit_fold, len(train.xs), folds), train.ys, folds)
        print(f"  training {FOLDS}-fold CV, head + query map, lambda={lam:g}: {cv[lam][0]:.3f} (se {cv[lam][1]:.3f})")
    best = max(cv, key=lambda v: cv[v][0])
    lam = max(v for v in cv if cv[v][0] >= cv[best][0] - cv[best][1])  # one standard error: the simplest that fits
    print(f"  query map: lambda {lam:g} (best {cv[best][0]:.3f} at {best:g}, one standard error {cv[best][1]:.3f})")
    return lam, {v: round(cv[v][0], 4) for v in cv}


def dev_report(retriever: Retriever, ranker: SentenceRanker, head: SentenceHead, names: list[str]) -> None:
    """How often the best-scored sentence of a dev set's gold turn is gold: head, head without its map, hand sum."""
    plain = replace(head, query_map=None)
    for name in names:
        ds = load_dataset(name)
        dev = Turns([], [], [], [])
        for q in ds.queries:
            by_turn: dict[str, list] = {}
            for g in ds.sentences.get(q.qid, []):
                by_turn.setdefault(g.turn_id, []).append((g.start, g.end))
            for tid, gold in by_turn.items():
                dev.add(turn_rows(retriever, ranker, q.text, tid, gold, q.filters()), tid)
        mapped = [head.logit(x, q) for x, q in zip(dev.xs, dev.qs, strict=True)]
        print(f"{name}: {len(dev.xs)} gold turns, top-1 gold: head {top1(mapped, dev.ys):.3f}"
              f" (without the query map {top1([plain.logit(x) for x in dev.xs], dev.ys):.3f}), "
              f"hand-weighted sum {top1([hand_score(x) for x in dev.xs], dev.ys):.3f}")


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
    pairs, extra_path = Path(args.pairs), Path(args.extra) if args.extra else None
    train = read_pairs(retriever, ranker, pairs)
    print(f"training pairs: {len(train.xs)}, sentences {sum(len(y) for y in train.ys)}, "
          f"gold {int(sum(y.sum() for y in train.ys))}")
    # Folds by turn (a turn's pairs stay in one fold), numbered in order of first appearance: with one pair per
    # turn, fold i is pairs i, i+5, ...
    order = {t: n for n, t in enumerate(dict.fromkeys(train.ids))}
    folds = np.array([order[t] % FOLDS for t in train.ids])
    heads_by_c = {}
    for c in (0.3, 1.0, 3.0, 10.0):
        heads = heads_by_c[c] = fold_heads(train, folds, c)
        scores = cross_validate(lambda f, heads=heads: lambda i: heads[f].logit(train.xs[i]), len(train.xs), folds)
        print(f"training {FOLDS}-fold CV, C={c}: head {top1(scores, train.ys):.3f}, "
              f"hand-weighted sum {top1([hand_score(x) for x in train.xs], train.ys):.3f}")
    info = {"pairs": _rel(pairs), "sha1": _sha1(pairs), "turns": len(train.xs), "c": args.c}
    head = fit(train.xs, train.ys, FEATURES, c=args.c, info=info)
    if args.map_lambda != "none":
        extra = read_pairs(retriever, ranker, extra_path)
        print(f"query map: {len(train.xs)} + {len(extra.xs)} pairs")
        heads = heads_by_c.get(args.c) or fold_heads(train, folds, args.c)
        lam, cv = choose_map(train, extra, folds, heads, MAP_LAMBDAS if args.map_lambda == "auto" else (float(args.map_lambda),))
        qmap = fit_query_map(train.xs + extra.xs, train.ys + extra.ys, train.qs + extra.qs,
                             [head.logit(x) for x in train.xs + extra.xs], lam=lam)
        head = replace(head, query_map=qmap, info={**info, "query_map": {
            "extra_pairs": _rel(extra_path), "extra_sha1": _sha1(extra_path) if extra_path else None,
            "extra_turns": len(extra.xs), "lambda": lam,
            "cv_top1": cv, "note": "cv_top1 of the lambda picked is selection-biased (picked on the same folds)"}})
    head = scaled(head, train.xs, float(np.mean([hand_score(x).std() for x in train.xs])), train.qs)
    head.save(Path(args.out))
    print(f"wrote {args.out} (score scale {head.score_scale:.4f})")
    dev_report(retriever, ranker, head, [n for n in args.dev.split(",") if n])
    return 0


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:12]


if __name__ == "__main__":
    sys.exit(main())
