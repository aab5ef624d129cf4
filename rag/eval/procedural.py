"""Precision and recall of the procedural-sentence rule (:mod:`rag.procedural`) on a hand-labelled sample.

``SAMPLE/sample.tsv`` (see ``eval/procedural/README.md``): sentences with a hand label (``yes`` = procedural)
and ``rule_kind``, the verdict of the rule the sample was drawn with ("before"); the current rule ("now")
is re-applied to each text. For both, on all rows and on odd ids (held out when tuning):
precision = |flagged and labelled yes| / |flagged| over every flagged row (overall, per kind, per stratum;
``est_precision`` weights the per-kind precisions by the rule's kinds over a whole index:
``SAMPLE/population.json`` for before, ``--index`` for now); recall = |flagged and labelled yes| /
|labelled yes| on the strata drawn without any rule (``random`` and ``first`` sentences of answers).

    >>> rows = [Row("1", "flagged", True, "noted", "noted", "x"), Row("2", "random", False, "", "noted", "y"),
    ...         Row("3", "random", True, "referral", None, "z")]
    >>> m = metrics(rows, lambda r: r.before)
    >>> m["precision"], m["recall"], m["flagged"]
    (0.5, 0.0, 2)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import RagError
from ..procedural import procedural_kind


@dataclass(frozen=True)
class Row:
    id: str
    stratum: str
    gold: bool  # labelled procedural
    kind: str  # the labelled kind ("" when not procedural)
    before: str | None  # the kind the sampled rule gave
    text: str
    note: str = ""

    @property
    def now(self) -> str | None:
        return procedural_kind(self.text)


def read_sample(path: Path) -> list[Row]:
    with open(path, encoding="utf-8", newline="") as fh:
        raw = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    if bad := next((n for n, r in enumerate(raw, 2) if r.get("label") not in ("yes", "no") or not r["id"].isdigit()), 0):
        raise RagError(f"{path}:{bad}: the id must be a number and the label yes or no")
    return [Row(r["id"], r["stratum"], r["label"] == "yes", r["kind"], r["rule_kind"] or None, r["text"],
                r.get("note") or "") for r in raw]


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def metrics(rows: list[Row], verdict: Callable[[Row], str | None], population: dict[str, int] | None = None) -> dict:
    """Precision (overall, per kind, per stratum, index-weighted when ``population`` is given) and recall."""
    flagged = [r for r in rows if verdict(r)]
    def precision(sub: list[Row]) -> dict:
        return {"flagged": len(sub), "precision": _ratio(sum(r.gold for r in sub), len(sub))}
    per_kind = {k: precision([r for r in flagged if verdict(r) == k]) for k in sorted({verdict(r) for r in flagged})}
    out = {**precision(flagged), "precision_by_stratum": {
        s: precision([r for r in flagged if r.stratum == s])["precision"] for s in dict.fromkeys(r.stratum for r in rows)}}
    for name, strata in (("", ("random", "first")), ("_random", ("random",)), ("_first", ("first",))):
        gold = [r for r in rows if r.stratum in strata and r.gold]  # strata drawn without any rule
        out[f"recall{name}"], out[f"positives{name}"] = _ratio(sum(bool(verdict(r)) for r in gold), len(gold)), len(gold)
    if population:  # kinds the sample has no flagged row of are left out of the weighting
        known = {k: n for k, n in population.items() if k in per_kind}
        out["est_precision"] = round(sum(n * per_kind[k]["precision"] for k, n in known.items()) / sum(known.values()), 4)
    return {**out, "per_kind": per_kind}


def index_population(index_dir: Path) -> dict[str, int]:
    """How many distinct sentence units of the index the current rule flags, per kind."""
    from .. import store
    idx = store.load(index_dir)
    units = {(idx.chunks[int(c)].source, int(s), int(e))
             for c, s, e in zip(idx.sentences.chunk, idx.sentences.start, idx.sentences.end, strict=True)}
    return dict(Counter(k for src, s, e in units if (k := procedural_kind(idx.sources[src].canonical[s:e]))))


def evaluate(sample_dir: Path, index_dir: Path | None = None) -> tuple[dict, list[Row]]:
    rows = read_sample(sample_dir / "sample.tsv")
    pop_file = sample_dir / "population.json"
    pop_before = json.loads(pop_file.read_text(encoding="utf-8"))["counts"] if pop_file.exists() else None
    pop_now = index_population(index_dir) if index_dir else None
    halves = {"all": rows, "odd": [r for r in rows if int(r.id) % 2], "even": [r for r in rows if not int(r.id) % 2]}
    result = {"rows": len(rows), "strata": dict(Counter(r.stratum for r in rows)), "population_now": pop_now}
    for rule, verdict, pop in (("before", lambda r: r.before, pop_before), ("now", lambda r: r.now, pop_now)):
        result[rule] = {h: metrics(rs, verdict, pop if h == "all" else None) for h, rs in halves.items()}
    return result, rows


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def report(result: dict, rows: list[Row]) -> str:
    b, n = result["before"], result["now"]
    out = ["# Procedural-sentence rule: precision and recall on the labelled sample", "",
           f"{result['rows']} labelled sentences ({', '.join(f'{k} {v}' for k, v in result['strata'].items())}); "
           "see eval/procedural/README.md. Before = the rule the sample was drawn with; now = rag/procedural.py; "
           "odd ids were held out when the rule was tuned.", "",
           "| metric | before (odd ids) | now (odd ids) | before (all) | now (all) |", "|---|---:|---:|---:|---:|"]
    for m in ("precision", "flagged", "recall", "recall_random", "recall_first", "est_precision"):
        cells = [b["odd"].get(m), n["odd"].get(m), b["all"].get(m), n["all"].get(m)]
        out.append(f"| {m} | " + " | ".join(str(c) if isinstance(c, int) else _f(c) for c in cells) + " |")
    out += ["", "Precision by stratum (now, all rows): " + ", ".join(f"{k} {_f(v)}" for k, v in
            n["all"]["precision_by_stratum"].items()) + f". Recall denominators (labelled procedural in the random "
            f"strata): {n['all']['positives']} (odd ids {n['odd']['positives']}).", "", "| kind the rule gives (all rows) | before: flagged / "
            "precision | now: flagged / precision |", "|---|---:|---:|"]
    for k in sorted(set(b["all"]["per_kind"]) | set(n["all"]["per_kind"])):
        cells = [(p := r["all"]["per_kind"].get(k)) and f"{p['flagged']} / {_f(p['precision'])}" for r in (b, n)]
        out.append(f"| {k} | {cells[0] or '–'} | {cells[1] or '–'} |")
    for title, pick in (("False positives now (flagged, labelled not procedural)", lambda r: r.now and not r.gold),
                        ("Misses now (labelled procedural, not flagged)", lambda r: r.gold and not r.now),
                        ("Changed verdicts (before -> now)", lambda r: bool(r.before) != bool(r.now))):
        hits = [r for r in rows if pick(r)]
        out += ["", f"## {title}: {len(hits)}", ""] + [
            f"- {r.id} [{r.stratum}] label={'yes' if r.gold else 'no'} {r.kind} | before={r.before} now={r.now} | "
            f"{r.text[:160]}" + (f" ({r.note})" if r.note else "") for r in hits]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rag.eval.procedural", description=__doc__.split("\n\n")[0])
    ap.add_argument("sample", type=Path, help="folder with sample.tsv (e.g. eval/procedural)")
    ap.add_argument("--out", type=Path, required=True, help="folder for report.md and metrics.json")
    ap.add_argument("--index", type=Path, help="an index, to weight per-kind precision by the rule's kinds there")
    args = ap.parse_args(argv)
    try:
        result, rows = evaluate(args.sample, args.index)
    except (RagError, OSError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (args.out / "report.md").write_text(text := report(result, rows), encoding="utf-8")
    print(text.split("\n\nPrecision by stratum")[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
