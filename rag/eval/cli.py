"""``rag eval`` on the command line: the flags, the :class:`EvalConfig` they make, messages and exit codes.

Exit codes: 0 when every ``--min`` threshold holds and every quote is verbatim, 1 when one
fails (a regression), 2 for a usage or input error (the message names the fix).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from ..errors import RagError
from .metrics import SELECTORS
from .pipeline import SYSTEMS, EvalConfig, evaluate
from .quotes import verbatim_ok
from .report import fmt_p, format_table, sentence_table, threshold_scope


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The flags of ``rag eval`` (``--index`` is added by :mod:`rag.cli`, shared with the other commands)."""
    p.add_argument("dataset", help="folder with queries.jsonl and qrels/test.tsv (BEIR layout; see eval/README.md)")
    p.add_argument("--qrels", help="qrels file to use instead of DATASET/qrels/test.tsv (BEIR TSV or TREC format)")
    p.add_argument("--queries", help="queries.jsonl to use instead of DATASET/queries.jsonl")
    p.add_argument("--systems", default="hybrid",
                   help=f"comma-separated retrievers to compare, from {','.join(SYSTEMS)} (default: hybrid)")
    p.add_argument("--out", help="output folder for runs, per-query JSONL, chart and report "
                                 "(default: eval/results/<dataset name>)")
    p.add_argument("--min", action="append", default=[], metavar="[SYSTEM:]METRIC=VALUE",
                   help="exit 1 if METRIC is below VALUE (repeatable); without SYSTEM it applies to hybrid "
                        "(or the first system when hybrid is not evaluated). Sentence-level metrics take a "
                        "quote selector instead of a system, e.g. sentence:quote_first_hit=0.75 (default: sentence)")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    p.add_argument("--no-quote", action="store_true",
                   help="skip the quote checks (the rag ask path), the sentence-level ones included")
    p.add_argument("--selectors", metavar="LIST",
                   help=f"comma-separated quote selectors to compare at sentence level on hybrid, from "
                        f"{','.join(SELECTORS)} (default: all, when DATASET has sentences.jsonl and hybrid is "
                        "evaluated)")
    p.add_argument("--no-context", action="store_true",
                   help="score follow-up queries alone, without their thread's earlier questions ('context')")
    p.add_argument("--no-time-phrases", action="store_true",
                   help="do not turn time phrases in questions into date filters (a tuning lever)")
    p.add_argument("--fusion", choices=["rrf", "weighted"], help="fusion of the hybrid system (default: the library's)")
    p.add_argument("--rrf-k", type=int, help="RRF constant (default: the library's)")
    p.add_argument("--dense-weight", type=float, help="weight of the dense list in fusion")
    p.add_argument("--bm25-weight", type=float, help="weight of the BM25 list in fusion")
    p.add_argument("--compress-runs", action="store_true", help="write run files gzipped (run.<system>.trec.gz)")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")


def command_line(dataset: str) -> str:
    """The command as typed, for the report (``rag eval DATASET`` when not run from the shell)."""
    return "rag eval " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["eval"] else f"rag eval {dataset}"


def config_from_args(args: argparse.Namespace) -> EvalConfig:
    """The :class:`EvalConfig` of parsed ``rag eval`` flags."""
    return EvalConfig(
        dataset=args.dataset, index=args.index, systems=tuple(args.systems.split(",")), qrels=args.qrels,
        queries=args.queries, out=args.out, mins=tuple(args.min), quote=not args.no_quote,
        parse_time=not args.no_time_phrases, use_context=not args.no_context, fusion=args.fusion, rrf_k=args.rrf_k, dense_weight=args.dense_weight,
        bm25_weight=args.bm25_weight, compress_runs=args.compress_runs, quiet=args.quiet,
        command=command_line(args.dataset),
        selectors=None if args.selectors is None else tuple(args.selectors.split(",")))


def run_cli(args: argparse.Namespace, evaluate_fn: Callable[[EvalConfig], dict] = evaluate) -> int:
    """Evaluate, print the table (or JSON) and failures; return the exit code.

    ``evaluate_fn`` replaces :func:`evaluate` (tests pass one with a fake encoder).
    """
    try:
        payload = evaluate_fn(config_from_args(args))
    except RagError as e:
        print(f"rag eval: error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(format_table(payload["systems"]))
        for s in payload["significance"]:
            print(f"{s['a']} vs {s['b']} {s['metric']}: {s['diff']:+.3f} "
                  f"(p={fmt_p(s['p_randomization'])} randomization, {fmt_p(s['p_ttest'])} t-test)")
        sent = payload.get("sentences")
        if sent and sent["selectors"]:
            print(f"\nsentence level ({sent['queries']} labelled queries, {sent['system']} k={sent['k']}):")
            print(sentence_table(sent["selectors"], markdown=False))
            for s in sent["significance"]:
                print(f"{s['a']} vs {s['b']} {s['metric']}: {s['diff']:+.3f} "
                      f"(p={fmt_p(s['p_randomization'])} randomization, {fmt_p(s['p_ttest'])} t-test)")
        print(f"wrote {payload['out']}/report.md")
    for t in payload["thresholds"]:
        if not t["ok"]:
            print(f"rag eval: FAIL: {threshold_scope(t)} {t['metric']} {t['value']:.4f} < {t['min']}",
                  file=sys.stderr)
    if not verbatim_ok(payload["systems"]) or (payload.get("sentences") or {}).get("not_verbatim"):
        print("rag eval: FAIL: some citation quotes are not verbatim (see per_query.jsonl)", file=sys.stderr)
    return 0 if payload["passed"] else 1
