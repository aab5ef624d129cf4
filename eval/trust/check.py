"""Score the trust set (issue 15): does the FIRST quote of each answer answer the question?

Every question of ``eval/trust/queries.jsonl`` goes through the library's public ask path
(``rag.answer.ask(retriever, question, k=10, filters=make_filters(...))``), exactly as
``rag ask --json`` would answer it, and gets one verdict by its ``expect``:

* ``quote``: pass when the first citation overlaps a gold sentence of the question
  (``sentences.jsonl``: same source, character spans intersect); for ``kind == "spokesperson"``
  the first citation must also be from the spokesperson named in the question.
* ``not in the archive``: pass when the answer text says "not in the archive" (any case) and no
  citation is dated outside the period the question asks about (``period``; undated counts as outside).
* ``warning``: pass when the answer JSON has a non-empty ``"warnings"`` list (absent key = fail).

Only the ``rag`` package on ``sys.path`` decides the answers, so the same script measures the code
before and after a change (run from the repository root)::

    PYTHONPATH=/tmp/old15 .venv/bin/python eval/trust/check.py --index /tmp/s3/full --out eval/results/trust/before
    .venv/bin/python eval/trust/check.py --index /tmp/s3/full --out eval/results/trust/after

``--out DIR`` writes ``results.jsonl`` (one line per question: question, kind, verdict, reason,
first quote with its date, spokesperson, outlet and turn) and ``summary.md`` (pass rate by kind,
then every failure). Without ``--out`` the summary is printed only.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("topic", "spokesperson", "outlet", "time", "archive", "procedural", "filters")
ARCHIVE_PHRASE = "not in the archive"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_qrels(path: Path) -> dict[str, set[str]]:
    """``{query id: judged turn ids}`` (relevant or not) from the set's BEIR qrels (header line skipped)."""
    out: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) == 3 and row[0] != "query-id":
                out.setdefault(row[0], set()).add(row[1])
    return out


def turn_of(index, source: str, start: int) -> str | None:  # noqa: ANN001 - rag.store.Index
    """The id of the turn of ``source`` whose span holds offset ``start`` (None if none does)."""
    src = index.sources.get(source)
    for t in getattr(src, "turns", ()) if src else ():
        if t.start <= start < t.end:
            return t.turn_id
    return None


def overlaps(c: dict, g: dict) -> bool:
    return c["source"] == g["source"] and c["start"] < g["end"] and g["start"] < c["end"]


def judge(q: dict, answer: dict, gold: list[dict], judged: set[str], first_turn: str | None) -> tuple[bool, str]:
    """``(passed, reason)`` for one question's answer (``reason`` says why it failed, or what passed)."""
    cites = answer.get("citations") or []
    expect = q["expect"]
    if expect == "warning":
        warns = answer.get("warnings")
        if isinstance(warns, list) and warns:
            return True, f"warning: {warns[0]}"
        return False, "no 'warnings' key" if warns is None else "empty 'warnings'"
    if expect == ARCHIVE_PHRASE:
        lo, hi = q["period"]["since"], q["period"]["until"]
        outside = [c for c in cites if not c.get("date") or not lo <= c["date"] <= hi]
        said = ARCHIVE_PHRASE in (answer.get("answer") or "").lower()
        if said and not outside:
            return True, "says not in the archive, quotes nothing from outside the period"
        why = [] if said else ["does not say 'not in the archive'"]
        if outside:
            why.append(f"{len(outside)} quote(s) from outside {lo}..{hi} (first: {outside[0].get('date')})")
        return False, "; ".join(why)
    if not cites:
        return False, "no quote"
    first = cites[0]
    named = q.get("named_spokesperson")
    if named and first.get("spokesperson") != named:
        return False, f"first quote is by {first.get('spokesperson')}, not {named}"
    if any(overlaps(first, g) for g in gold):
        return True, "first quote overlaps a gold sentence"
    if first_turn in judged:
        return False, f"first quote is from a judged turn ({first_turn}) but is not a gold sentence"
    return False, f"first quote is from an unjudged turn ({first_turn})"


def short(text: str | None, n: int = 300) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def summary_md(rows: list[dict], meta: dict) -> str:
    by_kind: dict[str, Counter] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], Counter())[r["verdict"]] += 1
    lines = ["# Trust set: does the first quote answer the question?", "",
             f"- code: `{meta['rag']}`", f"- index: `{meta['index']}` ({meta['sources']} transcripts)",
             f"- run: {meta['when']}, k={meta['k']}, {meta['seconds']:.0f} s for {len(rows)} questions", "",
             "| kind | questions | pass | share |", "|---|---:|---:|---:|"]
    for kind in [k for k in KINDS if k in by_kind] + sorted(set(by_kind) - set(KINDS)):
        c = by_kind[kind]
        n = sum(c.values())
        lines.append(f"| {kind} | {n} | {c['pass']} | {c['pass'] / n:.2f} |")
    n, p = len(rows), sum(r["verdict"] == "pass" for r in rows)
    lines += [f"| **all** | {n} | {p} | {p / n:.2f} |", "", "By expected behaviour:", "",
              "| expect | questions | pass |", "|---|---:|---:|"]
    for expect in ("quote", ARCHIVE_PHRASE, "warning"):
        sel = [r for r in rows if r["expect"] == expect]
        if sel:
            lines.append(f"| {expect} | {len(sel)} | {sum(r['verdict'] == 'pass' for r in sel)} |")
    lines += ["", "## Failures", ""]
    for r in rows:
        if r["verdict"] != "pass":
            fq = r["first_quote"]
            where = f" — first quote ({fq['date']}, {fq['spokesperson']}, {fq['turn_id']}): “{short(fq['quote'], 160)}”" \
                if fq else ""
            lines.append(f"- **{r['id']}** [{r['kind']}] {r['question']} — {r['reason']}{where}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="index directory (e.g. /tmp/s3/full)")
    ap.add_argument("--set", default=str(HERE), help="the set folder (default: this script's folder)")
    ap.add_argument("--out", help="write results.jsonl and summary.md here")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--only", help="comma-separated question ids")
    args = ap.parse_args(argv)

    import rag
    from rag import store
    from rag.answer import ask
    from rag.embedding import Embedder
    from rag.retrieval import Retriever, make_filters

    set_dir = Path(args.set)
    queries = read_jsonl(set_dir / "queries.jsonl")
    qrels = read_qrels(set_dir / "qrels" / "test.tsv")
    gold: dict[str, list[dict]] = {}
    for g in read_jsonl(set_dir / "sentences.jsonl"):
        gold.setdefault(g["query_id"], []).append(g)
    only = set(args.only.split(",")) if args.only else None

    index = store.load(Path(args.index))
    retriever = Retriever(index, Embedder())
    started = time.time()
    rows = []
    for q in queries:
        if only and q["_id"] not in only:
            continue
        filters = make_filters(q.get("since"), q.get("until"), q.get("spokesperson"), q.get("outlet"))
        answer = ask(retriever, q["text"], k=args.k, filters=filters)
        cites = answer.get("citations") or []
        first = cites[0] if cites else None
        first_turn = turn_of(index, first["source"], first["start"]) if first else None
        passed, reason = judge(q, answer, gold.get(q["_id"], []), qrels.get(q["_id"], set()), first_turn)
        rows.append({
            "id": q["_id"], "kind": q["kind"], "expect": q["expect"], "question": q["text"],
            "filters": {k: q[k] for k in ("since", "until", "spokesperson", "outlet") if q.get(k)},
            "verdict": "pass" if passed else "fail", "reason": reason,
            "first_quote": None if first is None else {
                "quote": first["quote"], "date": first.get("date"), "spokesperson": first.get("spokesperson"),
                "outlet": first.get("outlet"), "source": first["source"], "start": first["start"],
                "end": first["end"], "turn_id": first_turn},
            "citations": len(cites), "found": answer.get("found"),
            "warnings": answer.get("warnings"), "answer": short(answer.get("answer"), 400),
        })
        print(f"{q['_id']} {rows[-1]['verdict']:4} [{q['kind']}] {reason}", file=sys.stderr, flush=True)

    meta = {"rag": str(Path(rag.__file__).resolve().parent), "index": args.index, "sources": len(index.sources),
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "k": args.k,
            "seconds": time.time() - started}
    md = summary_md(rows, meta)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "results.jsonl", "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        (out / "summary.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
