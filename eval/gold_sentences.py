"""Gold sentences for the dev sets: print labelling sheets, turn labels into verbatim spans.

A gold sentence is a sentence of a judged-relevant turn's answer that answers the query
(labelling rule in eval/README.md). Labels are written against numbered sentences, as
``rag.text.sentence_spans`` cuts the answer, and stored as verbatim spans with offsets:

    SET/sentences.jsonl   {"query_id", "turn_id", "source", "start", "end", "text"} per gold sentence
                          (text == canonical[start:end] of the source; checked by the tests)

    .venv/bin/python eval/gold_sentences.py sheet eval/paraphrase > /tmp/sheet.txt
    .venv/bin/python eval/gold_sentences.py build eval/paraphrase   # reads SET/sentences.final.tsv

``SET/sentences.final.tsv`` is the merged labels of two labellers and an adjudicator (``eval/gold_agreement.py``);
``SET/sentences.labels.tsv`` is what the first labellers wrote: ``qid<TAB>turn_id<TAB>2,3<TAB>note`` (``-`` for a
relevant turn with no answering sentence, the note says why).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gold_agreement import read_labels  # noqa: E402

from rag.eval.datasets import load_dataset  # noqa: E402
from rag.sources.files import parse_file  # noqa: E402
from rag.text import sentence_spans  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIRS = (REPO / "seeds", REPO.parent / "shared" / "corpus" / "fmprc" / "en")


def find_file(stem: str) -> Path:
    for d in CORPUS_DIRS:
        for suffix in (".txt", ".html"):
            p = d / f"{stem}{suffix}"
            if p.is_file():
                return p
    raise SystemExit(f"no transcript for {stem} in {', '.join(map(str, CORPUS_DIRS))}")


_cache: dict[str, object] = {}


def source_of(stem: str):  # noqa: ANN201 - rag.records.Source
    if stem not in _cache:
        p = find_file(stem)
        _cache[stem] = parse_file(p, p.read_bytes())
    return _cache[stem]


def turn_sentences(turn_id: str) -> tuple[object, object, list[tuple[int, int]]]:
    """(source, turn, sentence spans of its answer) for a turn id."""
    stem, n = turn_id.rsplit(":", 1)
    src = source_of(stem)
    turn = src.turns[int(n) - 1]
    if turn.turn_id != turn_id:
        raise SystemExit(f"turn id mismatch: {turn.turn_id} != {turn_id}")
    return src, turn, sentence_spans(src.canonical[turn.start:turn.end], turn.start)


def cmd_sheet(args: argparse.Namespace) -> int:
    ds = load_dataset(args.dataset)
    only = set(args.only.split(",")) if args.only else None
    for q in ds.queries:
        if only and q.qid not in only:
            continue
        print_query(q)
        for tid, rel in sorted(ds.qrels[q.qid].items()):
            if rel <= 0:
                continue
            print_turn(tid)
        print()
    return 0


def print_query(q) -> None:  # noqa: ANN001 - rag.eval.datasets.Query
    """A query as the labelling sheets show it: ``=== id  text`` and its filters, if any."""
    filt = {k: getattr(q, k) for k in ("since", "until", "spokesperson", "outlet") if getattr(q, k)}
    print(f"=== {q.qid}  {q.text}" + (f"   filters: {filt}" if filt else ""))


def print_turn(tid: str) -> None:
    """A turn as the labelling sheets show it: a header, the journalist's question, numbered sentences."""
    src, turn, spans = turn_sentences(tid)
    print(f"--- turn {tid} | {src.date} | {turn.spokesperson} | outlet: {turn.outlet} | kind: {turn.kind}")
    if turn.question:
        print(f"    Q: {' '.join(turn.question.split())}")
    for i, (s, e) in enumerate(spans, start=1):
        print(f"    [{i}] {' '.join(src.canonical[s:e].split())}")


def cmd_build(args: argparse.Namespace) -> int:
    ds = load_dataset(args.dataset)
    out: list[dict] = []
    final = Path(args.dataset) / "sentences.final.tsv"
    labels = Path(args.labels) if args.labels else final if final.is_file() else Path(args.dataset) / "sentences.labels.tsv"
    for (qid, tid), (nums, _note) in read_labels(labels).items():
        if qid not in ds.qrels or ds.qrels[qid].get(tid, 0) <= 0:
            raise SystemExit(f"{labels}: {tid} is not a relevant turn of {qid}")
        if nums is None:  # the labeller found no answering sentence in this turn (reason in the note)
            continue
        src, _turn, spans = turn_sentences(tid)
        for n in sorted(nums):
            if not 1 <= n <= len(spans):
                raise SystemExit(f"{labels}: {tid} has {len(spans)} sentences, not {n} ({qid})")
            s, e = spans[n - 1]
            out.append({"query_id": qid, "turn_id": tid, "source": src.source, "start": s, "end": e,
                        "text": src.canonical[s:e]})
    dest = Path(args.out) if args.out else Path(args.dataset) / "sentences.jsonl"
    with open(dest, "w", encoding="utf-8") as fh:
        for row in out:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    labelled = {r["query_id"] for r in out}
    print(f"{dest}: {len(out)} gold sentences for {len(labelled)} of {len(ds.queries)} queries", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("sheet", help="print each query with its relevant turns' numbered sentences")
    p.add_argument("dataset")
    p.add_argument("--only", help="comma-separated query ids")
    p = sub.add_parser("build", help="write SET/sentences.jsonl from a labels TSV")
    p.add_argument("dataset")
    p.add_argument("labels", nargs="?", help="labels TSV (default: SET/sentences.final.tsv, the merged labels of "
                   "eval/gold_agreement.py; SET/sentences.labels.tsv when there is none)")
    p.add_argument("--out", help="where to write (default: SET/sentences.jsonl)")
    args = ap.parse_args(argv)
    return {"sheet": cmd_sheet, "build": cmd_build}[args.cmd](args)


if __name__ == "__main__":
    raise SystemExit(main())
