"""The real MiniLM encoder: replicas for serving give the same vectors as one model, from many threads."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from rag.embedding import DIMS, Embedder

pytestmark = pytest.mark.slow

TEXTS = [
    "What did China say about the Nobel Peace Prize?",
    "China firmly opposes the US move.",
    "We have noted the reports. The Taiwan question is China's internal affair.",
    "Xinjiang",
]


def test_replicas_must_be_positive():
    with pytest.raises(ValueError, match="replicas"):
        Embedder(replicas=0)


def test_replicas_answer_like_one_model_under_concurrent_calls():
    one = Embedder()
    serial = [one.encode([t]) for t in TEXTS] + [one.encode(TEXTS)]
    # torch_threads is left alone: it is process-wide and would slow the rest of the test session.
    two = Embedder(replicas=2)
    assert two.wait_replicas(120) and two.replicas == 2  # the second one loads in the background
    jobs = [[t] for t in TEXTS] * 10 + [TEXTS] * 10
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(two.encode, jobs))
    want = ([serial[TEXTS.index(j[0])] if len(j) == 1 else serial[-1] for j in jobs])
    for g, w in zip(got, want, strict=True):
        assert g.shape == (len(w), DIMS) and g.dtype == np.float32
        np.testing.assert_allclose(g, w, atol=1e-5)  # same model, same input: same vector, whichever replica
    assert two.encode([]).shape == (0, DIMS)


def test_encode_units_gives_the_chunk_vectors_and_pools_each_span_from_the_same_pass():
    emb = Embedder()
    texts = ["Any comment?\nWe noted it. China firmly opposes the sanctions.", "Short."]
    spans = [[(13, 25), (26, 60)], [(0, 6)]]
    vecs, units = emb.encode_units(texts, spans, batch_size=1)
    np.testing.assert_allclose(vecs, emb.encode(texts), atol=1e-5)  # same vectors as a plain encode
    assert units.shape == (3, DIMS) and units.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(units, axis=1), 1.0, atol=1e-5)
    # Pooled in context, a sentence is nearer its own words than the other sentence is.
    own, other = emb.encode(["China firmly opposes the sanctions."])[0] @ units[[1, 0]].T
    assert own > other
    # A span with no token inside (past the text) gets a zero vector, not garbage.
    _, empty = emb.encode_units(["Hello."], [[(50, 60)]])
    assert not empty.any()
