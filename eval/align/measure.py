"""Measure the English -> Chinese aligner (rag.align) on the hand-labelled samples; write the report.

    .venv/bin/python eval/align/measure.py [--corpus ../shared/corpus/fmprc] [--out eval/results/align]

Reads ``turns.tsv`` (English turn -> the Chinese turn judged correct, or "none") and ``sentences.tsv``
(an English quote -> the Chinese sentence(s) judged correct) beside this file, parses the shared
corpus's English and Chinese pages, aligns the whole corpus once (timed) and writes ``report.md``:
accuracy among aligned turns and coverage, per set (``dev``: labelled first and used while building
the aligner; ``heldout``: labelled afterwards, never tuned on), every unaligned labelled turn with its
reason, accuracy and coverage at other confidence thresholds, the whole corpus's coverage, a stress
test (one Chinese turn deleted per conference) and the sentence figures.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from rag.align import THRESHOLD, align_corpus, align_sentences, align_sources  # noqa: E402
from rag.records import Source  # noqa: E402
from rag.sources.files import parse_file  # noqa: E402

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)


def load(corpus: Path) -> tuple[dict[str, Source], float]:
    """Every page of ``corpus/en`` and ``corpus/zh``, by file name, and the seconds it took."""
    t0 = time.perf_counter()
    sources = {}
    for lang in ("en", "zh"):
        for path in sorted((corpus / lang).glob("*.html")):
            sources[path.name] = parse_file(path, path.read_bytes())
    return sources, time.perf_counter() - t0


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def fingerprint(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def score(rows: list[dict[str, str]], alignments: dict) -> dict:
    """Correct / wrong among aligned turns, and the unaligned ones, of labelled rows."""
    out = {"n": len(rows), "correct": 0, "wrong": [], "unaligned": []}
    for r in rows:
        a = alignments[r["en_turn_id"]]
        if a.zh_turn_id is None:
            out["unaligned"].append((r, a))
        elif a.zh_turn_id == (None if r["zh_turn_id"] == "none" else r["zh_turn_id"]):
            out["correct"] += 1
        else:
            out["wrong"].append((r, a))
    return out


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "–"


def stress(sources: dict[str, Source], seed: int = 1) -> Counter:
    """Delete one random Chinese turn from every conference whose pages have as many turns in both
    languages (so turn n is turn n's translation, as the labelled samples show), realign, count."""
    rng = random.Random(seed)
    by_day = {(s.date, s.kind): s for s in sources.values() if s.lang == "zh"}
    counts: Counter = Counter()
    for en in sorted((s for s in sources.values() if s.lang == "en"), key=lambda s: s.source):
        zh = by_day.get((en.date, en.kind))
        if zh is None or len(zh.turns) != len(en.turns) or len(en.turns) < 3:
            continue
        k = rng.randrange(len(zh.turns))
        cut = dataclasses.replace(zh, turns=tuple(t for i, t in enumerate(zh.turns) if i != k))
        counts["conferences"] += 1
        for i, a in enumerate(align_sources(en, cut)):
            gold = None if i == k else zh.turns[i].turn_id
            if a.zh_turn_id is None:
                counts["none (deleted counterpart)" if gold is None else "none (counterpart present)"] += 1
            elif a.zh_turn_id == gold:
                counts["correct"] += 1
            else:
                counts["wrong"] += 1
    return counts


def wrong_page(sources: dict[str, Source]) -> Counter:
    """Pair every English conference with the Chinese conference of the next conference day (its
    date rewritten to match) and with the day's other Chinese pages (remarks with remarks): every
    turn aligned there is a guess."""
    zh = sorted((s for s in sources.values() if s.lang == "zh" and s.kind == "conference" and s.date),
                key=lambda s: s.date or "")
    counts: Counter = Counter()
    for en in (s for s in sources.values() if s.lang == "en" and s.kind == "conference" and s.date):
        later = next((z for z in zh if (z.date or "") > (en.date or "")), None)
        if later is None:
            continue
        counts["pairs"] += 1
        counts["English turns"] += len(en.turns)
        out = align_sources(en, dataclasses.replace(later, date=en.date))
        counts["aligned (wrong)"] += sum(a.zh_turn_id is not None for a in out)
    return counts


def sentence_scores(rows: list[dict[str, str]], sources: dict[str, Source], threshold: float) -> dict:
    turns = {t.turn_id: (s, t) for s in sources.values() for t in s.turns}
    out = {"n": len(rows), "correct": 0, "wrong": [], "none": []}
    for r in rows:
        _, et = turns[r["en_turn_id"]]
        zs, zt = turns[r["zh_turn_id"]]
        span = align_sentences(r["en_quote"], zt.text, zt.start, en_turn_text=et.text,
                               en_quote_start=int(r["en_offset"]), threshold=threshold)
        if span is None:
            out["none"].append(r)
        elif zs.canonical[span[0]:span[1]] == r["zh_gold"]:
            out["correct"] += 1
        else:
            out["wrong"].append((r, zs.canonical[span[0]:span[1]]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "fmprc")
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "results" / "align")
    args = ap.parse_args(argv)

    sources, parse_s = load(args.corpus)
    t0 = time.perf_counter()
    alignments = align_corpus(sources)
    align_s = time.perf_counter() - t0
    raw = align_corpus(sources, threshold=0.0)  # what the aligner would say at any confidence

    rows = read_tsv(HERE / "turns.tsv")
    turns = {t.turn_id: t for s in sources.values() for t in s.turns}
    stale = [r["en_turn_id"] for r in rows
             if r["en_turn_id"] not in turns or fingerprint(turns[r["en_turn_id"]].text) != r["en_sha1"]
             or (r["zh_turn_id"] != "none" and (r["zh_turn_id"] not in turns
                                                 or fingerprint(turns[r["zh_turn_id"]].text) != r["zh_sha1"]))]
    sets = {name: [r for r in rows if r["set"] == name] for name in ("dev", "heldout")}
    sets["all"] = rows
    scores = {name: score(rs, alignments) for name, rs in sets.items()}

    where = os.path.relpath(args.corpus, ROOT)
    lines = ["# English -> Chinese turn alignment (rag.align)", "",
             f"Corpus: `{where}` ({sum(s.lang == 'en' for s in sources.values())} English and "
             f"{sum(s.lang == 'zh' for s in sources.values())} Chinese pages). Labelled sample: "
             f"`eval/align/turns.tsv`, {len(rows)} English turns from "
             f"{len({r['date'] for r in rows})} dates ({min(r['date'] for r in rows)} to "
             f"{max(r['date'] for r in rows)}), read on both sides (labelling rule: `eval/align/README.md`). "
             f"Confidence threshold {THRESHOLD}.", ""]
    if stale:
        lines += [f"**Warning:** {len(stale)} labelled turns changed since labelling (parser change?): "
                  + ", ".join(stale[:10]), ""]
    lines += ["## Turns", "", "| set | turns | aligned (coverage) | correct among aligned | wrong | unaligned |",
              "|---|---:|---:|---:|---:|---:|"]
    for name, s in scores.items():
        aligned = s["correct"] + len(s["wrong"])
        lines.append(f"| {name} | {s['n']} | {aligned} ({pct(aligned, s['n'])}) | {s['correct']} "
                     f"({pct(s['correct'], aligned)}) | {len(s['wrong'])} | {len(s['unaligned'])} |")
    lines += ["", "`dev` was labelled first and looked at while building the aligner; `heldout` was labelled "
              "afterwards from other dates and never tuned on.", ""]
    lines += ["### Every unaligned labelled turn", "", "| English turn | gold | confidence | reason |", "|---|---|---:|---|"]
    for r, a in scores["all"]["unaligned"]:
        lines.append(f"| {r['en_turn_id']} | {r['zh_turn_id']} | {a.confidence:.2f} | {a.reason} |")
    if scores["all"]["wrong"]:
        lines += ["", "### Wrong alignments", "", "| English turn | gold | aligned to | confidence |", "|---|---|---|---:|"]
        for r, a in scores["all"]["wrong"]:
            lines.append(f"| {r['en_turn_id']} | {r['zh_turn_id']} | {a.zh_turn_id} | {a.confidence:.3f} |")

    lines += ["", "### Other thresholds (all labelled turns)", "",
              "| threshold | coverage | correct among aligned | wrong |", "|---:|---:|---:|---:|"]
    for th in THRESHOLDS:
        ok = wrong = 0
        for r in rows:
            a = raw[r["en_turn_id"]]
            if a.zh_turn_id is None or a.confidence < th:
                continue
            ok += a.zh_turn_id == r["zh_turn_id"]
            wrong += a.zh_turn_id != r["zh_turn_id"]
        lines.append(f"| {th} | {pct(ok + wrong, len(rows))} | {pct(ok, ok + wrong)} | {wrong} |")

    en_turns = [a for a in alignments.values()]
    reasons = Counter(a.reason.split(":")[0] for a in en_turns if a.zh_turn_id is None)
    lines += ["", "## Whole corpus", "",
              f"- English turns: {len(en_turns)}; aligned: {sum(a.zh_turn_id is not None for a in en_turns)} "
              f"({pct(sum(a.zh_turn_id is not None for a in en_turns), len(en_turns))})",
              f"- conference turns aligned: {pct(*_share(alignments, sources, 'conference'))}; "
              f"remarks turns aligned: {pct(*_share(alignments, sources, 'remarks'))}",
              f"- time: parsing all pages {parse_s:.1f} s; aligning the corpus (`align_corpus`) {align_s:.1f} s "
              "(2 shared cores)",
              "- unaligned, by reason: " + "; ".join(f"{k} ({v})" for k, v in reasons.most_common()), "",
              "| unaligned English turn | confidence | reason |", "|---|---:|---|"]
    lines += [f"| {a.en_turn_id} | {a.confidence:.2f} | {a.reason} |"
              for a in sorted(en_turns, key=lambda a: a.en_turn_id) if a.zh_turn_id is None]
    lines.append("")

    counts = stress(sources)
    lines += ["## Stress test: a Chinese turn deleted", "",
              f"Each of {counts['conferences']} conferences whose two pages have as many turns loses one random "
              "Chinese turn; its English turn should then get none, the others their n-th turn.", "",
              "| outcome | English turns |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in counts.items() if k != "conferences"]

    wrong = wrong_page(sources)
    lines += ["", "## Stress test: the wrong Chinese page", "",
              f"Each English conference paired with the next day's Chinese conference ({wrong['pairs']} pairs, "
              f"{wrong['English turns']} English turns): turns aligned (every one would be a guess): "
              f"**{wrong['aligned (wrong)']}**."]

    srows = read_tsv(HERE / "sentences.tsv")
    lines += ["", "## Sentences (`align_sentences`)", "",
              f"`eval/align/sentences.tsv`: {len(srows)} English quotes of one or two sentences with the Chinese "
              "sentence(s) judged their translation (a Chinese sentence that also holds a neighbouring English "
              "sentence counts as the translation).", "",
              "| set | quotes | answered (coverage) | correct among answered | wrong |", "|---|---:|---:|---:|---:|"]
    for name in ("dev", "heldout"):
        s = sentence_scores([r for r in srows if r["set"] == name], sources, 0.95)
        done = s["correct"] + len(s["wrong"])
        lines.append(f"| {name} | {s['n']} | {done} ({pct(done, s['n'])}) | {s['correct']} ({pct(s['correct'], done)}) "
                     f"| {len(s['wrong'])} |")
        for r, got in s["wrong"]:
            lines.append(f"|  | wrong: {r['id']} | gold {r['zh_gold'][:30]} | got {got[:30]} | |")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


def _share(alignments: dict, sources: dict[str, Source], kind: str) -> tuple[int, int]:
    ids = [t.turn_id for s in sources.values() if s.lang == "en" and s.kind == kind for t in s.turns]
    return sum(alignments[i].zh_turn_id is not None for i in ids), len(ids)


if __name__ == "__main__":
    raise SystemExit(main())
