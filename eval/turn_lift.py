"""Does lifting the top turns by their best sentence's cosine put the labelled turn first more often?
(issue 9, eval/results/sentence_head.md §21)

    .venv/bin/python eval/turn_lift.py --index INDEX [--lifts 0.1,0.2,0.3] [--depth 10]

Each training query (``eval/sentences_train``, rounds 1 and 2, one row per distinct (query, turn); a weight with
nothing fitted, so no folds) is searched as ``rag ask`` searches it with the lift off (``Retriever(lift=0)``),
its top ``depth`` turns then lifted by ``weight × (the best cosine between the question vector and the turn's
stored sentence vectors)`` (:mod:`rag.turn_lift`) for each weight. Reported per weight: Success@1 and MRR@10 of
the labelled turn, and for how many queries it comes first only with the lift (won) or only without (lost); also
for the two halves of the queries. Training pairs only; no dev set is read. INDEX: seeds + ``../shared/corpus/fmprc/en``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sentence_head as SH  # noqa: E402

from rag import turn_lift  # noqa: E402
from rag.embedding import Embedder  # noqa: E402
from rag.records import chunks_by_turn  # noqa: E402
from rag.retrieval import Retriever  # noqa: E402
from rag.store import load  # noqa: E402


def searched(index_dir: str, depth: int) -> list[tuple[str, list[str], list[float], list]]:
    """``(labelled turn, top turn ids, their fused scores, their sentence cosines)`` of each training query."""
    index = load(Path(index_dir))
    r = Retriever(index, Embedder(index.manifest.get("dtype", "fp32")), cross=False, lift=0.0)
    turn_chunks = chunks_by_turn(index.chunks)
    rows, seen = [], set()
    for path in (SH.PAIRS, SH.EXTRA):
        for line in path.read_text(encoding="utf-8").splitlines():
            p = json.loads(line)
            if (p["query"], p["turn_id"]) in seen:
                continue
            seen.add((p["query"], p["turn_id"]))
            res = r.search(p["query"], k=depth)
            if not res.hits or res.query_vector is None:
                continue
            ids = [h.turn.turn_id for h in res.hits]
            cos = turn_lift.best_cosines(index.sentences, [turn_chunks[t] for t in ids], res.query_vector)
            rows.append((p["turn_id"], ids, [h.score for h in res.hits], cos))
    return rows


def measure(rows: list, weight: float) -> dict:
    """Success@1, MRR@10, won and lost of the labelled turn with ``weight`` (against no lift)."""
    s1 = mrr = won = lost = 0
    for gold, ids, scores, cos in rows:
        new = [ids[i] for i, _ in turn_lift.lift(scores, cos, weight)]
        s1 += new[0] == gold
        mrr += 1 / (new.index(gold) + 1) if gold in new[:10] else 0.0
        won += new[0] == gold and ids[0] != gold
        lost += ids[0] == gold and new[0] != gold
    n = len(rows) or 1
    return {"S@1": s1 / n, "MRR@10": mrr / n, "won": won, "lost": lost}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--lifts", default="0.05,0.1,0.15,0.2,0.25,0.3,0.5,1.0")
    ap.add_argument("--depth", type=int, default=turn_lift.DEPTH)
    args = ap.parse_args(argv)
    rows = searched(args.index, args.depth)
    half = len(rows) // 2
    print(f"{len(rows)} training queries, top {args.depth} turns lifted\n")
    print("| weight | S@1 | MRR@10 | won / lost | first half won / lost | second half won / lost |")
    print("|---:|---:|---:|---:|---:|---:|")
    for w in [0.0] + [float(x) for x in args.lifts.split(",")]:
        m, a, b = measure(rows, w), measure(rows[:half], w), measure(rows[half:], w)
        print(f"| {w:g} | {m['S@1']:.4f} | {m['MRR@10']:.4f} | {m['won']} / {m['lost']} | {a['won']} / {a['lost']} "
              f"| {b['won']} / {b['lost']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
