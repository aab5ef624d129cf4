"""A deterministic stand-in for the MiniLM encoder. Unit tests only: integration tests use the real model."""

from __future__ import annotations

import hashlib

import numpy as np

from rag.text import bm25_tokens


class FakeEncoder:
    """Bag of hashed stemmed words -> normalised 384-d vector (cosine ~ word overlap).

    It has its own model name, so an index built with it is never mistaken for a MiniLM index
    (``store.load(..., model=MODEL_NAME)`` refuses it). Ingest checks an existing index against
    ``rag.ingest.MODEL_NAME``: tests that ingest twice with the fake patch that to ``FakeEncoder.name``.
    """

    name = "fake-hash-encoder"
    dtype = "fp32"
    dims = 384

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in bm25_tokens(t) or ["_"]:
                h = int.from_bytes(hashlib.md5(w.encode()).digest()[:4], "little")
                out[i, h % self.dims] += 1.0
            out[i] /= np.linalg.norm(out[i]) or 1.0
        return out

    def encode_units(self, texts: list[str], spans: list[list[tuple[int, int]]], *, batch_size: int = 64,
                     progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The span texts embedded on their own (the real encoder pools them from the texts' pass);
        ``calls`` counts the texts only, as the real encoder makes one pass over them."""
        vecs = self.encode(texts)
        pieces = [t[s:e] for t, sp in zip(texts, spans, strict=True) for s, e in sp]
        before = self.calls
        units = self.encode(pieces) if pieces else np.zeros((0, self.dims), dtype=np.float32)
        self.calls = before
        return vecs, units


def make_transcript(turns: list[tuple[str, str]], speaker: str = "Mao Ning", header: str = "") -> str:
    """Seed-style text from (outlet, answer) pairs."""
    lines = [header] if header else []
    for outlet, answer in turns:
        lines.append(f"{outlet}: What is your comment on {outlet}?")
        lines.append(f"{speaker}: {answer}")
    return "\n".join(lines) + "\n"
