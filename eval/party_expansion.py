"""Does adding the ministry's names of the parties a question names help the keyword search find its turn?
(issue 9, eval/results/sentence_head.md §19)

    .venv/bin/python eval/party_expansion.py --index INDEX                 # the shipped rule against none
    .venv/bin/python eval/party_expansion.py --index INDEX --variant all   # every alias instead of the form

Each training query (``eval/sentences_train``, rounds 1 and 2; a rule with nothing fitted, so no folds) is
searched as ``rag ask`` searches it, once with the keyword query as asked and once expanded; only the queries
the expansion changes are searched twice. Reported: how many change, for how many the labelled turn comes
first only with the expansion (won) or only without it (lost), and the change of MRR@10 over all queries.
Training pairs only; no dev set is read. INDEX: seeds + ``../shared/corpus/fmprc/en``.

Variants: ``shipped`` (:func:`rag.parties.bm25_expansion`), ``places`` (the same without a person's country),
``all`` (every alias of each party named, not only the ministry's form).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sentence_head as SH  # noqa: E402

from rag import parties, retrieval  # noqa: E402
from rag.embedding import Embedder  # noqa: E402
from rag.store import load  # noqa: E402

VARIANTS = ("shipped", "places", "all")


def expansion(variant: str) -> Callable[..., str]:
    """The keyword-query rule of ``variant`` (see the module's doc)."""
    if variant == "shipped":
        return parties.bm25_expansion

    def expand(text: str, skip=()) -> str:  # noqa: ANN001 - as bm25_expansion
        names = [parties._PARTIES[p] if variant == "all" else (parties.ministry_form(p),)
                 for p in parties.named_parties(text, skip) if p not in parties._PEOPLE]  # no person's country
        return parties.with_words(text, [n for forms in names for n in forms])

    return expand


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--variant", choices=VARIANTS, default="shipped")
    args = ap.parse_args(argv)
    index = load(Path(args.index))
    r = retrieval.Retriever(index, Embedder(index.manifest.get("dtype", "fp32")))
    pairs = [json.loads(line) for path in (SH.PAIRS, SH.EXTRA) for line in path.read_text(encoding="utf-8").splitlines()]
    rule = expansion(args.variant)
    changed = [p for p in pairs if rule(p["query"]) != p["query"]]

    def ranks(rule: Callable[..., str]) -> list[int]:
        retrieval.bm25_expansion = rule  # the name Retriever.search calls
        out = []
        for p in changed:
            ids = [h.turn.turn_id for h in r.search(p["query"], k=10).hits]
            out.append(ids.index(p["turn_id"]) + 1 if p["turn_id"] in ids else 0)
        return out

    before, after = ranks(lambda text, skip=(): text), ranks(rule)
    won = sum(a == 1 and b != 1 for a, b in zip(after, before, strict=True))
    lost = sum(b == 1 and a != 1 for a, b in zip(after, before, strict=True))
    d_mrr = sum((1 / a if a else 0) - (1 / b if b else 0) for a, b in zip(after, before, strict=True)) / len(pairs)
    print(f"{args.variant}: {len(changed)} of {len(pairs)} training queries changed; labelled turn first: "
          f"won {won}, lost {lost}; MRR@10 {d_mrr:+.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
