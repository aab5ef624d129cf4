"""Parts of eval/bench.py run in child processes: embedding throughput by runtime, and where a build's time goes.

``throughput(INDEX)``: 1,000 chunk texts of the index (a seeded sample) embedded with their sentence units
by torch fp32, onnx fp32 and onnx int8, batch by batch in turn (the order alternating), so load from other
processes falls on all three alike; median over rounds of each runtime's total; vectors compared to torch.

``build_stages(PAGES, INDEX)``: one cold build in this process with a timer around each stage (parse,
chunk, model load, tokenise, forward pass, pooling, cache writes, sentence table, BM25, FAISS, writing).

    .venv/bin/python eval/bench.py --throughput INDEX      # doctest: +SKIP
    {"passages": 1000, "torch_fp32": {"passages_per_s": 41.0, ...}, "onnx_fp32": {...}, ...}
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIMES = (("torch_fp32", "fp32", "torch"), ("onnx_fp32", "fp32", "onnx"), ("onnx_int8", "int8", "onnx"))


def throughput(idx: Path, n: int = 1000, rounds: int = 3, batch: int = 64) -> dict:
    """Batches of 64 texts (a build's group) go to each runtime in turn; each runtime cuts them as it
    would in a build (``rag.embedding.BATCH``)."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from rag import store
    from rag.embedding import Embedder
    from rag.sentences import unit_spans

    index = store.load(idx)
    chunks = random.Random(7).sample(index.chunks, min(n, len(index.chunks)))
    chunks.sort(key=lambda c: -len(c.embed_text))  # as a build orders them
    texts = [c.embed_text for c in chunks]
    spans = [[(s + len(c.embed_text) - len(c.text), e + len(c.embed_text) - len(c.text)) for s, e in sp]
             for c, sp in zip(chunks, unit_spans(chunks), strict=True)]
    encs = {name: Embedder(dtype, backend=backend) for name, dtype, backend in RUNTIMES}
    for e in encs.values():
        e.encode_units(texts[:batch], spans[:batch])  # warm-up
    wall = {k: [] for k in encs}
    cpu = {k: [] for k in encs}
    out: dict = {k: ([], []) for k in encs}
    for r in range(rounds):
        w, c = defaultdict(float), defaultdict(float)
        for bi, b in enumerate(range(0, len(texts), batch)):
            names = list(encs) if (bi + r) % 2 == 0 else list(encs)[::-1]
            for k in names:
                t, p = time.perf_counter(), time.process_time()
                v, u = encs[k].encode_units(texts[b:b + batch], spans[b:b + batch])
                w[k] += time.perf_counter() - t
                c[k] += time.process_time() - p
                if r == 0:
                    out[k][0].append(v)
                    out[k][1].append(u)
        for k in encs:
            wall[k].append(w[k])
            cpu[k].append(c[k])
    ref_v, ref_u = (np.concatenate(x) for x in out["torch_fp32"])
    res: dict = {"passages": len(texts), "rounds": rounds, "batch": batch}
    for k in encs:
        v, u = (np.concatenate(x) for x in out[k])
        live = np.abs(ref_u).sum(axis=1) > 0  # units cut off by the 256 word-piece limit are zero
        cos, ucos = (v * ref_v).sum(axis=1), (u[live] * ref_u[live]).sum(axis=1)
        res[k] = {"passages_per_s": round(len(texts) / statistics.median(wall[k]), 1),
                  "cpu_s_per_1000": round(1000 * statistics.median(cpu[k]) / len(texts), 1),
                  "rounds_s": [round(x, 2) for x in wall[k]],
                  "max_abs_diff_to_torch": float(np.abs(v - ref_v).max()),
                  "units_max_abs_diff_to_torch": float(np.abs(u - ref_u).max()),
                  "cosine_to_torch_min": round(float(cos.min()), 7), "cosine_to_torch_mean": round(float(cos.mean()), 7),
                  "units_cosine_to_torch_min": round(float(ucos.min()), 7),
                  "units_cosine_to_torch_mean": round(float(ucos.mean()), 7)}
    return res


def build_stages(pages: list[str], idx: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from rag import align, embed_cache, ingest, store
    from rag.embedding import Embedder

    spent: dict[str, float] = defaultdict(float)
    passes: list[tuple[float, float]] = []  # (start, end) of each forward pass: two may run at once

    def timed(owner, name: str, stage: str) -> None:  # noqa: ANN001 - a module or class
        f = getattr(owner, name)

        def wrapper(*a, **k):  # noqa: ANN002, ANN003, ANN202
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                spent[stage] += time.perf_counter() - t

        setattr(owner, name, wrapper)

    class Timed:
        """Times one method of the object it wraps, passes everything else through."""

        def __init__(self, obj, method: str, stage: str | None) -> None:  # noqa: ANN001 - None: into passes
            self._obj = obj
            timed_call = getattr(obj, method)

            def call(*a, **k):  # noqa: ANN002, ANN003, ANN202
                t = time.perf_counter()
                try:
                    return timed_call(*a, **k)
                finally:
                    if stage is None:
                        passes.append((t, time.perf_counter()))
                    else:
                        spent[stage] += time.perf_counter() - t

            setattr(self, method, call)

        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(self._obj, name)

    for owner, name, stage in ((ingest, "parse_file", "parse"), (ingest, "chunk_source", "chunk"),
                               (ingest, "embed_chunks", "embed"), (embed_cache.EmbedCache, "put", "cache writes"),
                               (ingest, "build_table", "sentence table"), (store, "bm25_from_texts", "BM25"),
                               (store, "_build_dense", "FAISS"), (ingest, "build_zh", "Chinese part"),
                               (align, "align_corpus", "alignment"), (store, "save", "writing the index")):
        timed(owner, name, stage)

    def factory() -> Embedder:
        t = time.perf_counter()
        enc = Embedder()
        rep = enc._model  # the one replica of a building Embedder
        if hasattr(rep, "session"):  # onnx: the tokenizer and the session separately
            rep.tokenizer = Timed(rep.tokenizer, "encode_batch", "tokenise")
            rep.session = Timed(rep.session, "run", None)
        spent["model load"] += time.perf_counter() - t
        return enc

    t = time.perf_counter()
    rep = ingest.ingest(pages, idx, encoder_factory=factory)
    total = time.perf_counter() - t
    if passes:
        # Wall time with at least one pass running (the union of their intervals): with two passes at a
        # time, the sum of their durations would count the same seconds twice.
        busy, end = 0.0, float("-inf")
        for a, b in sorted(passes):
            busy += max(0.0, b - max(a, end))
            end = max(end, b)
        spent["forward pass (wall, 1+ running)"] = busy
        spent["pooling, batching (not hidden behind a pass)"] = spent["embed"] - spent["tokenise"] - busy
        del spent["embed"]
    spent["other (hashing, sorting, Python)"] = total - sum(spent.values())
    m = store.read_manifest(idx) or {}
    return {"seconds": round(total, 1), "chunks": rep.chunks, "runtime": f"{m.get('backend')} {m.get('dtype')}",
            "stages": {k: round(v, 2) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}}


def markdown_sections(r: dict) -> list[str]:
    lines: list[str] = []
    e = r.get("embedding")
    if e:
        lines += ["", f"## Embedding runtimes ({e['passages']} chunk texts of the index with their sentence units, "
                      f"groups of {e['batch']} taken by each runtime in turn and batched as in a build, median of "
                      f"{e['rounds']} rounds)", "",
                  "| runtime | passages/s | CPU s per 1,000 | vs torch | max abs diff to torch | cosine to torch "
                  "(min / mean) | sentence units: cosine (min / mean) |", "|---|---|---|---|---|---|---|"]
        base = e["torch_fp32"]["passages_per_s"]
        for name, _, _ in RUNTIMES:
            x = e[name]
            lines.append(f"| {name.replace('_', ' ')} | {x['passages_per_s']} | {x['cpu_s_per_1000']} | "
                         f"{x['passages_per_s'] / base:.2f}× | {x['max_abs_diff_to_torch']:.1e} | "
                         f"{x['cosine_to_torch_min']:.4f} / {x['cosine_to_torch_mean']:.4f} | "
                         f"{x['units_cosine_to_torch_min']:.4f} / {x['units_cosine_to_torch_mean']:.4f} |")
    s = r.get("stages")
    if s:
        lines += ["", f"## Where this tree's cold build spends its time (one more build, in process, {s['runtime']}: "
                      f"{s['seconds']} s, {s['chunks']} chunks, peak RSS {s['peak_rss_mb']} MB)", "",
                  "| stage | s | share |", "|---|---|---|"]
        for k, v in s["stages"].items():
            lines.append(f"| {k} | {v} | {100 * v / s['seconds']:.1f} % |")
    return lines
