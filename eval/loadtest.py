"""Load test of the chat app over loopback; writes eval/results/loadtest.json and .md.

    .venv/bin/python eval/loadtest.py --index /tmp/idx500 [--clients 20] [--seconds 60] [--max-requests 2000]

Starts ``app.py`` on a free 127.0.0.1 port over the given index, then runs N concurrent
clients (``gradio_client``, the app's ``/ask_json`` API) for a bounded time and a bounded
number of requests, and records errors, throughput and latency percentiles. Traffic goes
to 127.0.0.1 only. This is a measurement script, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "What did China say about the trade war with the United States?",
    "Huawei Meng Wanzhou extradition", "Hong Kong protests", "Xinjiang vocational training centers",
    "South China Sea freedom of navigation", "the novel coronavirus outbreak in Wuhan", "WHO funding",
    "Korean Peninsula denuclearization talks", "Taiwan arms sales", "Belt and Road Initiative debt trap",
    "Canadians detained in China", "Iran nuclear deal", "visit of the Pakistani prime minister",
    "Nobel Peace Prize", "tariffs in June 2019", "G20 summit in Osaka", "Venezuela", "Tibet",
    "cyber attacks", "climate change Paris agreement",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return time.perf_counter() - t0
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"app did not open port {port} in {timeout} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--max-requests", type=int, default=2000, help="stop after this many requests in all")
    ap.add_argument("--out", default=str(ROOT / "eval/results"))
    args = ap.parse_args()
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    app = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--index", args.index, "--port", str(port)],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        cold = wait_port(port, 120)
        from gradio_client import Client

        url = f"http://127.0.0.1:{port}/"
        warm = Client(url, verbose=False)
        t = time.perf_counter()
        warm.predict(QUESTIONS[0], api_name="/ask_json")  # the model is loaded once the first answer comes back
        first = time.perf_counter() - t
        lat: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.perf_counter() + args.seconds
        budget = [args.max_requests]

        def client(i: int) -> None:
            rng = random.Random(i)
            c = Client(url, verbose=False)
            while time.perf_counter() < deadline:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                q = rng.choice(QUESTIONS)
                t = time.perf_counter()
                try:
                    out = c.predict(q, api_name="/ask_json")
                    ok = isinstance(out, dict) and "citations" in out
                    err = None if ok else f"unexpected reply: {str(out)[:200]}"
                except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the test
                    err = f"{type(e).__name__}: {e}"[:300]
                dt = time.perf_counter() - t
                with lock:
                    lat.append(dt)
                    if err:
                        errors.append(err)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(args.seconds + 60)
        wall = time.perf_counter() - t0
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
    lat.sort()
    pct = lambda p: round(1000 * lat[min(len(lat) - 1, int(p / 100 * (len(lat) - 1)))], 1) if lat else None  # noqa: E731
    res = {"index": args.index, "clients": args.clients, "seconds": round(wall, 1), "requests": len(lat),
           "errors": len(errors), "error_samples": errors[:5], "throughput_rps": round(len(lat) / wall, 2),
           "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": pct(100),
           "mean_ms": round(1000 * statistics.mean(lat), 1) if lat else None,
           "app_port_open_s": round(cold, 2), "first_answer_s": round(first, 2)}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = "loadtest-" + Path(args.index).name
    (out / f"{name}.json").write_text(json.dumps(res, indent=1) + "\n")
    md = (f"# Load test: {args.clients} clients, {res['seconds']} s, index {Path(args.index).name}\n\n"
          f"| requests | errors | req/s | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|---|\n"
          f"| {res['requests']} | {res['errors']} | {res['throughput_rps']} | {res['p50_ms']} ms | {res['p95_ms']} ms "
          f"| {res['p99_ms']} ms | {res['max_ms']} ms |\n\nApp port open after {res['app_port_open_s']} s; "
          f"first answer {res['first_answer_s']} s after that. Target: 0 errors, p95 < 1 s.\n")
    (out / f"{name}.md").write_text(md)
    print(md)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
