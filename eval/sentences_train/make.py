"""Make the training pairs of the sentence head: blind-labelling sheets, then pairs.jsonl from the labels.

    .venv/bin/python eval/sentences_train/make.py sheets INDEX OUT_DIR [--first 0 --count 2525 --per-sheet 80]
    .venv/bin/python eval/sentences_train/make.py build INDEX

``sheets`` draws the turns (``random.Random(99)`` over the English answers with a journalist's question
and 4-16 sentence units, leaving out every turn a dev set judges) and writes ``sheetN.md`` files: date,
the journalist's question and the numbered sentence units, nothing else. Labellers append
``ITEM<TAB>QUERY<TAB>NUMBERS`` lines (``-`` for a dodge) as the brief in README.md says; they are kept in
``labels.tsv`` with each item's turn. ``build`` turns ``labels.tsv`` into ``pairs.jsonl`` with verbatim
spans (the numbers are positions among the turn's sentence units in INDEX, which must hold seeds + the
500 English pages, built with the same parser and sentence splitter).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from rag.eval.datasets import load_dataset
from rag.store import load

HERE = Path(__file__).resolve().parent
DEV_SETS = ("paraphrase", "seeds", "journalist", "threads")


def candidates(index) -> list:  # noqa: ANN001 - rag.store.Index
    """``(turn, source, sentence rows)`` of every eligible turn, in the fixed random order."""
    judged = set()
    for name in DEV_SETS:
        judged |= {t for q in load_dataset(HERE.parent / name).qrels.values() for t in q}
    table = index.sentences
    rows_by_turn = chunks_by_turn(index)
    out = []
    for s in index.sources.values():
        for t in s.turns:
            if t.turn_id in judged or not t.question or t.kind != "answer":
                continue
            rows = table.rows_of(rows_by_turn.get(t.turn_id, []))
            if 4 <= len(rows) <= 16:
                out.append((t, s, rows))
    random.Random(99).shuffle(out)
    return out


def chunks_by_turn(index) -> dict[str, list[int]]:  # noqa: ANN001
    out: dict[str, list[int]] = {}
    for c in index.chunks:
        out.setdefault(c.turn_id, []).append(c.chunk_id)
    return out


def units_of(index, turn_id: str, by_turn: dict[str, list[int]] | None = None) -> list[tuple[int, int]]:  # noqa: ANN001
    """``(start, end)`` of the turn's sentence units, in the order the sheets number them from 1."""
    table = index.sentences
    chunks = (by_turn or chunks_by_turn(index)).get(turn_id, [])
    return [(int(table.start[r]), int(table.end[r])) for r in table.rows_of(chunks)]


def sheets(index, out: Path, first: int, count: int, per_sheet: int) -> None:  # noqa: ANN001
    out.mkdir(parents=True, exist_ok=True)
    cands = candidates(index)[first:first + count]
    for n in range(0, len(cands), per_sheet):
        sheet = first // per_sheet + n // per_sheet + 1
        with open(out / f"sheet{sheet}.md", "w", encoding="utf-8") as f:
            for i, (t, s, rows) in enumerate(cands[n:n + per_sheet], start=1):
                f.write(f"## s{sheet}-{i:03d}\nDATE: {s.date}\nJOURNALIST'S QUESTION: "
                        f"{t.question[:700]}\nANSWER SENTENCES:\n")
                for k, r in enumerate(rows, start=1):
                    f.write(f"  [{k}] {s.canonical[int(index.sentences.start[r]):int(index.sentences.end[r])]}\n")
                f.write("\n")


def build(index) -> int:  # noqa: ANN001
    lines, dashes = [], 0
    by_turn = chunks_by_turn(index)
    for row in (HERE / "labels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        item, turn_id, query, numbers = row.split("\t")
        if numbers.strip() == "-":
            dashes += 1
            continue
        t = index.turns[turn_id]
        canon = index.sources[t.source].canonical
        units = units_of(index, turn_id, by_turn)
        gold = [{"start": units[k - 1][0], "end": units[k - 1][1], "text": canon[units[k - 1][0]:units[k - 1][1]]}
                for k in sorted({int(x) for x in numbers.split(",")})]
        lines.append(json.dumps({"id": item, "query": query.strip(), "turn_id": turn_id, "source": t.source,
                                 "gold": gold}, ensure_ascii=False))
    (HERE / "pairs.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"{len(lines)} pairs, {dashes} left out ('-')")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("sheets")
    a.add_argument("index")
    a.add_argument("out")
    a.add_argument("--first", type=int, default=0)
    a.add_argument("--count", type=int, default=2525)
    a.add_argument("--per-sheet", type=int, default=80)
    b = sub.add_parser("build")
    b.add_argument("index")
    args = ap.parse_args(argv)
    index = load(Path(args.index))
    if args.cmd == "sheets":
        sheets(index, Path(args.out), args.first, args.count, args.per_sheet)
        return 0
    return build(index)


if __name__ == "__main__":
    sys.exit(main())
