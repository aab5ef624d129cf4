"""Re-pool a dev set: judge the turns today's systems rank high that the first judging never saw.

The paraphrase qrels were judged once, from pools of the top 4 turns of the systems as they were then
(eval/README.md). The ask path has changed since; a turn it now ranks first and nobody judged counts as
not relevant, whatever it says. This script pools what today's systems put in front of a reader, has it judged
blind by two judges with the same rule, and merges the judgments into the set:

    .venv/bin/python eval/repool.py pool eval/paraphrase --index INDEX      # SET/repool/candidates.tsv
    .venv/bin/python eval/repool.py sheets eval/paraphrase --out DIR        # judging sheets (blind, shuffled)
    .venv/bin/python eval/repool.py disputes eval/paraphrase > adj.txt      # what the two judges disagree on
    .venv/bin/python eval/repool.py merge eval/paraphrase                   # qrels, fingerprints, labels

**Pool.** For each query, every turn the ask path (``rag ask``) ranks in its top ``--depth`` (3: the turns a
reader's quotes can come from) plus the top turn of each turn-level system (bm25, dense, hybrid, naive), minus
the turns already judged relevant. The first judging kept no record of the turns it found not relevant, so a few
candidates were read once before.

**Judging** (``SET/repool/BRIEF.md``, word for word what the judges read): relevance yes/no and, for a relevant
turn, its gold sentences by the labelling rule of the set. Two judges, each on every candidate, blind (never the
system's ranks, the other judge or the earlier labels): ``judge_a.tsv``, ``judge_b.tsv``, lines
``qid<TAB>turn_id<TAB>yes|no<TAB>2,3 or -<TAB>note``. A third person decided, blind, every relevance the two
disagree on (``adjudicated.tsv``: ``qid<TAB>turn_id<TAB>R<TAB>yes|no<TAB>note``) and every gold sentence they
disagree on in a turn found relevant (same file, the sentence number instead of ``R``).

**Merge.** A candidate is relevant when both judges say so or the adjudicator does. The set's first judgments
stay in ``SET/qrels/pool1.tsv`` (``rag eval SET --qrels SET/qrels/pool1.tsv`` gives the numbers before the
re-pool); ``qrels/test.tsv`` becomes them plus the new relevant turns; ``turns.tsv`` gets their fingerprints; their
sentence labels are appended to ``sentences.labels.tsv`` (judge A), ``sentences.labels2.tsv`` (judge B, ``-`` when B
found the turn not relevant) and the sentence decisions to ``sentences.adjudicated.tsv``, each after a marker line
(merge is idempotent). Then ``eval/gold_agreement.py merge SET`` and ``eval/gold_sentences.py build SET`` as usual,
and ``eval/sentences_train/make.py build`` (the training pairs leave out every turn a dev set judges: a new relevant
turn that was a training turn leaves the training data, and the sentence models are trained again).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

MARK = "# --- re-pool (eval/repool.py merge): everything below is rewritten by it ---"
SEED = 20261206
TRAIN = Path(__file__).resolve().parent / "sentences_train"


def read_tsv(path: Path, width: int) -> list[tuple[int, list[str]]]:
    """``(line number, fields)`` of each line that is not blank or a ``#`` comment."""
    out = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < width:
            raise SystemExit(f"{path}:{no}: expected {width} tab-separated fields, got {len(parts)}")
        out.append((no, parts))
    return out


def read_judge(path: Path) -> dict[tuple[str, str], tuple[bool, str, str]]:
    """``{(qid, turn): (relevant, numbers or "-", note)}``; SystemExit names a bad line."""
    out = {}
    for no, parts in read_tsv(path, 4):
        rel, key = parts[2].lower(), (parts[0], parts[1])
        if rel not in ("yes", "no"):
            raise SystemExit(f"{path}:{no}: relevance must be yes or no, not {parts[2]!r}")
        nums = parts[3] if rel == "yes" else "-"
        if nums != "-" and not all(x.strip().isdigit() for x in nums.split(",")):
            raise SystemExit(f"{path}:{no}: sentence numbers must be like 2,3 or -, not {nums!r}")
        if key in out:
            raise SystemExit(f"{path}:{no}: {key[0]} {key[1]} judged twice")
        out[key] = (rel == "yes", nums, parts[4] if len(parts) > 4 else "")
    return out


def cmd_pool(args: argparse.Namespace) -> int:
    from pool import system_pool

    from rag import store
    from rag.answer import answer_question
    from rag.embedding import MODEL_NAME, Embedder
    from rag.eval.datasets import load_dataset
    from rag.eval.naive import NaiveRetriever
    from rag.retrieval import Retriever

    first = Path(args.dataset) / "qrels" / "pool1.tsv"  # after a merge: pool against the first judgments again
    ds = load_dataset(args.dataset, qrels=first if first.is_file() else None)
    index = store.load(Path(args.index), model=MODEL_NAME)
    enc = Embedder("fp32")
    retr, naive = Retriever(index, enc), NaiveRetriever(index.sources, enc)
    lines = [f"# qid<TAB>turn_id<TAB>where it was ranked (a: ask path, b/d/h/n: bm25/dense/hybrid/naive); "
             f"depth {args.depth}, index {args.index}"]
    for q in ds.queries:
        found: dict[str, list[str]] = {}
        for i, h in enumerate(answer_question(retr, q.text, filters=q.filters()).hits[:args.depth], start=1):
            found.setdefault(h.turn_id, []).append(f"a{i}")
        system_pool(retr, naive, q, 1, found)
        lines += [f"{q.qid}\t{t}\t{' '.join(tags)}" for t, tags in found.items() if ds.qrels[q.qid].get(t, 0) <= 0]
    out = Path(args.dataset) / "repool" / "candidates.tsv"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: {len(lines) - 1} candidates", file=sys.stderr)
    return 0


def candidates(dataset: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for _no, parts in read_tsv(Path(dataset) / "repool" / "candidates.tsv", 2):
        out.setdefault(parts[0], []).append(parts[1])
    return out


def cmd_sheets(args: argparse.Namespace) -> int:
    """The candidates of each query in a seeded random order (never the systems' order), cut into slices."""
    from gold_sentences import print_query, print_turn

    from rag.eval.datasets import load_dataset

    ds = load_dataset(args.dataset)
    cand = candidates(args.dataset)
    rng = random.Random(SEED)
    for v in cand.values():
        rng.shuffle(v)
    qids = [q.qid for q in ds.queries if q.qid in cand]
    total, n, cur = sum(len(cand[q]) for q in qids), 0, 0
    slices: list[list[str]] = [[] for _ in range(args.slices)]
    for q in qids:
        if n >= total * (cur + 1) / args.slices and cur < args.slices - 1:
            cur += 1
        slices[cur].append(q)
        n += len(cand[q])
    byid = {q.qid: q for q in ds.queries}
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for i, sl in enumerate(slices, start=1):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            for qid in sl:
                print_query(byid[qid])
                for t in cand[qid]:
                    print_turn(t)
                print()
        (Path(args.out) / f"sheet{i}.txt").write_text(buf.getvalue(), encoding="utf-8")
        print(f"sheet{i}.txt: {len(sl)} queries, {sum(len(cand[q]) for q in sl)} candidates", file=sys.stderr)
    return 0


def _judges(dataset: str) -> tuple[dict, dict]:
    d = Path(dataset) / "repool"
    a, b = read_judge(d / "judge_a.tsv"), read_judge(d / "judge_b.tsv")
    want = {(q, t) for q, ts in candidates(dataset).items() for t in ts}
    for name, j in (("judge_a.tsv", a), ("judge_b.tsv", b)):
        if set(j) != want:
            miss = sorted(want - set(j)) or sorted(set(j) - want)
            raise SystemExit(f"{d / name} does not cover exactly the candidates, e.g. {miss[0]}")
    return a, b


def _nums(s: str) -> set[int]:
    return set() if s == "-" else {int(x) for x in s.split(",") if x.strip()}


def read_adjudicated(path: Path, a: dict, b: dict) -> dict[tuple[str, str, str], bool]:
    """``{(qid, turn, "R" or sentence number): kept}``. Only disputes may be decided: a relevance the judges agree
    on, or a sentence of a turn neither judge found relevant, is refused with its line. (A sentence of a turn whose
    relevance was disputed is decided as if it were relevant, and counts only if the turn is kept.)"""
    out: dict[tuple[str, str, str], bool] = {}
    if not path.is_file():
        return out
    for no, parts in read_tsv(path, 4):
        key, what = (parts[0], parts[1]), parts[2].upper()
        if parts[3].lower() not in ("yes", "no") or not (what == "R" or what.isdigit()):
            raise SystemExit(f"{path}:{no}: expected qid<TAB>turn_id<TAB>R or a sentence number<TAB>yes|no[<TAB>note]")
        if key not in a:
            raise SystemExit(f"{path}:{no}: {key[0]} {key[1]} is not a candidate")
        (ra, na, _), (rb, nb, _) = a[key], b[key]
        disputed = ra != rb if what == "R" else (ra or rb) and int(what) in _nums(na) ^ _nums(nb)
        if not disputed:
            raise SystemExit(f"{path}:{no}: {key[0]} {key[1]} {what} is not disputed by the judges")
        out[(*key, what)] = parts[3].lower() == "yes"
    return out


def cmd_disputes(args: argparse.Namespace) -> int:
    """The adjudication sheet: relevance disputes (DECIDE R) and, for a turn either judge found relevant, the
    sentences one judge marked and the other did not (DECIDE n, ...)."""
    from gold_agreement import print_decisions

    from rag.eval.datasets import load_dataset

    a, b = _judges(args.dataset)
    todo = {}
    for key in a:
        (ra, na, _), (rb, nb, _) = a[key], b[key]
        items = ([] if ra == rb else ["R"]) + [str(n) for n in sorted(_nums(na) ^ _nums(nb))]
        if (ra or rb) and items:
            todo[key] = items
    print_decisions(todo, {q.qid: q.text for q in load_dataset(args.dataset).queries})
    return 0


def _rewrite(path: Path, lines: list[str]) -> None:
    old = path.read_text(encoding="utf-8").split(MARK)[0].rstrip("\n") if path.is_file() else ""
    path.write_text((old + "\n" if old else "") + MARK + "\n" + "".join(f"{x}\n" for x in lines), encoding="utf-8")


def cmd_merge(args: argparse.Namespace) -> int:
    from gold_sentences import turn_sentences

    from rag.eval.datasets import fingerprint

    d = Path(args.dataset)
    a, b = _judges(args.dataset)
    adj = read_adjudicated(d / "repool" / "adjudicated.tsv", a, b)
    new, labels_a, labels_b, decided = [], [], [], []
    for key in a:
        (ra, na, note_a), (rb, nb, note_b) = a[key], b[key]
        if ra != rb and (*key, "R") not in adj:
            raise SystemExit(f"relevance of {key[1]} for {key[0]} is disputed and not adjudicated")
        if not (adj[(*key, "R")] if ra != rb else ra):
            continue
        new.append(key)
        n_sent = len(turn_sentences(key[1])[2])
        bad = [n for n in _nums(na if ra else "-") | _nums(nb if rb else "-") if not 1 <= n <= n_sent]
        if bad:
            raise SystemExit(f"{key[1]} has {n_sent} sentences, not {bad[0]} ({key[0]}, judges' labels)")
        labels_a.append(f"{key[0]}\t{key[1]}\t{na if ra else '-'}\t{note_a if ra else 'judged not relevant'}")
        labels_b.append(f"{key[0]}\t{key[1]}\t{nb if rb else '-'}\t{note_b if rb else 'judged not relevant'}")
        for n in sorted(_nums(na if ra else "-") ^ _nums(nb if rb else "-")):
            if (*key, str(n)) not in adj:
                raise SystemExit(f"sentence {n} of {key[1]} for {key[0]} is disputed and not adjudicated")
            decided.append(f"{key[0]}\t{key[1]}\t{n}\t{'yes' if adj[(*key, str(n))] else 'no'}\trepool")
    pool1 = d / "qrels" / "pool1.tsv"
    if not pool1.is_file():
        if MARK in (d / "turns.tsv").read_text(encoding="utf-8"):
            raise SystemExit(f"{pool1} is missing but {d / 'turns.tsv'} was merged already: restore pool1.tsv (the "
                             "first judgments) from git before merging again")
        pool1.write_text((d / "qrels" / "test.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    first = pool1.read_text(encoding="utf-8").rstrip("\n")
    (d / "qrels" / "test.tsv").write_text(first + "\n" + "".join(f"{q}\t{t}\t1\n" for q, t in new), encoding="utf-8")
    trained = set()
    for f in ("pairs.jsonl", "pairs_round2.jsonl"):
        trained |= {json.loads(x)["turn_id"] for x in (TRAIN / f).read_text(encoding="utf-8").splitlines()}
    fps = [f"{t}\t{fingerprint(turn_sentences(t)[1].text)}" for t in sorted({t for _, t in new})]
    first_fps = (d / "turns.tsv").read_text(encoding="utf-8").split(MARK)[0] if (d / "turns.tsv").is_file() else ""
    have = {x.split("\t")[0] for x in first_fps.splitlines() if x.strip() and not x.startswith("#")}
    _rewrite(d / "turns.tsv", [x for x in fps if x.split("\t")[0] not in have])
    _rewrite(d / "sentences.labels.tsv", labels_a)
    _rewrite(d / "sentences.labels2.tsv", labels_b)
    _rewrite(d / "sentences.adjudicated.tsv", decided)
    print(f"{len(new)} new relevant (query, turn) pairs on {len({t for _, t in new})} turns, "
          f"{sum(t in trained for _, t in new)} of them in the sentence models' training pairs "
          f"(rebuild them: eval/sentences_train/make.py build); "
          f"{len(decided)} sentence decisions", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pool", help="write SET/repool/candidates.tsv")
    p.add_argument("dataset")
    p.add_argument("--index", required=True)
    p.add_argument("--depth", type=int, default=3, help="top turns of the ask path taken (default 3)")
    p = sub.add_parser("sheets", help="judging sheets of the candidates")
    p.add_argument("dataset")
    p.add_argument("--out", required=True)
    p.add_argument("--slices", type=int, default=4)
    for name in ("disputes", "merge"):
        sub.add_parser(name).add_argument("dataset")
    args = ap.parse_args(argv)
    return {"pool": cmd_pool, "sheets": cmd_sheets, "disputes": cmd_disputes, "merge": cmd_merge}[args.cmd](args)


if __name__ == "__main__":
    raise SystemExit(main())
