"""Second labeller, agreement and adjudication for the gold sentences (eval/README.md, "Gold sentences").

The first labels were one labeller per query. A second labeller labelled every query again, blind
(same sheet, same rule word for word, never the first labels or the search's output); a third person
decided, blind too, every sentence the two disagree on. The gold is what both labelled plus what the
adjudicator kept:

    SET/sentences.labels.tsv        labeller A   qid<TAB>turn_id<TAB>2,3<TAB>note   (- : no answering sentence)
    SET/sentences.labels2.tsv       labeller B   same format
    SET/sentences.adjudicated.tsv   qid<TAB>turn_id<TAB>sentence<TAB>yes|no<TAB>note, one line per disputed sentence
    SET/sentences.final.tsv         the merged labels (written by ``merge``; ``gold_sentences.py build`` reads it)

    .venv/bin/python eval/gold_agreement.py agree eval/paraphrase        # agreement numbers
    .venv/bin/python eval/gold_agreement.py sheet eval/paraphrase > s.txt  # the disputed sentences, to adjudicate
    .venv/bin/python eval/gold_agreement.py merge eval/paraphrase        # writes sentences.final.tsv

Agreement is Cohen's kappa over every sentence of every (query, turn) pair both labelled, each sentence
one yes/no item:

    >>> round(kappa([(True, True), (False, False), (True, False), (False, False)]), 3)  # po 3/4, pe 1/2 · 1/4 + 1/2 · 3/4
    0.5
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

Pair = tuple[str, str]  # (query id, turn id)
Labels = dict[Pair, tuple[frozenset[int] | None, str]]  # None: "-", no answering sentence


def read_labels(path: Path) -> Labels:
    """``{(qid, turn): (sentence numbers or None for "-", note)}`` in file order; SystemExit names a bad line."""
    out: Labels = {}
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            raise SystemExit(f"{path}:{no}: expected qid<TAB>turn_id<TAB>sentence numbers[<TAB>note]")
        key, nums = (parts[0].strip(), parts[1].strip()), parts[2].strip()
        if key in out:
            raise SystemExit(f"{path}:{no}: {key[0]} {key[1]} labelled twice")
        try:
            val = None if nums == "-" else frozenset(int(x) for x in nums.split(",") if x.strip())
        except ValueError:
            raise SystemExit(f"{path}:{no}: sentence numbers must be like 2,3 or -, not {nums!r}") from None
        out[key] = (val, parts[3].strip() if len(parts) > 3 else "")
    return out


def kappa(items: list[tuple[bool, bool]]) -> float:
    """Cohen's kappa of two raters' yes/no over the same items (1.0 when both agree on everything)."""
    n = len(items)
    if not n:
        return float("nan")
    po = sum(a == b for a, b in items) / n
    pa, pb = sum(a for a, _ in items) / n, sum(b for _, b in items) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def disputed(a: Labels, b: Labels) -> dict[Pair, list[int]]:
    """Sentences one labeller marked gold and the other did not, per pair both labelled (sorted)."""
    out = {}
    for key in a:
        if key in b:
            sa, sb = a[key][0] or frozenset(), b[key][0] or frozenset()
            if sa ^ sb:
                out[key] = sorted(sa ^ sb)
    return out


def read_adjudicated(path: Path) -> dict[tuple[str, str, int], bool]:
    out = {}
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < 4 or parts[3].lower() not in ("yes", "no") or not parts[2].isdigit():
            raise SystemExit(f"{path}:{no}: expected qid<TAB>turn_id<TAB>sentence<TAB>yes|no[<TAB>note]")
        out[(parts[0], parts[1], int(parts[2]))] = parts[3].lower() == "yes"
    return out


def merge(a: Labels, b: Labels, decided: dict[tuple[str, str, int], bool]) -> dict[Pair, frozenset[int]]:
    """Gold per pair: the sentences both labellers marked, plus the disputed ones the adjudicator kept.

    >>> a = {("q", "t"): (frozenset({1, 2}), "")}
    >>> b = {("q", "t"): (frozenset({2, 3}), "")}
    >>> sorted(merge(a, b, {("q", "t", 1): False, ("q", "t", 3): True})[("q", "t")])
    [2, 3]
    """
    missing = sorted(set(b) ^ set(a))
    if missing:
        raise SystemExit(f"the two label files do not cover the same pairs, e.g. {missing[0]}")
    out = {}
    for key in a:
        both = (a[key][0] or frozenset()) & (b[key][0] or frozenset())
        kept = set()
        for n in disputed({key: a[key]}, {key: b[key]}).get(key, []):
            if (*key, n) not in decided:
                raise SystemExit(f"sentence {n} of {key[1]} for {key[0]} is disputed and not adjudicated")
            if decided[(*key, n)]:
                kept.add(n)
        out[key] = frozenset(both | kept)
    return out


def _paths(dataset: str) -> tuple[Path, Path, Path, Path]:
    d = Path(dataset)
    return (d / "sentences.labels.tsv", d / "sentences.labels2.tsv", d / "sentences.adjudicated.tsv",
            d / "sentences.final.tsv")


def cmd_agree(args: argparse.Namespace) -> int:
    from gold_sentences import turn_sentences

    pa, pb, pj, _ = _paths(args.dataset)
    a, b = read_labels(pa), read_labels(pb)
    items, same = [], 0
    for key in a:
        if key not in b:
            continue
        n = len(turn_sentences(key[1])[2])
        sa, sb = a[key][0] or frozenset(), b[key][0] or frozenset()
        items += [(i in sa, i in sb) for i in range(1, n + 1)]
        same += sa == sb
    pairs = sum(key in b for key in a)
    if not pairs:
        raise SystemExit(f"{pa} and {pb} have no (query, turn) pair in common")
    ga, gb = sum(x for x, _ in items), sum(y for _, y in items)
    both = sum(x and y for x, y in items)
    print(f"{args.dataset}: {pairs} (query, turn) pairs, {len(items)} sentences; gold A {ga}, B {gb}, both {both}; "
          f"same set on {same} pairs ({same / pairs:.3f}); Cohen's kappa {kappa(items):.3f}; "
          f"disputed sentences {len(items) - sum(x == y for x, y in items)}")
    if pj.is_file():
        d = read_adjudicated(pj)
        print(f"adjudicated {len(d)}: kept {sum(d.values())}, dropped {len(d) - sum(d.values())}")
    return 0


def cmd_sheet(args: argparse.Namespace) -> int:
    from rag.eval.datasets import load_dataset

    pa, pb, _, _ = _paths(args.dataset)
    print_decisions(disputed(read_labels(pa), read_labels(pb)), {q.qid: q.text for q in load_dataset(args.dataset).queries})
    return 0


def print_decisions(todo: dict[Pair, list], queries: dict[str, str]) -> None:
    """An adjudication sheet: each query once, then each of its turns with ``DECIDE:`` and what to decide."""
    from gold_sentences import print_turn

    last = None
    for (qid, tid), items in todo.items():
        if qid != last:
            print(f"\n=== {qid}  {queries[qid]}")
            last = qid
        print_turn(tid)
        print(f"    DECIDE: {', '.join(map(str, items))}")


def cmd_merge(args: argparse.Namespace) -> int:
    pa, pb, pj, pf = _paths(args.dataset)
    a, b = read_labels(pa), read_labels(pb)
    gold = merge(a, b, read_adjudicated(pj) if pj.is_file() else {})
    lines = ["# merged gold sentences: both labellers, plus disputed sentences the adjudicator kept "
             "(eval/gold_agreement.py merge)"]
    for key, nums in gold.items():
        note = "" if nums else "no sentence kept"
        lines.append(f"{key[0]}\t{key[1]}\t{','.join(map(str, sorted(nums))) or '-'}\t{note}")
    pf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{pf}: {sum(len(v) for v in gold.values())} gold sentences on {len(gold)} pairs", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, text in (("agree", "agreement of the two labellers"), ("sheet", "the disputed sentences, to adjudicate"),
                       ("merge", "write SET/sentences.final.tsv")):
        sub.add_parser(name, help=text).add_argument("dataset")
    args = ap.parse_args(argv)
    return {"agree": cmd_agree, "sheet": cmd_sheet, "merge": cmd_merge}[args.cmd](args)


if __name__ == "__main__":
    raise SystemExit(main())
