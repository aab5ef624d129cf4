"""Draw the procedural-sentence sample (eval/procedural/sample.tsv) from an index, with a fixed seed.

Strata (sentence units of the index, ``rag.sentences``; a unit is identified by source + offsets):

* ``flagged``: units the rule (``rag.procedural``) flags, the same number per kind (precision);
* ``random``: units of answer turns, uniformly (recall, false negatives);
* ``first``: the first unit of random answer turns (greetings and referrals sit there);
* ``new``: units the current rule flags and the rule in ``--before FILE`` does not (drawn after a rule
  change, to measure the precision of what the change added on sentences nobody tuned on).

Prints the rows as TSV with empty ``label``/``kind`` columns, to be labelled by hand::

    .venv/bin/python eval/procedural/make_sample.py /tmp/s3/full > /tmp/sample.tsv
    git show bb53234:rag/procedural.py > /tmp/old_rule.py
    .venv/bin/python eval/procedural/make_sample.py /tmp/s3/full --strata new --before /tmp/old_rule.py \
        --first-id 401 --exclude eval/procedural/sample.tsv
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from rag import store  # noqa: E402
from rag.procedural import procedural_kind  # noqa: E402

SEED = 15
COLUMNS = ("id", "stratum", "turn_id", "source", "start", "end", "label", "kind", "rule_kind", "text", "note")
SIZES = {"flagged": 120, "random": 200, "first": 80, "new": 40}


def units(index_dir: Path) -> list[tuple[str, str, int, int, str, str]]:
    """``(turn_id, source, start, end, turn kind, text)`` of every distinct sentence unit, in index order."""
    idx = store.load(index_dir)
    kinds = {t.turn_id: t.kind for s in idx.sources.values() for t in s.turns}
    seen, out = set(), []
    for c, s, e in zip(idx.sentences.chunk, idx.sentences.start, idx.sentences.end, strict=True):
        ch = idx.chunks[int(c)]
        key = (ch.source, int(s), int(e))
        if key not in seen:
            seen.add(key)
            out.append((ch.turn_id, ch.source, int(s), int(e), kinds[ch.turn_id],
                        " ".join(idx.sources[ch.source].canonical[int(s):int(e)].split())))
    return out


def draw(all_units: list, stratum: str, n: int, rng: random.Random, before=None, taken=frozenset()) -> list:
    answer = [u for u in all_units if u[4] == "answer"]
    if stratum == "flagged":
        by_kind = defaultdict(list)
        for u in all_units:
            if k := procedural_kind(u[5]):
                by_kind[k].append(u)
        per = n // len(by_kind)
        return [u for k in sorted(by_kind) for u in rng.sample(by_kind[k], min(per, len(by_kind[k])))]
    if stratum == "random":
        return rng.sample(answer, n)
    if stratum == "first":
        firsts = {}
        for u in answer:  # units come in text order within a turn
            firsts.setdefault(u[0], u)
        return [firsts[t] for t in rng.sample(sorted(firsts), n)]
    if stratum == "new":
        pool = [u for u in all_units if procedural_kind(u[5]) and not before(u[5]) and u[1:4] not in taken]
        return rng.sample(pool, min(n, len(pool)))
    raise SystemExit(f"unknown stratum {stratum!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index", type=Path)
    ap.add_argument("--strata", default="flagged,random,first")
    ap.add_argument("--before", type=Path, help="the rule's previous module file (for the 'new' stratum)")
    ap.add_argument("--first-id", type=int, default=1)
    ap.add_argument("--exclude", type=Path, help="a sample.tsv whose sentences are not drawn again")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    before = None
    if args.before:
        spec = importlib.util.spec_from_file_location("before_rule", args.before)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        before = mod.procedural_kind
    all_units = units(args.index)
    taken = frozenset()
    if args.exclude:
        with open(args.exclude, encoding="utf-8") as fh:
            taken = frozenset((r["source"], int(r["start"]), int(r["end"]))
                              for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    print("\t".join(COLUMNS))
    n = args.first_id
    for stratum in args.strata.split(","):
        rng = random.Random(f"{args.seed}:{stratum}")  # one stream per stratum: strata do not shift each other
        for turn_id, source, s, e, _, text in draw(all_units, stratum, SIZES[stratum], rng, before, taken):
            rule_kind = (before or procedural_kind)(text) or ""  # the verdict of the rule before tuning
            print("\t".join(map(str, (n, stratum, turn_id, source, s, e, "", "", rule_kind, text, ""))))
            n += 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
