"""Make the training pairs of the sentence head: blind-labelling sheets, then pairs.jsonl from the labels.

    .venv/bin/python eval/sentences_train/make.py sheets INDEX OUT_DIR [--first 0 --count 2525 --per-sheet 80]
    .venv/bin/python eval/sentences_train/make.py build INDEX [--labels labels.tsv --out pairs.jsonl]

Round 2 (the query map's extra pairs; README.md): ``sheets``/``collect`` with ``--units 17-30 --count 187
--per-sheet 63 --prefix L`` (long turns) and ``--again --prefix r --count 1040`` (a second query per turn, about
another point; brief BRIEF_AGAIN.md); ``collect`` appends the labellers' lines to ``labels_round2.tsv``, and
``build INDEX --labels labels_round2.tsv --out pairs_round2.jsonl`` makes its pairs.

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

from rag import records
from rag.eval.datasets import load_dataset
from rag.store import load

HERE = Path(__file__).resolve().parent
DEV_SETS = ("paraphrase", "seeds", "journalist", "threads")


def candidates(index, units: tuple[int, int] = (4, 16)) -> list:  # noqa: ANN001 - rag.store.Index
    """``(turn, source, sentence rows)`` of every eligible turn (``units``: its sentence count, inclusive), in the
    fixed random order."""
    judged = dev_turns(first=True)  # as judged when the sheets were drawn (before a re-pool): the same draw
    table = index.sentences
    rows_by_turn = chunks_by_turn(index)
    out = []
    for s in index.sources.values():
        for t in s.turns:
            if t.turn_id in judged or not t.question or t.kind != "answer":
                continue
            rows = table.rows_of(rows_by_turn.get(t.turn_id, []))
            if units[0] <= len(rows) <= units[1]:
                out.append((t, s, rows))
    random.Random(99).shuffle(out)
    return out


def chunks_by_turn(index) -> dict[str, list[int]]:  # noqa: ANN001
    """:func:`rag.records.chunks_by_turn` of the index's chunks."""
    return records.chunks_by_turn(index.chunks)


def units_of(index, turn_id: str, by_turn: dict[str, list[int]] | None = None) -> list[tuple[int, int]]:  # noqa: ANN001
    """``(start, end)`` of the turn's sentence units, in the order the sheets number them from 1."""
    table = index.sentences
    chunks = (by_turn or chunks_by_turn(index)).get(turn_id, [])
    return [(int(table.start[r]), int(table.end[r])) for r in table.rows_of(chunks)]


def items(index, first: int, count: int, per_sheet: int, units: tuple[int, int] = (4, 16),  # noqa: ANN001
          prefix: str = "s", again: bool = False) -> list[tuple[str, int, object, object, object]]:
    """``(item id, sheet number, turn, source, sentence rows)`` of the sheets these arguments draw; ``again``
    keeps only turns with an earlier query (round 2). One list for ``sheets`` and ``collect``, so a label
    always goes back to the turn its sheet showed."""
    earlier = _earlier_queries() if again else {}
    cands = [c for c in candidates(index, units) if not again or c[0].turn_id in earlier][first:first + count]
    out = []
    for n, (t, s, rows) in enumerate(cands):
        sheet = first // per_sheet + n // per_sheet + 1
        out.append((f"{prefix}{sheet}-{n % per_sheet + 1:03d}", sheet, t, s, rows))
    return out


def sheets(index, out: Path, first: int, count: int, per_sheet: int, units: tuple[int, int] = (4, 16),  # noqa: ANN001
           prefix: str = "s", again: bool = False) -> int:
    """Write the sheets. ``again``: round 2, each item also shows the query an earlier labeller wrote for the
    turn (from ``labels.tsv``), so the new query asks about another point of the answer."""
    out.mkdir(parents=True, exist_ok=True)
    earlier = _earlier_queries() if again else {}
    by_sheet: dict[int, list] = {}
    for item in items(index, first, count, per_sheet, units, prefix, again):
        by_sheet.setdefault(item[1], []).append(item)
    for sheet, its in by_sheet.items():
        with open(out / f"sheet{sheet}.md", "w", encoding="utf-8") as f:
            for item_id, _sheet, t, s, rows in its:
                f.write(f"## {item_id}\nDATE: {s.date}\nJOURNALIST'S QUESTION: {t.question[:700]}\n")
                if again:
                    f.write(f"EARLIER QUERY: {earlier[t.turn_id]}\n")
                f.write("ANSWER SENTENCES:\n")
                for k, r in enumerate(rows, start=1):
                    f.write(f"  [{k}] {s.canonical[int(index.sentences.start[r]):int(index.sentences.end[r])]}\n")
                f.write("\n")
    return 0


def collect(index, labels_dir: Path, first: int, count: int, per_sheet: int, units: tuple[int, int],  # noqa: ANN001
            prefix: str, again: bool, target: Path = HERE / "labels_round2.tsv") -> int:
    """Append the labellers' ``ITEM<TAB>QUERY<TAB>NUMBERS`` lines in ``labels_dir/labels*.tsv`` to ``target``,
    each with the turn its item showed (the items are drawn again with the same arguments)."""
    turn_of = {item_id: t.turn_id for item_id, _sheet, t, _s, _rows in
               items(index, first, count, per_sheet, units, prefix, again)}
    if not target.exists():
        target.write_text("item\tturn_id\tquery\tnumbers\n", encoding="utf-8")
    have = {row.split("\t")[0] for row in target.read_text(encoding="utf-8").splitlines()[1:]}
    new, bad = [], []
    for f in sorted(labels_dir.glob("labels*.tsv")):
        for line in f.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) != 3 or parts[0] not in turn_of or parts[0] in have:
                bad.append(f"{f.name}: {line[:60]}")
                continue
            have.add(parts[0])
            new.append("\t".join([parts[0], turn_of[parts[0]], parts[1].strip(), parts[2].strip()]))
    with open(target, "a", encoding="utf-8") as out:
        out.write("".join(row + "\n" for row in new))
    print(f"{len(new)} lines added to {target.name}; {len(bad)} not used" + "".join(f"\n  {b}" for b in bad[:20]))
    return 0


def _earlier_queries() -> dict[str, str]:
    """The first query written for each turn in ``labels.tsv`` (turns left out with ``-`` have none)."""
    earlier: dict[str, str] = {}
    for row in (HERE / "labels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        _item, turn_id, query, numbers = row.split("\t")
        if numbers.strip() != "-" and turn_id not in earlier:
            earlier[turn_id] = query
    return earlier


def dev_turns(first: bool = False) -> set[str]:
    """Every turn a dev set judges, relevant or not (``first``: as the first judging did, ``qrels/pool1.tsv`` where a
    set was re-pooled). The sheets never drew one; a dev set's later judging (the re-pool, eval/repool.py) can still find
    a training turn relevant, and then its pairs leave the training data."""
    out: set[str] = set()
    for name in DEV_SETS:
        pool1 = HERE.parent / name / "qrels" / "pool1.tsv"
        ds = load_dataset(HERE.parent / name, qrels=pool1 if first and pool1.is_file() else None)
        out |= {t for q in ds.qrels.values() for t in q}
    return out


def build(index, labels: Path = HERE / "labels.tsv", out: Path = HERE / "pairs.jsonl") -> int:  # noqa: ANN001
    lines, dashes, judged = [], 0, 0
    by_turn = chunks_by_turn(index)
    dev = dev_turns()
    for row in labels.read_text(encoding="utf-8").splitlines()[1:]:
        item, turn_id, query, numbers = row.split("\t")
        if numbers.strip() == "-":
            dashes += 1
            continue
        if turn_id in dev:
            judged += 1
            continue
        t = index.turns[turn_id]
        canon = index.sources[t.source].canonical
        units = units_of(index, turn_id, by_turn)
        numbers_ = sorted({int(x) for x in numbers.split(",")})
        if not all(1 <= k <= len(units) for k in numbers_):
            raise SystemExit(f"{labels.name}: {item}: sentence numbers {numbers} outside 1..{len(units)}")
        gold = [{"start": units[k - 1][0], "end": units[k - 1][1], "text": canon[units[k - 1][0]:units[k - 1][1]]}
                for k in numbers_]
        lines.append(json.dumps({"id": item, "query": query.strip(), "turn_id": turn_id, "source": t.source,
                                 "gold": gold}, ensure_ascii=False))
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"{len(lines)} pairs, {dashes} left out ('-'), {judged} left out (a dev set judges the turn)")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("sheets")
    c = sub.add_parser("collect", help="append labellers' lines (DIR/labels*.tsv) to labels_round2.tsv")
    for p in (a, c):
        p.add_argument("index")
        p.add_argument("out", help="the sheets' directory")
        p.add_argument("--first", type=int, default=0)
        p.add_argument("--count", type=int, default=2525)
        p.add_argument("--per-sheet", type=int, default=80)
        p.add_argument("--units", default="4-16", help="sentence count of the turns drawn, e.g. 17-30 (default 4-16)")
        p.add_argument("--prefix", default="s", help="item id prefix (round 1: s; long turns: L; second queries: r)")
        p.add_argument("--again", action="store_true", help="round 2: show each turn's earlier query")
    b = sub.add_parser("build")
    b.add_argument("index")
    b.add_argument("--labels", default=str(HERE / "labels.tsv"))
    b.add_argument("--out", default=str(HERE / "pairs.jsonl"))
    args = ap.parse_args(argv)
    index = load(Path(args.index))
    if args.cmd in ("sheets", "collect"):
        lo, hi = (int(x) for x in args.units.split("-"))
        run = sheets if args.cmd == "sheets" else collect
        return run(index, Path(args.out), args.first, args.count, args.per_sheet, (lo, hi), args.prefix, args.again)
    return build(index, Path(args.labels), Path(args.out))


if __name__ == "__main__":
    sys.exit(main())
