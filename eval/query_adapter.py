"""Does a learned linear map of the question vector put the labelled turn first more often? (issue 9,
eval/results/sentence_head.md §23)

    .venv/bin/python eval/query_adapter.py --index INDEX [--lambdas 0.1,0.03,0.01] [--rank 0] [--mode hybrid]

The dense search compares the question's MiniLM vector ``q`` with each chunk's. Here the question is first mapped,
``q' = (q + q W) / |q + q W|`` (``W`` 384×384 from zero, or ``U Vᵀ`` of ``--rank`` r), fitted on the training
queries of ``eval/sentences_train`` (rounds 1 and 2, one row per distinct (query, turn)) to put the labelled turn's
chunks first among all the index's chunks (softmax at temperature 0.05 over every chunk, the labelled turn's chunks
the positives; Adam, ``--epochs`` passes, L2 ``λ |W|²``). Five folds by turn; each query is then searched as
``rag ask`` searches it (``--mode hybrid``: BM25 and the turn lift unchanged) with its fold's map, and reported:
Success@1 and MRR@10 of the labelled turn, and won / lost against no map. Training pairs only; no dev set is read.
INDEX: seeds + ``../shared/corpus/fmprc/en``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sentence_head as SH  # noqa: E402

from rag.embedding import Embedder  # noqa: E402
from rag.intent import parse_intent  # noqa: E402
from rag.retrieval import Retriever  # noqa: E402
from rag.store import load  # noqa: E402

FOLDS = 5
TAU = 0.05


class Mapped(Retriever):
    """A retriever whose dense search reads the mapped question vector (``W`` None: as shipped)."""

    W: np.ndarray | None = None

    def _dense(self, qvec: np.ndarray, n: int, mask: np.ndarray | None) -> dict[int, float]:
        if self.W is not None:
            q = qvec + qvec @ self.W
            qvec = (q / np.linalg.norm(q)).astype(np.float32)
        return super()._dense(qvec, n, mask)


def pairs() -> list[tuple[str, str]]:
    """Distinct ``(query, labelled turn)`` of both rounds, in file order."""
    rows, seen = [], set()
    for path in (SH.PAIRS, SH.EXTRA):
        for line in path.read_text(encoding="utf-8").splitlines():
            p = json.loads(line)
            if (p["query"], p["turn_id"]) not in seen:
                seen.add((p["query"], p["turn_id"]))
                rows.append((p["query"], p["turn_id"]))
    return rows


def fit(Q: np.ndarray, C: np.ndarray, positives: list[np.ndarray], lam: float, rank: int, epochs: int) -> np.ndarray:
    """The map ``W`` for questions ``Q`` (rows) whose labelled chunks of ``C`` are ``positives``."""
    import torch

    torch.manual_seed(0)
    q, c = torch.tensor(Q), torch.tensor(C)
    if rank:
        U = torch.nn.Parameter(torch.randn(384, rank) * 0.01)
        V = torch.nn.Parameter(torch.zeros(384, rank))
        params, weight = [U, V], lambda: U @ V.T
    else:
        W0 = torch.nn.Parameter(torch.zeros(384, 384))
        params, weight = [W0], lambda: W0
    opt = torch.optim.Adam(params, lr=1e-3)
    pos = [torch.tensor(p) for p in positives]
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        perm = rng.permutation(len(Q))
        for b in range(0, len(Q), 256):
            ids = perm[b:b + 256]
            W = weight()
            qa = q[ids] + q[ids] @ W
            s = (qa / qa.norm(dim=1, keepdim=True)) @ c.T / TAU
            lp = torch.stack([torch.logsumexp(s[j, pos[i]], 0) for j, i in enumerate(ids)])
            loss = (torch.logsumexp(s, 1) - lp).mean() + lam * (W ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return weight().detach().numpy()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--lambdas", default="0.1,0.03,0.01,0.001")
    ap.add_argument("--rank", type=int, default=0, help="0: a full 384×384 map")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--mode", default="hybrid", choices=("hybrid", "dense"))
    args = ap.parse_args(argv)
    index = load(Path(args.index))
    enc = Embedder(index.manifest.get("dtype", "fp32"))
    rows = pairs()
    order: dict[str, int] = {}
    for _, t in rows:
        order.setdefault(t, len(order))
    folds = np.array([order[t] % FOLDS for _, t in rows])  # by turn: a turn's queries stay in one fold
    texts = [(it.search_text if (it := parse_intent(q)) else q) for q, _ in rows]  # what the search embeds
    Q = enc.encode(texts).astype(np.float32)
    C = np.asarray(index.vectors, dtype=np.float32)
    turn_of = np.array([c.turn_id for c in index.chunks], dtype=object)
    positives = [np.flatnonzero(turn_of == t) for _, t in rows]
    r = Mapped(index, enc, cross=False)

    def run(maps: dict[int, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
        first, rr = np.zeros(len(rows), bool), np.zeros(len(rows))
        for f in range(FOLDS):
            r.W = maps[f] if maps else None
            for i in np.flatnonzero(folds == f):
                ids = [h.turn.turn_id for h in r.search(rows[i][0], k=10, mode=args.mode).hits]
                first[i] = ids[:1] == [rows[i][1]]
                rr[i] = 1 / (ids.index(rows[i][1]) + 1) if rows[i][1] in ids else 0.0
        return first, rr

    base, base_rr = run(None)
    print(f"{len(rows)} training queries, {args.mode} search, {FOLDS} folds by turn, rank {args.rank or 'full'}, "
          f"{args.epochs} epochs\n")
    print("| λ | S@1 | MRR@10 | won / lost | mean |W| |\n|---:|---:|---:|---:|---:|")
    print(f"| no map | {base.mean():.4f} | {base_rr.mean():.4f} | – | – |", flush=True)
    for lam in (float(x) for x in args.lambdas.split(",")):
        maps = {f: fit(Q[folds != f], C, [positives[i] for i in np.flatnonzero(folds != f)], lam, args.rank,
                       args.epochs) for f in range(FOLDS)}
        first, rr = run(maps)
        print(f"| {lam:g} | {first.mean():.4f} | {rr.mean():.4f} | {int((first & ~base).sum())} / "
              f"{int((base & ~first).sum())} | {np.mean([np.linalg.norm(m) for m in maps.values()]):.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
