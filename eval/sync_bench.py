"""A sync of the whole local mirror; writes eval/results/sync.md.

    .venv/bin/python eval/sync_bench.py [--rate 100] [--full]

Serves the shared corpus on 127.0.0.1 at its real paths (tests/sync_mirror.py) and runs ``rag sync``
as a user would, into a fresh data folder:

1. all listings, ``--no-index``: the English and Chinese listings saved on 2020-07-04, and newer-layout
   listings written over every page of ``mfa/pages.tsv`` (the site's current generation; none was saved;
   its pages sit in three folders, so three listings);
2. the same again: nothing new, every listing answered 304;
3. the Chinese listings with ``--lang zh --index`` into an index of seeds/ (built first): nothing to
   fetch, every stored Chinese page is indexed (Chinese pages are searched by words, not embedded, so
   this needs no model time; the English pages are not indexed here: embedding all 500 takes ~8 min);
4. the Chinese listing saved on 2020-12-13 (127 new items on top, which the corpus does not have:
   the mirror answers 404, and they must be reported as missing), into the same index;
5. once more: nothing new.

The rate is a parameter (the real site gets the default, 1 request/s): the time at 1 request/s is
about the number of requests in seconds. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
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
    ing = r.get("ingest") or {}
    indexed = f"{len(ing.get('added', []))} in {ing.get('seconds', 0):.1f} s" if ing.get("pending") else "-"
    return (f"| {name} | {r['listings_read']} + {r['listings_unchanged']} | {r['links']} | {len(r['new'])} | "
            f"{r['unchanged']} | {len(r['removed'])} | {len(r['missing'])} | {len(r['failed'])} | "
            f"{r['requests']} | {indexed} | {seconds:.1f} s | {code} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--out", default=None)
    ap.add_argument("--full", action="store_true",
                    help="index everything in the first run (the English pages are embedded: minutes, not seconds); "
                         "writes eval/results/sync-full.md")
    args = ap.parse_args()
    args.out = args.out or str(ROOT / "eval" / "results" / ("sync-full.md" if args.full else "sync.md"))
    rows = []
    load = os.getloadavg()[0]  # the machine is shared: say how busy it was
    with Mirror() as m, tempfile.TemporaryDirectory() as tmp:
        listings = ["--listing", m.url(EN_LISTING), "--listing", m.url(ZH_LISTING)]
        for listing in MFA_LISTINGS:  # 991 pages in three folders, 20 a listing page
            m.add_listing(newer_listing_pages(listing))
            listings += ["--listing", m.url(listing)]
        common = ["--data", str(Path(tmp) / "data"), "--rate", str(args.rate)]
        index = str(Path(tmp) / "index")
        subprocess.run([sys.executable, "-m", "rag.cli", "ingest", "seeds/", "--index", index, "--quiet"], cwd=ROOT,
                       check=True, capture_output=True)
        if args.full:  # from the seeds index to the whole shared corpus in one run, then nothing new
            for name in ("all listings, fresh data folder, `--index` (seeds index)", "again"):
                rows.append(row(name, *run(listings + common + ["--index", index])))
        else:
            for name in ("all listings, fresh data folder, `--no-index`", "again"):
                rows.append(row(name, *run(listings + common + ["--no-index"])))
            rows.append(row("Chinese listings `--lang zh --index` (seeds index)",
                            *run(listings + common + ["--lang", "zh", "--index", index])))
        m.use_listing("zh-2020-12-13")
        for name in ("Chinese listing of 2020-12-13, `--index`", "again"):
            rows.append(row(name, *run(["--listing", m.url(ZH_LISTING)] + common + ["--index", index])))
        stored = len(list((Path(tmp) / "data").glob("*/*.html")))
        indexed = json.loads(subprocess.run([sys.executable, "-c", "import json,sys; from rag import store; "
                                             f"i = store.load({index!r}); print(json.dumps([len(i.sources), "
                                             "len(i.zh.sources) if i.zh else 0]))"],
                                            cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    text = "\n".join([
        "# rag sync over the whole local mirror (eval/sync_bench.py)", "",
        f"`rag sync --rate {args.rate:g}` against tests/sync_mirror.py on 127.0.0.1; "
        f"{stored} pages stored in the end; the index holds {indexed[0]} English and {indexed[1]} Chinese "
        "transcripts. Listing pages: read (200) + unchanged (304); `new`: pages fetched and stored. "
        f"Load average at the start: {load:.1f} on {os.cpu_count()} cores.", "",
        "| run | listing pages | links | new | known before | removed | missing (404) | failed | requests "
        "| indexed | time | exit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", *rows, ""])
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
