"""Build an index with chunking settings the CLI does not expose (a tuning lever).

``rag ingest`` sets ``--max-tokens`` and ``--context``; the question-context budget
(``ChunkParams.context_tokens``, 40 by default) is only reachable from Python:

    .venv/bin/python eval/build_index.py seeds/ /work/shared/corpus/fmprc/en --index /tmp/ev_full_t100c80 \\
        --max-tokens 100 --context-tokens 80
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.chunking import ChunkParams  # noqa: E402
from rag.embedding import Embedder  # noqa: E402
from rag.ingest import ingest  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--index", required=True)
    ap.add_argument("--max-tokens", type=int, default=150)
    ap.add_argument("--context", choices=["question", "none"], default="question")
    ap.add_argument("--context-tokens", type=int, default=40)
    args = ap.parse_args(argv)
    params = ChunkParams(max_tokens=args.max_tokens, context=args.context, context_tokens=args.context_tokens)
    report = ingest(args.paths, args.index, encoder_factory=lambda: Embedder("fp32"), params=params, rebuild=True)
    print(f"{args.index}: {report.conferences} sources, {report.turns} turns, {report.chunks} chunks, "
          f"{report.seconds:.0f} s, chunking {params.to_dict()}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
