"""The learned part of the sentence score: which sentence of a turn answers the question (issue 9).

Hand-weighted sums of the question-sentence cosine, term overlap, position and a few cue words
found the gold sentence of a relevant turn 0.61 of the time (paraphrase dev set); a careful reader
picking blind found one 0.97 of the time. Much of the gap is *what an answer looks like*: "We oppose
US unilateral sanctions." answers, "Ross held trade talks in Beijing from June 2 to 3." sets the
scene, whatever the question. The sentence's own MiniLM vector (stored at index time) carries that,
so the head is a logistic regression over the ranker's features plus the 384 numbers of the
sentence vector, trained on labelled (question, turn, answering sentences) triples that are **not**
in any dev set (``eval/sentences_train/``).

A logistic regression scores each sentence on its own; it cannot tell *which* answer-like sentence
the question is about. So the head adds a question-dependent term ``s · (M q)``: the sentence vector
``s`` against the question vector ``q`` mapped by a learned 384×384 matrix ``M`` (a bilinear form,
:func:`fit_query_map`), trained within turns (softmax over a turn's sentences) on the same pairs
plus a second round of them. It lifted training CV top-1 from 0.642 to 0.659 (eval/results/sentence_head.md).

The head is a plain JSON file shipped with the package (``rag/data/sentence_head.json``: feature
names, scaling, weights, the score scale, the training set's size and fingerprint, a version) and
the matrix beside it (``sentence_head.query_map.npy``), written by ``eval/sentence_head.py``.
Scoring is one matrix-vector product per question and one per turn: no model call.

    >>> h = SentenceHead(("a", "b"), np.zeros(2), np.ones(2), np.array([2.0, 0.0]), -1.0, 0.5)
    >>> h.logit(np.array([[1.0, 5.0], [0.0, 5.0]])).tolist()  # 2*1 - 1, 2*0 - 1
    [1.0, -1.0]
    >>> h.score(np.array([[1.0, 5.0]])).tolist()  # the logit times score_scale
    [0.5]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import RagError

HEAD_VERSION = 2  # 2: the optional query map
DEFAULT_PATH = Path(__file__).with_name("data") / "sentence_head.json"


@dataclass(frozen=True)
class SentenceHead:
    features: tuple[str, ...]  # names of the leading hand features; the sentence vector follows them
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    # Scores are logits times this: the within-turn spread of the hand-weighted sum the head replaced,
    # so the quote rules' margins (rag.quoting) keep their size. Set from the training turns only.
    score_scale: float = 1.0
    info: dict = field(default_factory=dict)  # training set, size, regularisation: for the record
    # (d, d) for sentence vectors of d numbers (the rows' last d columns): adds s · (query_map @ q) to the
    # logit when the question vector q is given. None: no question-dependent term.
    query_map: np.ndarray | None = None

    def logit(self, x: np.ndarray, q: np.ndarray | None = None) -> np.ndarray:
        """Log-odds that each row (a sentence's features) answers the question (vector ``q``, when given).

        >>> h = SentenceHead(("a",), np.zeros(3), np.ones(3), np.zeros(3), 0.0, query_map=np.eye(2))
        >>> h.logit(np.array([[9.0, 1.0, 0.0], [9.0, 0.0, 1.0]]), np.array([0.5, 0.0])).tolist()  # s · q
        [0.5, 0.0]
        """
        if x.ndim != 2 or x.shape[1] != len(self.weights):
            raise RagError(f"sentence head expects rows of {len(self.weights)} features, got shape {x.shape}")
        out = ((x - self.mean) / self.scale) @ self.weights + self.bias
        if self.query_map is not None and q is not None:
            out = out + x[:, len(self.features):] @ (self.query_map @ q)
        return out

    def score(self, x: np.ndarray, q: np.ndarray | None = None) -> np.ndarray:
        """The sentence score used to rank and join quotes: :meth:`logit` times ``score_scale``."""
        return self.logit(x, q) * self.score_scale

    def save(self, path: Path) -> None:
        """Write the head as JSON (temp file, then rename)."""
        doc = {"version": HEAD_VERSION, "features": list(self.features), "bias": round(float(self.bias), 6),
               "score_scale": round(float(self.score_scale), 6), "info": self.info,
               "mean": [round(float(v), 6) for v in self.mean], "scale": [round(float(v), 6) for v in self.scale],
               "weights": [round(float(v), 6) for v in self.weights]}
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.query_map is not None:
            qpath = _query_map_path(path)
            with open(qpath.with_suffix(".tmp"), "wb") as f:
                np.save(f, self.query_map.astype(np.float32))
            qpath.with_suffix(".tmp").replace(qpath)
            doc["query_map"] = qpath.name
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc) + "\n", encoding="utf-8")
        tmp.replace(path)


@lru_cache(maxsize=4)
def load_head(path: Path = DEFAULT_PATH) -> SentenceHead:
    """The head saved at ``path`` (default: the one shipped with the package); read once per path."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RagError(f"cannot read the sentence head {path}: {e}") from None
    if doc.get("version") not in (1, HEAD_VERSION):
        raise RagError(f"sentence head {path} has version {doc.get('version')!r}; this code reads 1 to {HEAD_VERSION}")
    arr = {k: np.asarray(doc[k], dtype=np.float32) for k in ("mean", "scale", "weights")}
    qmap = None
    if doc.get("query_map"):
        d = len(arr["weights"]) - len(doc["features"])
        try:
            qmap = np.load(Path(path).parent / doc["query_map"], allow_pickle=False)
        except (OSError, ValueError) as e:
            raise RagError(f"cannot read the sentence head's query map {doc['query_map']}: {e}") from None
        if qmap.shape != (d, d):
            raise RagError(f"sentence head query map {doc['query_map']} has shape {qmap.shape}, expected {(d, d)}")
    return SentenceHead(tuple(doc["features"]), arr["mean"], arr["scale"], arr["weights"], float(doc["bias"]),
                        float(doc.get("score_scale", 1.0)), doc.get("info", {}), qmap)


def _query_map_path(path: Path) -> Path:
    """``sentence_head.json`` -> ``sentence_head.query_map.npy`` beside it."""
    return Path(path).with_name(Path(path).stem + ".query_map.npy")


def fit(xs: list[np.ndarray], ys: list[np.ndarray], features: tuple[str, ...], *, c: float = 3.0,
        iterations: int = 50, info: dict | None = None) -> SentenceHead:
    """L2-regularised logistic regression (Newton's method) over every sentence of every training turn.

    ``xs[i]``: the feature rows of turn i's sentences; ``ys[i]``: 1 for its gold sentences. ``c`` is
    the inverse regularisation strength as in scikit-learn (penalty ``|w|^2 / (2c)``, bias free).
    ``score_scale`` is left at 1.0: :func:`scaled` sets it.

    >>> x = [np.array([[0.0], [1.0]]), np.array([[0.2], [0.9]])]
    >>> h = fit(x, [np.array([0, 1]), np.array([0, 1])], ("f",), c=10.0)
    >>> bool(h.logit(np.array([[1.0]]))[0] > 0 > h.logit(np.array([[0.0]]))[0])
    True
    """
    x = np.vstack(xs).astype(np.float64)
    y = np.concatenate(ys).astype(np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])  # last column: the bias
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], 1.0 / c)
    reg[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        step = np.linalg.solve((z * (p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9), z.T @ (p - y) + reg * w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return SentenceHead(tuple(features), mean.astype(np.float32), scale.astype(np.float32), w[:-1].astype(np.float32),
                        float(w[-1]), 1.0, dict(info or {}))


def scaled(head: SentenceHead, xs: list[np.ndarray], target_spread: float,
           qs: list[np.ndarray] | None = None) -> SentenceHead:
    """``head`` with ``score_scale`` set so its scores spread within a turn (mean standard deviation
    over the turns ``xs``, asked by the question vectors ``qs`` when given) by ``target_spread``.

    >>> h = SentenceHead(("a",), np.zeros(1), np.ones(1), np.array([2.0]), 0.0)
    >>> scaled(h, [np.array([[0.0], [1.0]])], 0.5).score_scale  # logits 0 and 2 spread by 1.0
    0.5
    """
    spread = float(np.mean([head.logit(x, q).std() for x, q in zip(xs, qs or [None] * len(xs), strict=True)]))
    return replace(head, score_scale=target_spread / spread if spread > 0 else 1.0)


def fit_query_map(xs: list[np.ndarray], ys: list[np.ndarray], qs: list[np.ndarray], base: list[np.ndarray], dims: int,
                  *, lam: float = 1e-2, epochs: int = 8, gain: float = 10.0, seed: int = 0) -> np.ndarray:
    """The matrix ``M`` of the question-dependent term ``s · (M q)``, fitted within turns.

    Turn i has sentence rows ``xs[i]`` (the last ``dims`` columns are the sentence vectors), gold flags
    ``ys[i]``, question vector ``qs[i]`` and the head's logits ``base[i]``; ``M`` maximises the softmax
    probability of the turn's gold sentences under ``base + s · (M q)``, with ``lam × |M / gain|²``
    (Adam, batches of 64 turns, ``M`` from zero; ``gain`` only sets the step size). Deterministic for a
    seed. Needs torch (installed with sentence-transformers).
    """
    import torch

    torch.manual_seed(seed)
    a = torch.zeros(dims, dims, requires_grad=True)
    opt = torch.optim.Adam([a], lr=1e-3)
    data = [(torch.tensor(b, dtype=torch.float32), torch.tensor(x[:, -dims:], dtype=torch.float32),
             torch.tensor(q, dtype=torch.float32), torch.tensor(y, dtype=torch.float32) > 0)
            for x, y, q, b in zip(xs, ys, qs, base, strict=True)]
    for epoch in range(epochs):
        order = np.random.default_rng(seed + epoch).permutation(len(data))
        for start in range(0, len(order), 64):
            batch = order[start:start + 64]
            loss = torch.zeros(())
            for j in batch:
                b, s, q, gold = data[j]
                z = b + (s @ (a @ q)) * gain
                loss = loss - (torch.logsumexp(z[gold], 0) - torch.logsumexp(z, 0))
            loss = loss / len(batch) + lam * (a ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return a.detach().numpy() * gain
