"""``rag``: a thin argparse shell over the library. Errors become messages here, and only here."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import RagError

DEFAULT_INDEX = Path(__file__).resolve().parent.parent / "index"


def _add_index(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", default=str(DEFAULT_INDEX), help="index directory (default: index/ at the repo root)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="rag", description="Verbatim, cited answers from MFA press conferences.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("ingest", help="parse transcripts (.txt/.html files or folders) into the index")
    p.add_argument("paths", nargs="+")
    _add_index(p)
    p.add_argument("--date", help="conference date (YYYY-MM-DD) for text files that do not state it")
    p.add_argument("--rebuild", action="store_true", help="start a new index instead of extending the current one")
    p.add_argument("--max-tokens", type=int, default=100, help="chunk budget in cl100k tokens (default 100)")
    p.add_argument("--context-tokens", type=int, default=80, help="question tokens embedded before each chunk (default 80)")
    p.add_argument("--context", choices=["question", "none"], default="question",
                   help="text embedded before each chunk (default: the question it answered)")
    p.add_argument("--dtype", choices=["fp32", "int8", "bf16"], default="fp32",
                   help="fp32 (default); int8: ONNX dynamic quantisation, builds ~1.9x faster but quotes slightly "
                        "worse (eval/results/bench_levers.md); bf16 is emulated and ~8x slower on AVX2-only CPUs")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-cache", action="store_true",
                   help="embed every changed chunk anew: neither read nor write the embedding cache (INDEX/cache/)")

    p = sub.add_parser("ask", help="ask a question; prints quotes with citations")
    p.add_argument("question", nargs="?")
    _add_index(p)
    p.add_argument("--batch", help="JSONL file of {id, query[, since, until, spokesperson, outlet, context]}")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("--spokesperson")
    p.add_argument("--outlet")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid")
    p.add_argument("--context", action="append", default=[], metavar="PREVIOUS_QUESTION",
                   help="an earlier question of the thread (repeat, oldest first): a follow-up such as "
                        "'And in 2020?' is searched with the thread's topic")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("phrase", help="every verbatim use of a phrase in the answers, by year and spokesperson")
    p.add_argument("phrase", help='the exact words, e.g. "win-win" (case, whitespace and curly quotes ignored)')
    _add_index(p)
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("--spokesperson")
    p.add_argument("--outlet")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("timeline", help="how often a topic was addressed, per month or quarter (see rag/timeline.py)")
    p.add_argument("question")
    _add_index(p)
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("--spokesperson")
    p.add_argument("--outlet")
    p.add_argument("--threshold", type=float, help="score a turn needs to count (default: the calibrated one)")
    p.add_argument("--unit", choices=["month", "quarter"], help="bucket size (default: quarters when sparse)")
    p.add_argument("--png", metavar="FILE", help="also draw the chart as a PNG (needs matplotlib)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", help="print the canonical text of an ingested transcript")
    p.add_argument("source", help="file name as ingested, e.g. t1558711.html (or its stem)")
    _add_index(p)
    p.add_argument("--json", action="store_true", help="print the parsed record (metadata and turns)")

    p = sub.add_parser("sync", help="fetch new transcripts from the ministry's listings and index them "
                                    "(see rag/sync/)")
    from .sync.cli import add_arguments as add_sync_arguments  # the sync CLI lives beside the crawler

    add_sync_arguments(p, str(DEFAULT_INDEX))

    p = sub.add_parser("eval", help="evaluate retrieval on a BEIR-style set (see eval/README.md)")
    from .eval.cli import add_arguments  # the eval CLI lives beside the evaluator

    add_arguments(p)
    _add_index(p)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"ingest": cmd_ingest, "ask": cmd_ask, "show": cmd_show, "phrase": cmd_phrase, "timeline": cmd_timeline,
                "eval": cmd_eval, "sync": cmd_sync}[args.cmd](args)
    except RagError as e:
        print(f"rag {args.cmd}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `rag show X | head`: the reader left, which is fine
        sys.stderr.close()
        return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from .chunking import ChunkParams
    from .embedding import Embedder
    from .ingest import ingest
    from .retrieval import make_filters

    if args.date:
        make_filters(since=args.date)  # validates the format
    params = ChunkParams(max_tokens=args.max_tokens, context=args.context, context_tokens=args.context_tokens)
    report = ingest(args.paths, args.index, encoder_factory=lambda: Embedder(args.dtype), params=params,
                    dtype=args.dtype, date=args.date, rebuild=args.rebuild, progress=not args.quiet,
                    cache=not args.no_cache)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        state = "written" if report.written else "unchanged (nothing new to index)"
        print(f"index {report.index}: {state}")
        print(f"  conferences {report.conferences}, turns {report.turns}, chunks {report.chunks}"
              + (f"; Chinese transcripts {report.chinese}, turns {report.chinese_turns}" if report.chinese else ""))
        print(f"  added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
              f"embedded {report.embedded} chunks, cached {report.cached}, reused {report.reused}, "
              f"{report.seconds:.1f} s")
        for f, why in report.skipped:
            print(f"  skipped {f}: {why}")
        for f, why in report.warnings:
            print(f"  note {f}: {why}")
        for f, why in report.failed:
            print(f"  FAILED {f}: {why}", file=sys.stderr)
    return 1 if report.failed else 0


def _retriever(index_dir: str):  # noqa: ANN202
    from . import store
    from .embedding import MODEL_NAME, Embedder
    from .retrieval import Retriever

    index = store.load(Path(index_dir), model=MODEL_NAME)
    return Retriever(index, Embedder(index.manifest.get("dtype", "fp32")))


def cmd_ask(args: argparse.Namespace) -> int:
    from .answer import ask
    from .errors import QueryError
    from .retrieval import make_filters

    if bool(args.batch) == bool(args.question):
        raise QueryError("give either a QUESTION or --batch FILE.jsonl")
    if args.batch:  # read before the model is loaded: a wrong path fails at once
        try:
            lines = Path(args.batch).read_text(encoding="utf-8").split("\n")  # not splitlines(): U+2028 is text
        except (OSError, UnicodeDecodeError) as e:
            raise QueryError(f"cannot read the batch file {args.batch}: {e}") from None
    retriever = _retriever(args.index)
    if not args.batch:
        f = make_filters(args.since, args.until, args.spokesperson, args.outlet)
        out = ask(retriever, args.question, k=args.k, filters=f, mode=args.mode, context=args.context)
        print(json.dumps(out, ensure_ascii=False) if args.json else format_text(out))
        return 0
    failures = 0
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item = None  # a line that is not JSON has no id (not the line before's)
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or "query" not in item:
                raise QueryError("each line needs a JSON object with 'id' and 'query'")
            f = make_filters(item.get("since"), item.get("until"), item.get("spokesperson"), item.get("outlet"))
            context = item.get("context") or []
            if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
                raise QueryError("'context' must be a list of earlier questions (strings), oldest first")
            out = {"id": item.get("id"), **ask(retriever, item["query"], k=args.k, filters=f, mode=args.mode,
                                               context=context)}
        except (ValueError, RagError) as e:
            failures += 1
            out = {"id": item.get("id") if isinstance(item, dict) else None,
                   "error": f"{args.batch}:{lineno}: {e}"}
        print(json.dumps(out, ensure_ascii=False) if args.json else format_text(out), flush=True)
    return 1 if failures else 0


def format_text(out: dict) -> str:
    """Human-readable form of one ask result."""
    if "error" in out:
        return f"[{out.get('id')}] error: {out['error']}"
    searched = [f"Searched: {out['understood_as']} (follow-up of the earlier question)"] if out.get("followup") else []
    lines = searched + [f"Warning: {w}" for w in out.get("warnings") or []] + [out["answer"], ""]
    for c in out["citations"]:
        bits = [c["spokesperson"], c["date"], f"answering {c['outlet']}" if c["outlet"] else None,
                c["source"], f"chars {c['start']}-{c['end']}", c["url"]]
        flag = " (procedural line: states no position)" if c.get("procedural") else ""
        undated = "" if c["date"] else " (date not established — check before publishing)"
        lines.append(f"[{c['n']}] " + ", ".join(b for b in bits if b) + undated + flag)
    return "\n".join(lines).rstrip()


def cmd_show(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from . import store
    from .errors import RagError as _E

    index = store.load(Path(args.index))
    src = index.sources.get(args.source) or next(
        (s for s in index.sources.values() if s.stem == args.source), None)
    if src is None:
        raise _E(f"no source named {args.source!r} in {args.index}; `rag ask` citations name sources")
    print(json.dumps(asdict(src), ensure_ascii=False, indent=1) if args.json else src.canonical)
    return 0


def cmd_phrase(args: argparse.Namespace) -> int:
    from . import store
    from .filters import make_filters
    from .phrases import find_phrase, to_json

    f = make_filters(args.since, args.until, args.spokesperson, args.outlet)
    report = find_phrase(store.load(Path(args.index)), args.phrase, f)  # no model: plain text search
    print(json.dumps(to_json(report), ensure_ascii=False) if args.json else format_phrase(report))
    return 0


def format_phrase(r) -> str:  # noqa: ANN001 - rag.phrases.PhraseReport
    """Human-readable phrase report: totals, first and last use, by year and by spokesperson, then each
    occurrence as ``date  spokesperson  “quote”  source:start-end``."""
    lines = [f"\u201c{r.phrase}\u201d: {r.count} in the answers, at {r.conferences} conference"
             f"{'' if r.conferences == 1 else 's'}; {r.in_questions} in journalists' questions (counted apart)"]
    if r.filters.active():
        lines.append("Filters: " + ", ".join(f"{k} {v}" for k, v in r.filters.to_dict().items() if v))
    for name, o in (("First:", r.first), ("Last:", r.last)):
        if o is not None:
            lines.append(f"{name:6} {o.date or 'undated'}  {o.spokesperson or 'unknown'}  {o.source}")
    if r.count:
        lines.append("By year: " + " · ".join(f"{k} {v}" for k, v in r.by_year.items()))
        lines.append("By spokesperson: " + " · ".join(f"{k} {v}" for k, v in r.by_spokesperson.items()))
    if r.undated:
        lines.append(f"{r.undated} of them undated (date not established — check before publishing), listed last")
    lines += [""] + [f"{o.date or 'undated'}  {o.spokesperson or 'unknown'}  \u201c{o.quote}\u201d  "
                     f"{o.source}:{o.start}-{o.end}" for o in r.occurrences]
    return "\n".join(lines).rstrip()


def cmd_timeline(args: argparse.Namespace) -> int:
    from .filters import make_filters
    from .timeline import format_text as format_timeline
    from .timeline import save_png, timeline, to_json

    f = make_filters(args.since, args.until, args.spokesperson, args.outlet)
    t = timeline(_retriever(args.index), args.question, f, threshold=args.threshold, unit=args.unit)
    if args.png:
        save_png(t, args.png)
    print(json.dumps(to_json(t), ensure_ascii=False) if args.json else format_timeline(t))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .eval.cli import run_cli

    return run_cli(args)


def cmd_sync(args: argparse.Namespace) -> int:
    from .sync.cli import run_cli

    return run_cli(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
