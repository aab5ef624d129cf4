"""Load test of the chat app over loopback; writes eval/results/loadtest-<index>.json and .md.

    .venv/bin/python eval/loadtest.py --index /tmp/idx500 [--clients 20] [--seconds 60] [--max-requests 5000]

Starts ``app.py`` on a free 127.0.0.1 port over the given index, then runs N concurrent
clients (threads speaking Gradio's HTTP API to the app's ``/ask_json`` endpoint, through the
same queue the page uses) for a bounded time and a bounded number of requests, and records
errors, throughput and latency percentiles. Traffic goes to 127.0.0.1 only. This is a
measurement script, not a timed test.

The clients speak plain HTTP rather than ``gradio_client``: they share the app's 2 cores, and
``gradio_client`` spent about 80 ms of CPU per request (as much as the app itself), so it
measured the test harness as much as the app.

An error is any failed request, and also any reply that is wrong: every question is first
answered once with no other traffic, and under load each reply must cite the same quotes at
the same offsets and rank the same turns (a race in the retriever would show up here), and
every quote must be the exact slice ``canonical[start:end]`` of its stored transcript.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
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


def ask_http(port: int, question: str, session: str) -> object:
    """One question through Gradio's HTTP API: POST the call, then read its event stream.

    POST /gradio_api/call/ask_json {"data": [...all seven inputs...], "session_hash": ...} -> {"event_id": ...};
    GET  /gradio_api/call/ask_json/<event_id> -> "event: complete\\ndata: [reply]" (or "event: error").
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        # One session per simulated reader, as a browser tab keeps one. Without it Gradio opens a
        # new session for every call and copies the whole page's state into it (11 % of the app's
        # CPU in a profile), which no real reader costs.
        body = json.dumps({"data": [question, "", "", "", "", 10, []], "session_hash": session})
        conn.request("POST", "/gradio_api/call/ask_json", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        if r.status != 200:
            raise RuntimeError(f"POST {r.status}: {r.read()[:200]!r}")
        event_id = json.loads(r.read())["event_id"]
        conn.request("GET", f"/gradio_api/call/ask_json/{event_id}")
        r = conn.getresponse()
        stream = r.read().decode("utf-8")
    finally:
        conn.close()
    event = None
    for line in stream.splitlines():
        if line.startswith("event: "):
            event = line[7:].strip()
        elif line.startswith("data: ") and event in ("complete", "error"):
            if event == "error":
                raise RuntimeError(f"app error: {line[6:][:200]}")
            return json.loads(line[6:])[0]
    raise RuntimeError(f"no result in the event stream: {stream[:200]!r}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to see where the 2 cores went."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def signature(reply: object) -> object:
    """What must not change between a lone answer and the same answer under load."""
    if not isinstance(reply, dict) or "citations" not in reply:
        return None
    return ([(c["source"], c["start"], c["end"], c["quote"]) for c in reply["citations"]],
            [h["turn_id"] for h in reply["hits"]], reply["found"], reply["answer"])


def not_verbatim(reply: dict, canonical: dict[str, str]) -> list[str]:
    return [f"quote [{c['n']}] is not {c['source']}[{c['start']}:{c['end']}]" for c in reply["citations"]
            if canonical[c["source"]][c["start"]:c["end"]] != c["quote"]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--max-requests", type=int, default=5000, help="stop after this many requests in all")
    ap.add_argument("--out", default=str(ROOT / "eval/results"))
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from rag import store

    index = store.load(Path(args.index))
    canonical = {name: src.canonical for name, src in index.sources.items()}
    size = {"sources": len(index.sources), "chunks": len(index.chunks)}
    del index
    load_before = os.getloadavg()
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    # The app's output goes to a file, not a pipe: nobody reads a pipe during the run, and a full
    # one (64 KB of log lines) would stall the app mid-test.
    log = tempfile.NamedTemporaryFile("w+", prefix="loadtest-app-", suffix=".log", delete=False)  # noqa: SIM115
    app = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--index", args.index, "--port", str(port)],
                           cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        cold = wait_port(port, 120)
        t = time.perf_counter()
        ask_http(port, QUESTIONS[0], "warm-up")  # the model is loaded once the first answer comes back
        first = time.perf_counter() - t
        reference = {}  # each question answered alone: what every reply under load must equal
        for q in QUESTIONS:
            reply = ask_http(port, q, "warm-up")
            sig = signature(reply)
            if sig is None or not_verbatim(reply, canonical):
                sys.exit(f"the lone answer to {q!r} is already wrong: {str(reply)[:300]} (app log: {log.name})")
            reference[q] = sig
        found = sum(sig[2] for sig in reference.values())
        lat: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.perf_counter() + args.seconds
        budget = [args.max_requests]

        def client(i: int) -> None:
            rng = random.Random(i)
            while time.perf_counter() < deadline:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                q = rng.choice(QUESTIONS)
                t = time.perf_counter()
                try:
                    out = ask_http(port, q, f"client-{i}")
                    sig = signature(out)
                    if sig is None:
                        err = f"unexpected reply: {str(out)[:200]}"
                    elif sig != reference[q]:
                        err = f"reply to {q!r} differs from its lone answer"
                    else:
                        bad = not_verbatim(out, canonical)
                        err = f"{q!r}: {bad[0]}" if bad else None
                except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the test
                    err = f"{type(e).__name__}: {e}"[:300]
                dt = time.perf_counter() - t
                with lock:
                    lat.append(dt)
                    if err:
                        errors.append(err)

        t0 = time.perf_counter()
        cpu0 = (cpu_seconds(app.pid), sum(os.times()[:2]))
        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(args.seconds + 60)
        wall = time.perf_counter() - t0
        server_cpu, client_cpu = cpu_seconds(app.pid) - cpu0[0], sum(os.times()[:2]) - cpu0[1]
        rss = peak_rss_mb(app.pid)
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        log.close()
    lat.sort()
    pct = lambda p: round(1000 * lat[min(len(lat) - 1, int(p / 100 * (len(lat) - 1)))], 1) if lat else None  # noqa: E731
    res = {"index": args.index, **size, "when": time.strftime("%Y-%m-%d %H:%M"),
           "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}",
           "load_avg_before": [round(x, 2) for x in load_before], "questions": len(QUESTIONS),
           "questions_found": found, "clients": args.clients, "seconds": round(wall, 1), "requests": len(lat),
           "errors": len(errors), "error_samples": errors[:5], "throughput_rps": round(len(lat) / wall, 2),
           "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": pct(100),
           "mean_ms": round(1000 * statistics.mean(lat), 1) if lat else None,
           "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, len(lat)), 1),
           "client_cpu_ms_per_request": round(1000 * client_cpu / max(1, len(lat)), 1),
           "app_peak_rss_mb": rss, "app_port_open_s": round(cold, 2), "first_answer_s": round(first, 2)}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = "loadtest-" + Path(args.index).name
    (out / f"{name}.json").write_text(json.dumps(res, indent=1) + "\n")
    md = (f"# Load test: {args.clients} clients, {res['seconds']} s, index {Path(args.index).name}\n\n"
          f"{res['when']}; {res['machine']}; index of {size['sources']} transcripts, {size['chunks']} chunks; "
          f"load average before the run {res['load_avg_before'][0]}. {len(QUESTIONS)} questions "
          f"({found} answered with quotes), each checked under load against its lone answer and for "
          f"verbatim quotes; the app serves 4 answers at a time (Gradio queue), the rest wait in line.\n\n"
          f"| requests | errors | req/s | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|---|\n"
          f"| {res['requests']} | {res['errors']} | {res['throughput_rps']} | {res['p50_ms']} ms | {res['p95_ms']} ms "
          f"| {res['p99_ms']} ms | {res['max_ms']} ms |\n\nCPU per request: app {res['server_cpu_ms_per_request']} ms, "
          f"load-test clients {res['client_cpu_ms_per_request']} ms (both on the same 2 cores); app peak RSS {rss} MB. App port open after {res['app_port_open_s']} s; "
          f"first answer {res['first_answer_s']} s after that. Target: 0 errors, p95 < 1 s.\n")
    (out / f"{name}.md").write_text(md)
    print(md)
    if errors:
        sys.exit(f"{len(errors)} error(s); the app's log is {log.name}")
    os.unlink(log.name)


if __name__ == "__main__":
    main()
