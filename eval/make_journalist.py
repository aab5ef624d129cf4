"""Build the journalist set (eval/journalist/): real questions of the corpus as queries.

A fixed-seed sample of question turns from the English pages; each query is the turn's
question (whitespace-normalised) and the turn itself is the only relevant item. Evaluate
it on an index built with ``--context none``, so the question text is not embedded with
its own answer and the set measures answer retrieval.

    .venv/bin/python eval/make_journalist.py /work/shared/corpus/fmprc/en --out eval/journalist
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.eval.datasets import fingerprint  # noqa: E402
from rag.sources.files import collect_files, parse_file  # noqa: E402
from rag.sources.fmprc_en import find_duplicates, infer_years  # noqa: E402

SEED = 20200704
SIZE = 300
MIN_WORDS = 8  # shorter questions ("Follow-up?") mean nothing without the previous turn


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pages", help="folder of the ministry's English pages")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "journalist"))
    ap.add_argument("--size", type=int, default=SIZE)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)

    files, problems = collect_files([args.pages])
    sources = [parse_file(p, p.read_bytes()) for p in files]
    dupes = find_duplicates(sources)  # the index drops these too
    sources = [s for s in infer_years(sources) if s.source not in dupes]
    pool = [t for s in sorted(sources, key=lambda s: s.source) for t in s.turns
            if t.kind == "answer" and t.question and len(t.question.split()) >= MIN_WORDS]
    picked = sorted(random.Random(args.seed).sample(pool, min(args.size, len(pool))),
                    key=lambda t: (t.source, t.n))
    out = Path(args.out)
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with open(out / "queries.jsonl", "w", encoding="utf-8") as fq, \
            open(out / "qrels" / "test.tsv", "w", encoding="utf-8") as fr, \
            open(out / "turns.tsv", "w", encoding="utf-8") as ff:
        fr.write("query-id\tcorpus-id\tscore\n")
        ff.write("turn_id\tsha1_answer_12\n")
        for i, t in enumerate(picked, start=1):
            qid = f"j{i:03d}"
            fq.write(json.dumps({"_id": qid, "text": " ".join(t.question.split()),
                                 "notes": "journalist's question, verbatim"}, ensure_ascii=False) + "\n")
            fr.write(f"{qid}\t{t.turn_id}\t1\n")
            ff.write(f"{t.turn_id}\t{fingerprint(t.text)}\n")
    meta = {"name": "journalist", "index": {"context": "none"},
            "made_by": f"eval/make_journalist.py (seed {args.seed}, {len(picked)} of {len(pool)} question turns "
                       f"with >= {MIN_WORDS} words, {len(dupes)} duplicate page(s) excluded)"}
    (out / "dataset.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"{len(picked)} queries from {len(pool)} question turns of {len(sources)} pages -> {out}"
          + (f" ({len(problems)} unreadable paths)" if problems else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
