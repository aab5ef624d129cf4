"""The real MiniLM encoder: replicas for serving give the same vectors as one model, from many threads;
the onnx runtime gives torch's vectors (to float noise); an index records the runtime that built it."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from rag import store
from rag.embedding import DIMS, Embedder, default_backend
from rag.sentences import embed_chunks
from tests.paths import SEEDS

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


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_replicas_answer_like_one_model_under_concurrent_calls(backend):
    one = Embedder(backend=backend)
    serial = [one.encode([t]) for t in TEXTS] + [one.encode(TEXTS)]
    # threads is left alone: torch's is process-wide and would slow the rest of the test session.
    two = Embedder(backend=backend, replicas=2)
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


@pytest.fixture(scope="module")
def seed_chunks():
    from rag.chunking import chunk_source
    from rag.sources.files import parse_file

    paths = sorted(p for p in SEEDS.iterdir() if p.suffix == ".txt")[:3]
    return [c for p in paths for c in chunk_source(parse_file(p, p.read_bytes()))]


def test_onnx_gives_torch_vectors_to_float_noise(seed_chunks):
    """The same model in two runtimes: chunk and sentence vectors agree to float rounding (measured 3e-7
    on 1,000 corpus chunks), so an fp32 index built with either is searched with either."""
    onnx, torch = Embedder(backend="onnx"), Embedder(backend="torch")
    assert (onnx.backend, torch.backend) == ("onnx", "torch")
    v1, sp1, u1 = embed_chunks(seed_chunks, onnx)
    v2, sp2, u2 = embed_chunks(seed_chunks, torch)
    assert sp1 == sp2 and len(seed_chunks) > 20
    np.testing.assert_allclose(v1, v2, atol=2e-6)
    np.testing.assert_allclose(np.concatenate(u1), np.concatenate(u2), atol=2e-6)
    np.testing.assert_allclose(onnx.encode(TEXTS), torch.encode(TEXTS), atol=2e-6)
    np.testing.assert_allclose(onnx.encode(TEXTS), onnx.encode_units(TEXTS, [[]] * len(TEXTS))[0], atol=1e-6)


def test_passes_run_at_once_give_the_same_vectors(seed_chunks):
    """Batches run two at a time on single-threaded passes (how an onnx build runs) or one at a time on
    two threads: the same batches, bit-identical vectors, in the callers' order."""
    two_at_once, one_at_a_time = Embedder(threads=1, workers=2), Embedder(threads=2, workers=1)
    assert (two_at_once.workers, one_at_a_time.workers) == (2, 1)
    a, b = embed_chunks(seed_chunks, two_at_once), embed_chunks(seed_chunks, one_at_a_time)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(np.concatenate(a[2]), np.concatenate(b[2]))
    np.testing.assert_array_equal(two_at_once.encode(TEXTS * 5, batch_size=2), one_at_a_time.encode(TEXTS * 5,
                                                                                                     batch_size=2))


def test_int8_is_another_dtype_near_fp32(seed_chunks):
    fp32, int8 = Embedder(), Embedder("int8")
    assert int8.dtype == "int8" and int8.backend == "onnx"
    cos = (embed_chunks(seed_chunks, fp32)[0] * embed_chunks(seed_chunks, int8)[0]).sum(axis=1)
    assert cos.mean() > 0.98 and cos.min() > 0.95  # near, not equal: an int8 index is queried in int8


def test_index_manifest_records_the_runtime(index_dir):
    m = store.load(index_dir).manifest
    assert (m["dtype"], m["backend"]) == ("fp32", default_backend("fp32"))  # onnx unless RAG_EMBED_BACKEND
