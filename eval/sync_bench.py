"""A sync of the whole local mirror (no indexing); writes eval/results/sync.md.

    .venv/bin/python eval/sync_bench.py [--rate 100]

Serves the shared corpus on 127.0.0.1 at its real paths (tests/sync_mirror.py) and runs ``rag sync
--no-index`` as a user would, into a fresh data folder, four times:

1. all listings: the English and Chinese listings saved on 2020-07-04, and newer-layout listings
   written over every page of ``mfa/pages.tsv`` (the site's current generation; none was saved; its
   pages sit in three folders, so three listings);
2. the same again: nothing new, every listing answered 304;
3. the Chinese listing saved on 2020-12-13 (127 new items on top, which the corpus does not have:
   the mirror answers 404, and they must be reported as missing);
4. once more: nothing new.

The rate is a parameter (the real site gets the default, 1 request/s): the time at 1 request/s is
about the number of requests in seconds. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sync_mirror import EN_LISTING, MFA_LISTINGS, ZH_LISTING, Mirror, newer_listing_pages  # noqa: E402


def run(args: list[str]) -> tuple[dict, float, int]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "rag.cli", "sync", *args, "--json", "--quiet"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return json.loads(proc.stdout), time.perf_counter() - t, proc.returncode


def row(name: str, r: dict, seconds: float, code: int) -> str:
    return (f"| {name} | {r['listings_read']} + {r['listings_unchanged']} | {r['links']} | {len(r['new'])} | "
            f"{r['unchanged']} | {len(r['removed'])} | {len(r['missing'])} | {len(r['failed'])} | "
            f"{r['requests']} | {seconds:.1f} s | {code} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--out", default=str(ROOT / "eval" / "results" / "sync.md"))
    args = ap.parse_args()
    rows = []
    with Mirror() as m, tempfile.TemporaryDirectory() as tmp:
        listings = ["--listing", m.url(EN_LISTING), "--listing", m.url(ZH_LISTING)]
        for listing in MFA_LISTINGS:  # 991 pages in three folders, 20 a listing page
            m.add_listing(newer_listing_pages(listing))
            listings += ["--listing", m.url(listing)]
        common = ["--data", str(Path(tmp) / "data"), "--no-index", "--rate", str(args.rate)]
        for name in ("all listings, fresh data folder", "again"):
            rows.append(row(name, *run(listings + common)))
        m.use_listing("zh-2020-12-13")
        for name in ("Chinese listing of 2020-12-13", "again"):
            rows.append(row(name, *run(["--listing", m.url(ZH_LISTING)] + common)))
        stored = len(list((Path(tmp) / "data").glob("*/*.html")))
    text = "\n".join([
        "# rag sync over the whole local mirror (eval/sync_bench.py)", "",
        f"`rag sync --no-index --rate {args.rate:g}` against tests/sync_mirror.py on 127.0.0.1; "
        f"{stored} pages stored in the end. Listing pages: read (200) + unchanged (304).", "",
        "| run | listing pages | links | new | already stored | removed | missing (404) | failed | requests "
        "| time | exit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", *rows, ""])
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
