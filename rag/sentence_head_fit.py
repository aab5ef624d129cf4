"""Fitting the sentence head (:mod:`rag.sentence_head`): the logistic regression, its score scale, and the
query map. Used by ``eval/sentence_head.py`` and the tests only: nothing here runs when a question is asked.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .sentence_head import SentenceHead


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


def fit_query_map(xs: list[np.ndarray], ys: list[np.ndarray], qs: list[np.ndarray | None], base: list[np.ndarray],
                  *, lam: float = 1e-2, epochs: int = 8, gain: float = 10.0, seed: int = 0) -> np.ndarray:
    """The matrix ``M`` of the question-dependent term ``s · (M q)``, fitted within turns.

    Turn i has sentence rows ``xs[i]`` (the last d columns are the sentence vectors, d = the question
    vectors' size), gold flags ``ys[i]``, question vector ``qs[i]`` (None: no term, as at ask time) and the
    head's logits ``base[i]``; ``M`` maximises the softmax probability of the turn's gold sentences under
    ``base + s · (M q)``, with ``lam × |M / gain|²`` (Adam, batches of 64 turns, ``M`` from zero; ``gain``
    only sets the step size). Deterministic for a seed. Needs torch (installed with sentence-transformers).
    """
    import torch

    dims = next(len(q) for q in qs if q is not None)
    torch.manual_seed(seed)
    a = torch.zeros(dims, dims, requires_grad=True)
    opt = torch.optim.Adam([a], lr=1e-3)
    data = [(torch.tensor(b, dtype=torch.float32), torch.tensor(x[:, -dims:], dtype=torch.float32),
             torch.zeros(dims) if q is None else torch.tensor(q, dtype=torch.float32),
             torch.tensor(y, dtype=torch.float32) > 0)
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
