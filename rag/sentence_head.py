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
plus a second round of them. It lifts training CV top-1 from 0.634 to 0.655 (eval/results/sentence_head.md §13).

The head is a plain JSON file shipped with the package (``rag/data/sentence_head.json``: feature
names, scaling, weights, the score scale, the training set's size and fingerprint, a version) and
the matrix beside it (``sentence_head.query_map.npy``), written by ``eval/sentence_head.py``.
Scoring is two small matrix products per turn (the map's 384×384 one costs ~20 µs): no model call.

    >>> h = SentenceHead(("a", "b"), np.zeros(2), np.ones(2), np.array([2.0, 0.0]), -1.0, 0.5)
    >>> h.logit(np.array([[1.0, 5.0], [0.0, 5.0]])).tolist()  # 2*1 - 1, 2*0 - 1
    [1.0, -1.0]
    >>> h.score(np.array([[1.0, 5.0]])).tolist()  # the logit times score_scale
    [0.5]
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import RagError

HEAD_VERSION = 2  # 2: the optional query map
SUPPORTED_VERSIONS = (1, 2)  # 1: no query map
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
        """Write the head as JSON and its query map beside it (temp files, then renames; the JSON records the
        map's fingerprint, so a crash between the two renames is caught when the head is loaded)."""
        doc = {"version": HEAD_VERSION, "features": list(self.features), "bias": round(float(self.bias), 6),
               "score_scale": round(float(self.score_scale), 6), "info": self.info,
               "mean": [round(float(v), 6) for v in self.mean], "scale": [round(float(v), 6) for v in self.scale],
               "weights": [round(float(v), 6) for v in self.weights]}
        path.parent.mkdir(parents=True, exist_ok=True)
        qpath = _query_map_path(path)
        if self.query_map is not None:
            buf = io.BytesIO()
            np.save(buf, self.query_map.astype(np.float32))
            qpath.with_suffix(".tmp").write_bytes(buf.getvalue())
            doc["query_map"] = {"file": qpath.name, "sha1": hashlib.sha1(buf.getvalue()).hexdigest()}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc) + "\n", encoding="utf-8")
        if self.query_map is not None:
            qpath.with_suffix(".tmp").replace(qpath)
        elif qpath.exists():
            qpath.unlink()  # a stale map beside a head without one would be shipped as package data
        tmp.replace(path)


@lru_cache(maxsize=4)
def load_head(path: Path = DEFAULT_PATH) -> SentenceHead:
    """The head saved at ``path`` (default: the one shipped with the package); read once per path."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RagError(f"cannot read the sentence head {path}: {e}") from None
    if doc.get("version") not in SUPPORTED_VERSIONS:
        raise RagError(f"sentence head {path} has version {doc.get('version')!r}; this code reads "
                       f"{', '.join(map(str, SUPPORTED_VERSIONS))}")
    arr = {k: np.asarray(doc[k], dtype=np.float32) for k in ("mean", "scale", "weights")}
    qmap = None
    if doc.get("query_map"):
        name, d = doc["query_map"]["file"], len(arr["weights"]) - len(doc["features"])
        try:
            raw = (Path(path).parent / name).read_bytes()
            qmap = np.load(io.BytesIO(raw), allow_pickle=False)
        except (OSError, ValueError) as e:
            raise RagError(f"cannot read the sentence head's query map {name}: {e}") from None
        if hashlib.sha1(raw).hexdigest() != doc["query_map"]["sha1"]:
            raise RagError(f"sentence head query map {name} is not the one {path} was saved with: re-train")
        if qmap.shape != (d, d):
            raise RagError(f"sentence head query map {name} has shape {qmap.shape}, expected {(d, d)}")
    return SentenceHead(tuple(doc["features"]), arr["mean"], arr["scale"], arr["weights"], float(doc["bias"]),
                        float(doc.get("score_scale", 1.0)), doc.get("info", {}), qmap)


def _query_map_path(path: Path) -> Path:
    """``sentence_head.json`` -> ``sentence_head.query_map.npy`` beside it."""
    return Path(path).with_name(Path(path).stem + ".query_map.npy")
