"""Write the threads set with each follow-up asked in full (its ``full`` field, no context) to a folder,
for the comparison the issue asks for (thread vs. the same question asked in full)::

    .venv/bin/python eval/threads/make_full.py /tmp/threads_full_set
    .venv/bin/rag eval /tmp/threads_full_set --index INDEX --systems hybrid --out eval/results/threads/full
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(out: Path) -> None:
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "qrels" / "test.tsv", out / "qrels" / "test.tsv")
    shutil.copy(HERE / "turns.tsv", out / "turns.tsv")
    with open(HERE / "queries.jsonl", encoding="utf-8") as src, open(out / "queries.jsonl", "w", encoding="utf-8") as dst:
        for line in src:
            if line.strip():
                q = json.loads(line)
                dst.write(json.dumps({"_id": q["_id"], "text": q["full"], "notes": "the follow-up asked in full"},
                                     ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
