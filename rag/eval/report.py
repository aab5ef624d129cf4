"""What ``rag eval`` shows: the terminal table, the Markdown report and the bar chart."""

from __future__ import annotations

from pathlib import Path

from .datasets import Dataset
from .metrics import MEASURES, QUOTE_METRICS, SENTENCE_METRICS
from .runs import RUN_K
from .significance import SIG_PERMUTATIONS


def format_table(results: dict[str, dict]) -> str:
    """The metrics of every system as a plain-text table (rows: metrics, columns: systems)."""
    systems = list(results)
    width = max(7, *(len(s) for s in systems))
    label_w = max(len(x) for x in list(MEASURES) + list(QUOTE_METRICS))
    lines = [f"{'metric':<{label_w}}  " + "  ".join(f"{s:>{width}}" for s in systems)]
    for m in MEASURES:
        lines.append(f"{m:<{label_w}}  " + "  ".join(f"{results[s]['metrics'][m]:>{width}.3f}" for s in systems))
    if any(results[s].get("quote") for s in systems):
        for m in QUOTE_METRICS:
            cells = [(f"{results[s]['quote'][m]:>{width}.3f}" if results[s].get("quote") else f"{'-':>{width}}")
                     for s in systems]
            lines.append(f"{m:<{label_w}}  " + "  ".join(cells))
    return "\n".join(lines)


def markdown_table(results: dict[str, dict]) -> str:
    """The metrics table of report.md; the best value of each turn metric in bold."""
    systems = list(results)
    best = {m: max(results[s]["metrics"][m] for s in systems) for m in MEASURES}
    lines = ["| metric | " + " | ".join(systems) + " |", "|---|" + "---:|" * len(systems)]
    for m in MEASURES:
        cells = []
        for s in systems:
            v = results[s]["metrics"][m]
            cells.append(f"**{v:.3f}**" if len(systems) > 1 and v == best[m] else f"{v:.3f}")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    if any(results[s].get("quote") for s in systems):
        for m in QUOTE_METRICS:
            lines.append(f"| {m} | " + " | ".join(
                f"{results[s]['quote'][m]:.3f}" if results[s].get("quote") else "–" for s in systems) + " |")
    return "\n".join(lines)


def plot_chart(results: dict[str, dict], path: Path, title: str) -> None:
    """Grouped bars of the turn metrics per system (needs matplotlib, in the eval extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    systems = list(results)
    metrics = list(MEASURES)
    x = np.arange(len(metrics))
    w = 0.8 / max(len(systems), 1)
    fig, ax = plt.subplots(figsize=(9, 4.6), dpi=100)
    for i, s in enumerate(systems):
        vals = [results[s]["metrics"][m] for m in metrics]
        bars = ax.bar(x + (i - (len(systems) - 1) / 2) * w, vals, w, label=s)
        for b, v in zip(bars, vals, strict=True):
            ax.text(b.get_x() + b.get_width() / 2, v + 0.01, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, metrics)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("score")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(systems), fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


MAX_MISSES_SHOWN = 40
SELECTOR_NOTES = {"first": "the first sentence of each chosen turn (baseline)",
                  "chunk": "the best sentences of each turn's best chunk (the selector before issue 9)",
                  "sentence": "the sentence selector (every sentence of each top turn)"}


def short(text: str, n: int = 160) -> str:
    """``text`` on one line, cut at a word boundary to at most ``n`` characters.

    >>> short("What did   China say about the summit?", 20)
    'What did China say …'
    """
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + " …"


def fmt_p(p: float) -> str:
    """A p-value with four decimals (``<0.0001`` below that)."""
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"


def write_report(path: Path, *, dataset: Dataset, results: dict[str, dict], sig: list[dict], info: dict,
                 thresholds: list[dict], chart: str | None, sentences: dict | None = None) -> None:
    """Write ``report.md``: the set and index, metrics, significance, quote selection at sentence level,
    thresholds, the primary system's misses."""
    lines = [f"# Retrieval evaluation: `{dataset.name}`", "",
             f"- set: `{info['dataset']}` — {len(dataset.queries)} queries, "
             f"{sum(sum(g > 0 for g in d.values()) for d in dataset.qrels.values())} relevant turns judged",
             f"- index: `{info['index']}` — {info['index_counts']}, chunking {info['chunking']}",
             f"- run depth k={RUN_K}, turn level (chunk scores folded to their turn); metrics by ir-measures "
             f"{info['ir_measures']}",
             f"- hybrid fusion: {info['fusion']}",
             f"- time phrases in questions {'parsed into date filters' if info['parse_time'] else 'ignored'} "
             "(bm25/dense/hybrid; naive never parses them)",
             f"- follow-up queries {'searched with their thread (context)' if info.get('use_context', True) else 'scored alone, without their thread'}",
             "- naive: LangChain RecursiveCharacterTextSplitter(1000, 200) over each page's canonical text, MiniLM "
             "fp32, FAISS flat; a chunk's score goes to every turn it overlaps"
             + ("; journalists' questions blanked out (the index was built with --context none)"
                if any(r.get("questions_hidden") for r in results.values()) else ""),
             f"- command: `{info['command']}`", f"- date: {info['date']}", ""]
    if dataset.skipped:
        lines += [f"Skipped {len(dataset.skipped)} queries without a relevant judgment: {', '.join(dataset.skipped)}", ""]
    lines += ["## Metrics", "", markdown_table(results), ""]
    if chart:
        lines += [f"![metrics]({chart})", ""]
    if any(r.get("quote") for r in results.values()):
        lines += ["`quote_verbatim`: share of citations (from `rag.answer.ask`, k=10) whose quote is the canonical "
                  "text at its offsets (must be 1.000). `quote_top_relevant`: share of queries whose first citation "
                  "overlaps the answer of a judged-relevant turn. `quote_found`: share of queries with any citation.",
                  ""]
    if sig:
        lines += ["## Significance (paired, per query)", "",
                  f"Two-sided paired randomization test ({SIG_PERMUTATIONS} sign flips, seed 0) and paired t-test "
                  "(scipy `ttest_rel`) over per-query scores; `wins/losses` count queries where the first system "
                  "scores higher/lower.", "", *significance_table(sig), ""]
    if sentences:
        lines += sentence_section(sentences)
    if thresholds:
        lines += ["## Thresholds", ""]
        for t in thresholds:
            lines.append(f"- {threshold_scope(t)} {t['metric']} {t['value']:.3f} >= {t['min']}: "
                         f"{'ok' if t['ok'] else 'FAILED'}")
        lines.append("")
    misses = info.get("misses") or {}
    if misses:
        lines += ["## Misses of the primary system", "",
                  f"Queries where `{info['primary']}` ranks no relevant turn in its top 10 (first relevant rank in "
                  "brackets; – = not in the top 100).", ""]
        shown = list(misses.items())[:MAX_MISSES_SHOWN]
        for qid, (text, rank) in shown:
            lines.append(f"- `{qid}` [{rank if rank else '–'}] {short(text)}")
        if len(misses) > len(shown):
            lines.append(f"- … and {len(misses) - len(shown)} more (see per_query.jsonl)")
        lines.append("")
    lines += ["## Files", "", "- `metrics.json`: everything above as JSON (same as `--json`)",
              "- `per_query.jsonl`: one line per system and query (metrics, first relevant rank, top 10 turn ids)"
              + ("; then one per quote selector and labelled query (sentence metrics, gold and cited spans)"
                 if sentences else ""),
              "- `run.<system>.trec[.gz]`: TREC runs (`qid Q0 turn_id rank score tag`), 100 turns per query", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def threshold_scope(t: dict) -> str:
    """``hybrid`` or, for a sentence-level threshold, ``hybrid/sentence``."""
    return f"{t['system']}/{t['selector']}" if t.get("selector") else t["system"]


def significance_table(sig: list[dict]) -> list[str]:
    """Markdown rows of paired comparisons (``a`` vs ``b`` per metric)."""
    lines = ["| comparison | metric | mean A | mean B | diff | wins/losses | p (randomization) | p (t-test) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for s in sig:
        lines.append(f"| {s['a']} vs {s['b']} | {s['metric']} | {s['mean_a']:.3f} | {s['mean_b']:.3f} | "
                     f"{s['diff']:+.3f} | {s['wins']}/{s['losses']} | {fmt_p(s['p_randomization'])} | "
                     f"{fmt_p(s['p_ttest'])} |")
    return lines


def sentence_table(summary: dict[str, dict[str, float]], *, markdown: bool = True) -> str:
    """Rows: sentence metrics, columns: selectors (best value in bold in Markdown)."""
    sels = list(summary)
    if not markdown:
        width = max(8, *(len(s) for s in sels))
        label_w = max(len(m) for m in SENTENCE_METRICS)
        lines = [f"{'selector':<{label_w}}  " + "  ".join(f"{s:>{width}}" for s in sels)]
        for m in SENTENCE_METRICS:
            lines.append(f"{m:<{label_w}}  " + "  ".join(f"{summary[s][m]:>{width}.3f}" for s in sels))
        return "\n".join(lines)
    lines = ["| metric | " + " | ".join(sels) + " |", "|---|" + "---:|" * len(sels)]
    for m in SENTENCE_METRICS:
        best = max(summary[s][m] for s in sels)
        lines.append(f"| {m} | " + " | ".join(
            f"**{summary[s][m]:.3f}**" if len(sels) > 1 and summary[s][m] == best else f"{summary[s][m]:.3f}"
            for s in sels) + " |")
    return "\n".join(lines)


def sentence_section(sentences: dict) -> list[str]:
    """The "Quote selection (sentence level)" part of report.md."""
    lines = ["## Quote selection (sentence level)", "",
             f"{sentences['queries']} of {sentences['of']} queries have gold sentences (`sentences.jsonl`, "
             f"{sentences['gold_sentences']} sentences); only they are counted. Each is asked through "
             f"`rag.answer.ask` ({sentences['system']}, k={sentences['k']}) once per quote selector: "
             + "; ".join(f"`{s}` = {SELECTOR_NOTES.get(s, s)}" for s in sentences["selectors"]) + ". "
             "A span contains a gold sentence when it is in the same source and covers its offsets. "
             "`quote_first_hit`: the first citation contains a gold sentence; `quote_any_hit`: some citation "
             "does; `passage_hit@1`: the top hit's passage (`hits[0]`) does.", ""]
    if sentences["selectors"]:
        lines += [sentence_table(sentences["selectors"]), ""]
    for sel, why in (sentences.get("unavailable") or {}).items():
        lines += [f"Selector `{sel}` was skipped: `rag.answer.ask` refused it ({why}).", ""]
    if sentences.get("not_verbatim"):
        lines += ["Citations whose quote is not the canonical text at its offsets: "
                  + ", ".join(f"`{x}`" for x in sentences["not_verbatim"]), ""]
    if sentences.get("significance"):
        lines += ["Paired over the labelled queries, `sentence` against each other selector (same tests as above):",
                  "", *significance_table(sentences["significance"]), ""]
    return lines
