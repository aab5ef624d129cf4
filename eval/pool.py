"""Print judging pools: for each query, the union of the top turns of several retrievers.

Used to complete the paraphrase qrels: a query was written from one turn, then the top
candidates of bm25, dense, hybrid and naive were read and every turn that really answers
the query was added to the qrels (see eval/README.md). Nothing here decides relevance.

    .venv/bin/python eval/pool.py eval/paraphrase --index /tmp/ev_full --depth 5 > /tmp/pool.txt
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag import store  # noqa: E402
from rag.embedding import MODEL_NAME, Embedder  # noqa: E402
from rag.eval.datasets import load_dataset  # noqa: E402
from rag.eval.naive import NaiveRetriever  # noqa: E402
from rag.retrieval import Retriever  # noqa: E402


def system_pool(retr: Retriever, naive: NaiveRetriever, q, depth: int,  # noqa: ANN001 - rag.eval.datasets.Query
                found: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """``{turn id: where it was ranked}`` for the top ``depth`` turns of bm25, dense, hybrid and naive (``b2``: 2nd
    of bm25), added to ``found`` (a turn already there keeps its place and gains the tags)."""
    found = {} if found is None else found
    for mode in ("bm25", "dense", "hybrid"):
        for h in retr.search(q.text, k=depth, filters=q.filters(), mode=mode).hits:
            found.setdefault(h.turn.turn_id, []).append(f"{mode[0]}{h.rank}")
    for h in naive.search(q.text, k=depth, filters=q.filters()):
        found.setdefault(h.turn.turn_id, []).append(f"n{h.rank}")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset")
    ap.add_argument("--index", required=True)
    ap.add_argument("--depth", type=int, default=5, help="top turns taken from each system")
    ap.add_argument("--only", help="comma-separated query ids")
    ap.add_argument("--chars", type=int, default=260, help="characters shown of question and answer")
    args = ap.parse_args(argv)

    ds = load_dataset(args.dataset)
    index = store.load(Path(args.index), model=MODEL_NAME)
    enc = Embedder("fp32")
    retr = Retriever(index, enc)
    naive = NaiveRetriever(index.sources, enc)
    only = set(args.only.split(",")) if args.only else None
    for q in ds.queries:
        if only and q.qid not in only:
            continue
        found = system_pool(retr, naive, q, args.depth)
        judged = ds.qrels.get(q.qid, {})
        print(f"=== {q.qid}: {q.text}  [{q.notes}]")
        for tid, tags in found.items():
            t = index.turns[tid]
            mark = "*" if judged.get(tid, 0) > 0 else " "
            date = index.sources[t.source].date
            qt = textwrap.shorten(" ".join((t.question or "-").split()), args.chars)
            at = textwrap.shorten(" ".join(t.text.split()), args.chars)
            print(f"{mark} {tid} {date} ({' '.join(tags)})\n    Q: {qt}\n    A: {at}")
        missing = [d for d in judged if d not in found]
        for tid in missing:
            print(f"* {tid} (not in any pool)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
