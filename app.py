"""Spokesperson Search, the chat page: ``python app.py [--index DIR] [--host H] [--port P] [--auth USER:PASS]``.

A thin shell: parse arguments, load the index, start the page (rag/ui/). Served on
127.0.0.1:7860 by default, never through a share link.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path

from rag.embedding import set_offline_env

DEFAULT_INDEX = Path(__file__).resolve().parent / "index"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="app.py", description="Spokesperson Search: the chat page.")
    ap.add_argument("--index", default=str(DEFAULT_INDEX), help="index directory (default: index/ at the repo root)")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    ap.add_argument("--auth", metavar="USER:PASS", help="require this user name and password")
    args = ap.parse_args(argv)
    if args.auth is not None:
        user, sep, password = args.auth.partition(":")
        if not sep or not user or not password:
            ap.error("--auth must look like USER:PASS")
        args.auth = (user, password)
    if not 0 < args.port < 65536:
        ap.error("--port must be 1-65535")
    return args


def main(argv: list[str] | None = None) -> int:
    t0 = time.perf_counter()
    args = parse_args(argv)
    set_offline_env()  # before gradio or transformers are imported
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from rag.ui.backend import Backend
    from rag.ui.page import build_page, launch

    backend = Backend(args.index)
    loader = backend.start()  # the model loads in the background while the index loads and the page is built
    if backend.problem:
        print(f"app.py: {backend.problem}\n  build it with: rag ingest seeds/ --index {args.index}", file=sys.stderr)
    demo = build_page(backend)
    if loader is not None:
        loader.join()
    print(f"app.py: ready in {time.perf_counter() - t0:.1f} s (index {backend.timings.get('index', 0):.1f} s, "
          f"model {backend.timings.get('model', 0):.1f} s)", file=sys.stderr, flush=True)
    # Stopped by a signal (kill, a supervisor), end like Ctrl-C: Gradio closes the server and exit handlers
    # run (they remove the page's temp folder of conversation exports).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    launch(demo, host=args.host, port=args.port, auth=args.auth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
