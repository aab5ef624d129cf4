"""``rag sync``: its arguments and its summary (``rag/cli.py`` only registers the subcommand).

    $ rag sync --listing http://127.0.0.1:8000/mfa_eng/xwfw_665399/s2510_665401/2511_665403/default.shtml \
          --max-pages 2 --quiet
    sync: listing pages 0 read, 1 unchanged (304); 40 links: 2 new, 4 known before, 0 removed, 0 missing, 0 failed; 4 requests, 0 retried, 17.9 s
      http://127.0.0.1:8000/mfa_eng/xwfw_665399/s2510_665401/2511_665403/default.shtml: stopped: the page budget (--max-pages 2) is spent; the next run continues
    index index: written (added 2, updated 0, skipped 0, failed 0; 7 conferences)
    last sync: 2026-05-01T10:00:00Z, newest transcript 2024-10-14 (data/last_sync.json, index/sync.json)

Problems are listed one per line under the first (``retried URL: HTTP 503``, ``removed URL: redirected to …``,
``robots.txt disallows URL``, ``MISSING URL: HTTP 404``, ``FAILED URL: reason``).
``--json`` prints :meth:`rag.sync.run.SyncReport.to_dict` instead. The exit code is 0 only when no
page failed or was missing (404) and indexing failed for no page.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .fetch import Fetcher
from .run import LANGS, SyncOptions, SyncReport, sync

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "data"


def add_arguments(p: argparse.ArgumentParser, default_index: str) -> None:
    p.add_argument("--listing", action="append", default=[], metavar="URL",
                   help="first page of a listing to follow (repeatable; default: the ministry's current "
                        "English and Chinese press-conference listings); links are resolved against it, "
                        "so a mirror at http://127.0.0.1:PORT/<same path> works")
    p.add_argument("--lang", default=",".join(LANGS),
                   help="languages to sync, comma-separated (default en,zh); a --listing's language is "
                        "read from its path (/eng/ or /mfa_eng/: en, else zh)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="skip items listed with an earlier date")
    p.add_argument("--data", default=str(DEFAULT_DATA), help="folder of the raw pages (default: data/ at the repo root)")
    p.add_argument("--index", default=default_index, help="index to add the new pages to (default: index/)")
    p.add_argument("--no-index", action="store_true", help="store the pages only, do not index them")
    p.add_argument("--rate", type=float, default=1.0, metavar="REQ_PER_S",
                   help="requests per second, at most (default 1; one request at a time)")
    p.add_argument("--max-pages", type=int, metavar="N", help="fetch at most N article pages in this run")
    p.add_argument("--retries", type=int, default=4, help="retries of a timed-out, reset or 5xx request (default 4)")
    p.add_argument("--backoff", type=float, default=2.0, metavar="SECONDS",
                   help="first retry delay, doubled on each retry (default 2)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="connect/read timeout per request (default 30)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run_cli(args: argparse.Namespace) -> int:
    opts = SyncOptions(listings=list(args.listing), langs=tuple(x.strip() for x in args.lang.split(",") if x.strip()),
                       since=args.since, data=args.data, index=None if args.no_index else args.index,
                       max_pages=args.max_pages, progress=not args.quiet)
    fetcher = Fetcher(rate=args.rate, retries=max(0, args.retries), backoff=args.backoff, timeout=args.timeout)
    report = sync(opts, fetcher=fetcher)
    print(json.dumps(report.to_dict(), ensure_ascii=False) if args.json else format_report(report))
    return report.exit_code


def format_report(r: SyncReport) -> str:
    """The human summary of a run (problems listed one per line, each with its reason)."""
    lines = [f"sync: listing pages {r.listings_read} read, {r.listings_unchanged} unchanged (304); {r.links} links: "
             f"{len(r.new)} new, {r.unchanged} known before, {len(r.removed)} removed, {len(r.missing)} missing, "
             f"{len(r.failed)} failed" + (f", {r.older_than_since} older than --since" if r.older_than_since else "")
             + (f", {len(r.disallowed)} disallowed by robots.txt" if r.disallowed else "")
             + f"; {r.requests} requests, {len(r.retries)} retried, {r.seconds:.1f} s"]
    for listing, why in r.walks.items():
        lines.append(f"  {listing}: {why}")
    lines += [f"  retried {url}: {why}" for url, why in r.retries]
    lines += [f"  removed {url}: {why}" for url, why in r.removed]
    lines += [f"  robots.txt disallows {url}" for url in r.disallowed]
    lines += [f"  MISSING {url}: {why}" for url, why in r.missing]
    lines += [f"  FAILED {url}: {why}" for url, why in r.failed]
    if r.index is not None and r.ingest is not None:
        ing = r.ingest
        if ing.get("pending", 0) == 0 and not ing.get("written"):
            lines.append(f"index {r.index}: unchanged (every stored page is indexed)")
        else:  # new pages, or a new build for the index's own sake (sentence flags of older patterns)
            lines.append(f"index {r.index}: {'written' if ing.get('written') else 'unchanged'} (added "
                         f"{len(ing.get('added', []))}, updated {len(ing.get('updated', []))}, skipped "
                         f"{len(ing.get('skipped', []))}, failed {len(ing.get('failed', []))}; "
                         f"{ing.get('conferences', 0)} conferences)")
        lines += [f"  note {where}: {why}" for where, why in ing.get("warnings", [])]
    where = [str(Path(r.data) / "last_sync.json")] + ([str(Path(r.index) / "sync.json")] if r.index else [])
    lines.append(f"last sync: {r.finished_at}, newest transcript {r.newest or 'unknown'} ({', '.join(where)})")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    ap = argparse.ArgumentParser(prog="rag sync")
    add_arguments(ap, "index")
    sys.exit(run_cli(ap.parse_args()))
