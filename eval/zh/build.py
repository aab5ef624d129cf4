"""Build and check the Chinese dev set (eval/zh) from the hand-written judgments in ``labels.tsv``.

``labels.tsv`` is the record of judging: one line per query and judged turn, ``query-id, turn-id, grade,
sentences, note``. Grade 1 = the turn answers the query, 0 = read and judged not relevant. ``sentences`` are
the numbers (1-based) of the gold sentences of a relevant turn's answer, as ``rag.text.sentence_spans`` cuts
it, e.g. ``2,4``. From it ``build`` writes the files ``rag eval`` reads (BEIR layout, see eval/README.md):

    qrels/test.tsv     query-id, corpus-id, score (1 and 0)
    turns.tsv          turn_id, sha1(answer)[:12] of every judged turn
    sentences.jsonl    {"query_id", "turn_id", "source", "start", "end", "text"}: canonical[start:end] == text

and ``check`` re-parses the Chinese pages and verifies everything (ids exist, fingerprints, gold sentences
verbatim and inside their turn's answer, every query has a relevant turn)::

    .venv/bin/python eval/zh/build.py build
    .venv/bin/python eval/zh/build.py check
    .venv/bin/python eval/zh/build.py stats   # the distribution tables of README.md

A labels line, and the sentence it stands for:

    z001<TAB>t1453110:2<TAB>1<TAB>2,4<TAB>   ->  "据初步了解，受伤害的是一名越南裔美国公民。" and sentence 4
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rag.eval.datasets import fingerprint, load_dataset, read_sentences  # noqa: E402
from rag.records import Source  # noqa: E402
from rag.sources.files import parse_file  # noqa: E402
from rag.text import sentence_spans  # noqa: E402

SET = Path(__file__).resolve().parent
REPO = SET.parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
# The older site (fmprc.gov.cn, Nov 2016 - Jul 2020) and the newer one (www.mfa.gov.cn, Sep 2020 - Apr 2024).
CORPUS_DIRS = {"fmprc": CORPUS / "fmprc" / "zh", "mfa": CORPUS / "mfa" / "zh"}
SPOKESPERSONS = {"Lu Kang": "陆慷", "Geng Shuang": "耿爽", "Hua Chunying": "华春莹", "Zhao Lijian": "赵立坚",
                 "Wang Wenbin": "汪文斌", "Mao Ning": "毛宁", "Lin Jian": "林剑"}

_sources: dict[str, tuple[str, Source]] = {}


def source_of(stem: str) -> tuple[str, Source]:
    """``(layout, parsed page)`` of a page stem such as ``t20210112_7817066``; SystemExit when absent."""
    if stem not in _sources:
        for layout, folder in CORPUS_DIRS.items():
            path = folder / f"{stem}.html"
            if path.is_file():
                _sources[stem] = (layout, parse_file(path, path.read_bytes()))
                break
        else:
            raise SystemExit(f"no Chinese page {stem}.html in {', '.join(map(str, CORPUS_DIRS.values()))}")
    return _sources[stem]


def turn_of(turn_id: str):  # noqa: ANN201 - (layout, Source, Turn)
    stem, n = turn_id.rsplit(":", 1)
    layout, src = source_of(stem)
    if not n.isdigit() or not 1 <= int(n) <= len(src.turns) or src.turns[int(n) - 1].turn_id != turn_id:
        raise SystemExit(f"{turn_id}: no such turn (the page has {len(src.turns)} turns)")
    return layout, src, src.turns[int(n) - 1]


def read_labels(path: Path = SET / "labels.tsv") -> list[dict]:
    """The judgments, one dict per line; SystemExit naming a malformed line."""
    rows, seen = [], set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if lineno == 1 or not line.strip():
            continue  # header
        parts = line.split("\t")
        if len(parts) != 5 or parts[2] not in ("0", "1"):
            raise SystemExit(f"{path}:{lineno}: expected query, turn, grade 0/1, sentences, note")
        qid, tid, grade, sents, note = parts
        if (qid, tid) in seen:
            raise SystemExit(f"{path}:{lineno}: {qid} {tid} judged twice")
        seen.add((qid, tid))
        numbers = [int(x) for x in sents.split(",")] if sents not in ("", "-") else []
        if grade == "1" and sents == "":
            raise SystemExit(f"{path}:{lineno}: a relevant turn needs its gold sentence numbers (or '-')")
        if grade == "0" and numbers:
            raise SystemExit(f"{path}:{lineno}: gold sentences on a turn judged not relevant")
        rows.append({"qid": qid, "turn": tid, "grade": int(grade), "sentences": numbers, "note": note})
    return rows


def gold_sentences(row: dict) -> list[dict]:
    """The labelled sentences of one relevant judgment as verbatim spans of the page's canonical text."""
    _, src, turn = turn_of(row["turn"])
    spans = sentence_spans(src.canonical[turn.start:turn.end], turn.start)
    out = []
    for k in row["sentences"]:
        if not 1 <= k <= len(spans):
            raise SystemExit(f"{row['qid']} {row['turn']}: sentence {k} of {len(spans)}")
        start, end = spans[k - 1]
        out.append({"query_id": row["qid"], "turn_id": row["turn"], "source": src.source,
                    "start": start, "end": end, "text": src.canonical[start:end]})
    return out


def longest_shared_run(query: str, texts: list[str]) -> str:
    """The longest run of the query's characters (spaces dropped) found verbatim in one of ``texts``.

    >>> longest_shared_run("中方 怎么看 萨德", ["中方坚决反对萨德部署"])
    '中方'
    """
    q, best = query.replace(" ", ""), ""
    for i in range(len(q)):
        j = i + len(best) + 1
        while j <= len(q) and any(q[i:j] in t for t in texts):
            best, j = q[i:j], j + 1
    return best


def build() -> None:
    rows = read_labels()
    with open(SET / "qrels" / "test.tsv", "w", encoding="utf-8") as fh:
        fh.write("query-id\tcorpus-id\tscore\n")
        for r in rows:
            fh.write(f"{r['qid']}\t{r['turn']}\t{r['grade']}\n")
    with open(SET / "turns.tsv", "w", encoding="utf-8") as fh:
        fh.write("turn_id\tsha1_answer_12\n")
        for tid in sorted({r["turn"] for r in rows}):
            fh.write(f"{tid}\t{fingerprint(turn_of(tid)[2].text)}\n")
    with open(SET / "sentences.jsonl", "w", encoding="utf-8") as fh:
        for r in rows:
            for g in gold_sentences(r) if r["grade"] else []:
                fh.write(json.dumps(g, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} judgments, {len({r['turn'] for r in rows})} judged turns")


def check() -> None:
    """Every claim the set makes, re-derived from the pages; exit 1 listing the problems."""
    problems = []
    ds = load_dataset(SET)  # the loader rag eval uses: queries, qrels, fingerprints, sentences
    if ds.skipped:
        problems.append(f"queries without a relevant turn: {ds.skipped}")
    judged = {d for docs in ds.qrels.values() for d in docs}
    if set(ds.fingerprints) != judged:
        problems.append("turns.tsv does not list exactly the judged turns")
    for tid, fp in ds.fingerprints.items():
        if fingerprint(turn_of(tid)[2].text) != fp:
            problems.append(f"{tid}: answer text changed since judging")
    gold = read_sentences(SET / "sentences.jsonl", {q.qid for q in ds.queries})
    for qid, sents in gold.items():
        for g in sents:
            _, src, turn = turn_of(g.turn_id)
            if src.source != g.source or src.canonical[g.start:g.end] != g.text:
                problems.append(f"{qid} {g.turn_id}: gold sentence not verbatim at {g.start}-{g.end}")
            if not (turn.start <= g.start and g.end <= turn.end) or g.text not in turn.text:
                problems.append(f"{qid} {g.turn_id}: gold sentence outside the turn's answer")
            if ds.qrels.get(qid, {}).get(g.turn_id) != 1:
                problems.append(f"{qid} {g.turn_id}: gold sentence on a turn not judged relevant")
    for r in read_labels():
        if r["grade"] and r["sentences"] and not any(g.turn_id == r["turn"] for g in gold.get(r["qid"], [])):
            problems.append(f"{r['qid']} {r['turn']}: labelled sentences missing from sentences.jsonl")
    for q in ds.queries:
        if not q.notes:
            problems.append(f"{q.qid}: no notes")
    n_gold = sum(len(v) for v in gold.values())
    if problems:
        raise SystemExit("\n".join(problems))
    print(f"ok: {len(ds.queries)} queries, {sum(len(v) for v in ds.qrels.values())} judgments on {len(judged)} "
          f"turns, {n_gold} gold sentences, all verbatim")


def stats() -> None:
    """Markdown tables: queries by layout/year/spokesperson/kind, and relevant pairs by layout/year/spokesperson."""
    ds = load_dataset(SET)
    rel = [(q, d) for q, docs in ds.qrels.items() for d, g in docs.items() if g > 0]
    seeds = {q.qid: q.notes.split("from turn ")[1].split(" ")[0] for q in ds.queries}

    def meta(tid: str) -> tuple[str, str, str]:
        layout, src, turn = turn_of(tid)
        return layout, (src.date or "????")[:4], SPOKESPERSONS.get(turn.spokesperson or "", "(unnamed)")

    def table(title: str, counts: collections.Counter, pairs: collections.Counter | None = None) -> None:
        print(f"\n| {title} | queries |" + (" relevant pairs |" if pairs is not None else ""))
        print("|---|---:|" + ("---:|" if pairs is not None else ""))
        for k in sorted(set(counts) | set(pairs or {})):
            print(f"| {k} | {counts[k]} |" + (f" {pairs[k]} |" if pairs is not None else ""))

    for i, title in enumerate(("layout", "year", "spokesperson")):
        table(title, collections.Counter(meta(seeds[q.qid])[i] for q in ds.queries),
              collections.Counter(meta(d)[i] for _, d in rel))
    def kind(notes: str) -> str:  # "question; time phrase: 2019年5月; spokesperson named: none; ..."
        style, time, name = (part.split(": ")[-1] for part in notes.split("; ")[:3])
        extras = [w for w, v in (("time phrase", time), ("spokesperson named", name)) if v != "none"]
        return f"{style}" + (" + " + " + ".join(extras) if extras else "")

    table("kind", collections.Counter(kind(q.notes) for q in ds.queries))
    runs = sorted((len(longest_shared_run(q.text, [p for d in ds.qrels[q.qid] if ds.qrels[q.qid][d] > 0
                                                   for p in (turn_of(d)[2].question or "", turn_of(d)[2].text)])), q.qid)
                  for q in ds.queries)
    print(f"\nlongest run of characters a query shares with a relevant turn's question or answer: median "
          f"{runs[len(runs) // 2][0]}, max {runs[-1][0]} ({runs[-1][1]}); >= 10 characters: "
          f"{', '.join(qid for n, qid in runs if n >= 10)}")
    per_q = sorted(collections.Counter(q for q, _ in rel).values())
    print(f"\nrelevant turns per query: min {per_q[0]}, median {per_q[len(per_q) // 2]}, max {per_q[-1]}; "
          f"{sum(1 for x in per_q if x > 1)} queries with several; "
          f"{sum(g == 0 for docs in ds.qrels.values() for g in docs.values())} grade-0 judgments")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=("build", "check", "stats"))
    {"build": build, "check": check, "stats": stats}[ap.parse_args(argv).command]()


if __name__ == "__main__":
    main()
