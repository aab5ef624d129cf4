"""rag.sentence_head: the shipped head, its training pairs, and the logistic regression that fits it."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from rag.errors import RagError
from rag.eval.datasets import load_dataset
from rag.sentence_head import DEFAULT_PATH, HEAD_VERSION, SentenceHead, load_head
from rag.sentence_head_fit import fit, scaled
from rag.sentence_rank import FEATURES
from tests.paths import EVAL

PAIRS = EVAL / "sentences_train" / "pairs.jsonl"
EXTRA = EVAL / "sentences_train" / "pairs_round2.jsonl"


def test_the_shipped_head_reads_the_ranker_features_and_was_trained_on_the_committed_pairs():
    head = load_head()
    assert head.features == FEATURES
    assert len(head.weights) == len(head.mean) == len(head.scale) == len(FEATURES) + 384
    assert head.info["sha1"] == hashlib.sha1(PAIRS.read_bytes()).hexdigest()[:12]  # re-train after editing pairs
    assert head.info["turns"] >= 1000 and 0 < head.score_scale < 1
    # the query map: 384 x 384, fitted on the same pairs plus round 2 (re-train after editing either)
    assert head.query_map is not None and head.query_map.shape == (384, 384)
    assert head.info["query_map"]["extra_sha1"] == hashlib.sha1(EXTRA.read_bytes()).hexdigest()[:12]


@pytest.mark.parametrize("path", [PAIRS, EXTRA], ids=["round1", "round2"])
def test_training_pairs_are_verbatim_and_never_a_dev_set_turn(path):
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(pairs) >= 500
    judged = set()
    for name in ("paraphrase", "seeds", "journalist", "threads"):
        judged |= {t for q in load_dataset(EVAL / name).qrels.values() for t in q}
    assert not judged & {p["turn_id"] for p in pairs}
    for p in pairs:
        assert p["query"].strip() and p["gold"] and p["turn_id"].startswith(p["source"].rsplit(".", 1)[0] + ":")
        assert all(g["end"] - g["start"] == len(g["text"]) > 0 for g in p["gold"])


def test_fit_separates_what_it_can_and_save_load_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    xs, ys = [], []
    for _ in range(40):  # the gold sentence is the one with the largest first feature
        x = rng.normal(size=(5, 3))
        y = (x[:, 0] == x[:, 0].max()).astype(float)
        xs.append(x)
        ys.append(y)
    head = fit(xs, ys, ("a", "b", "c"), c=10.0, info={"turns": 40})
    assert head.weights[0] > 5 * max(abs(head.weights[1]), abs(head.weights[2]))
    right = sum(int(np.argmax(head.logit(x))) == int(np.argmax(y)) for x, y in zip(xs, ys, strict=True))
    assert right >= 36  # of 40: the weights on the two noise features are small but not zero
    s = scaled(head, xs, 0.25)
    assert np.mean([s.score(x).std() for x in xs]) == pytest.approx(0.25, rel=1e-5)
    s.save(tmp_path / "h.json")
    back = load_head(tmp_path / "h.json")
    np.testing.assert_allclose(back.score(xs[0]), s.score(xs[0]), atol=1e-4)
    assert back.info == {"turns": 40} and back.features == ("a", "b", "c")


def test_the_query_map_learns_which_sentence_the_question_is_about_and_round_trips(tmp_path):
    from rag.sentence_head_fit import fit_query_map

    rng = np.random.default_rng(1)
    d = 4
    xs, ys, qs = [], [], []
    for _ in range(200):  # the gold sentence is the one whose vector is closest to the question's mirror image
        s = rng.normal(size=(4, d))
        q = rng.normal(size=d)
        ys.append((s @ q[::-1] == (s @ q[::-1]).max()).astype(float))
        xs.append(np.hstack([np.zeros((4, 1)), s]))
        qs.append(q)
    head = SentenceHead(("a",), np.zeros(d + 1), np.ones(d + 1), np.zeros(d + 1), 0.0)
    m = fit_query_map(xs, ys, qs, [head.logit(x) for x in xs], lam=1e-4, epochs=60)
    assert m.shape == (d, d) and np.argmax(m, axis=1).tolist() == [3, 2, 1, 0]  # found the mirror
    mapped = SentenceHead(("a",), np.zeros(d + 1), np.ones(d + 1), np.zeros(d + 1), 0.0, 0.5, {}, m)
    right = sum(int(np.argmax(mapped.logit(x, q))) == int(np.argmax(y)) for x, y, q in zip(xs, ys, qs, strict=True))
    assert right >= 180 and mapped.logit(xs[0]).tolist() == [0.0] * 4  # of 200 (chance: 50); no question: no term
    mapped.save(tmp_path / "h.json")
    assert (tmp_path / "h.query_map.npy").exists()
    back = load_head(tmp_path / "h.json")
    np.testing.assert_allclose(back.score(xs[0], qs[0]), mapped.score(xs[0], qs[0]), atol=1e-5)
    # a map that is not the one the head was saved with (a crash between the two renames, a hand edit)
    np.save(tmp_path / "h.query_map.npy", np.zeros((d, d), dtype=np.float32))
    load_head.cache_clear()
    with pytest.raises(RagError, match="re-train"):
        load_head(tmp_path / "h.json")
    (tmp_path / "h.query_map.npy").unlink()
    load_head.cache_clear()
    with pytest.raises(RagError, match="cannot read the sentence head's query map"):
        load_head(tmp_path / "h.json")
    # saved without a map: no stale map left beside it; a version-1 head (no map key) still loads
    (tmp_path / "h.query_map.npy").write_bytes(b"stale")
    head.save(tmp_path / "h.json")
    assert not (tmp_path / "h.query_map.npy").exists()
    doc = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
    (tmp_path / "v1.json").write_text(json.dumps({**doc, "version": 1}), encoding="utf-8")
    assert load_head(tmp_path / "v1.json").query_map is None


def test_bad_heads_and_rows_are_refused(tmp_path):
    with pytest.raises(RagError, match="cannot read"):
        load_head(tmp_path / "missing.json")
    doc = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    doc["version"] = HEAD_VERSION + 1
    (tmp_path / "v.json").write_text(json.dumps(doc))
    with pytest.raises(RagError, match="version"):
        load_head(tmp_path / "v.json")
    h = SentenceHead(("a",), np.zeros(1), np.ones(1), np.ones(1), 0.0)
    with pytest.raises(RagError, match="expects rows of 1"):
        h.logit(np.zeros((2, 3)))


@pytest.mark.parametrize("name", ["rag.sentence_head", "rag.sentence_head_fit", "rag.sentence_rank", "rag.quoting", "rag.followup",
                                  "rag.turn_lift",
                                  "tests.translation"])
def test_doctests(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
