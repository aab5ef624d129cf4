"""rag.sentence_cross: how the cross scores re-rank a turn's best sentences, and the shipped files (no model run)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from rag.errors import RagError
from rag.quoting import best_unit
from rag.sentence_cross import CROSS_VERSION, DEFAULT_PATH, best_k, load_spec, rerank
from rag.sentence_rank import ScoredUnit


def _units(scores: list[float]) -> list[ScoredUnit]:
    return [ScoredUnit(10 * i, 10 * i + 9, s, 20, False) for i, s in enumerate(scores)]


def test_rerank_is_the_combined_score_among_the_best_k():
    units = _units([0.5, 0.9, 0.2, 0.7])
    w, scale = 0.5, 0.1
    # unit 2 is not among the best 2: its cross score is never read. 0.9 + w*scale*0 = 0.9 beats 0.7 + w*scale*2 = 0.8
    assert rerank(units, [4.0, 0.0, 100.0, 2.0], k=2, weight=w, scale=scale) == units
    out = rerank(units, [0.0, 0.0, 0.0, 8.0], k=2, weight=w, scale=scale)  # 0.7 + w*scale*8 = 1.1 beats 0.9: swap
    assert [u.score for u in out] == [0.5, 0.7, 0.2, pytest.approx(0.9)] and out[3].score > 0.9  # a hair above
    assert [u.start for u in out] == [u.start for u in units]  # only scores change


def test_the_pick_is_the_best_unit_of_the_whole_turn_and_the_scores_stay_the_heads():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 9))
        units, cross = _units(list(rng.normal(size=n).round(2))), rng.normal(size=n) * 3
        out = rerank(units, cross, k=4, weight=0.5, scale=0.11)
        top = best_k(units, 4)
        want = top[int(np.argmax([units[i].score + 0.5 * 0.11 * cross[i] for i in top]))]
        assert best_unit(out) == want
        assert out[want].score == (units[want].score if want == top[0] else np.nextafter(units[top[0]].score, np.inf))
        assert sorted(u.score for u in out) == pytest.approx(sorted(u.score for u in units))
        assert all(out[i] == units[i] for i in range(n) if i not in (want, top[0]))


def test_rerank_refuses_a_wrong_number_of_scores_and_keeps_an_empty_turn():
    assert rerank([], [], k=4, weight=0.5, scale=0.1) == []
    with pytest.raises(RagError, match="3 cross scores for 2"):
        rerank(_units([0.1, 0.2]), [1.0, 2.0, 3.0], k=4, weight=0.5, scale=0.1)


def test_the_shipped_cross_encoder_files_match_and_say_how_they_were_trained():
    spec = load_spec()
    assert spec.k >= 2 and spec.weight > 0
    assert spec.info["pairs"] == ["eval/sentences_train/pairs.jsonl", "eval/sentences_train/pairs_round2.jsonl"]
    assert spec.delta.stat().st_size < 2_000_000  # low-rank adapters, not a copy of the model
    with np.load(spec.delta) as z:
        assert "h.weight" in z.files and z["h.weight"].shape == (1, 384)
        assert not any("word_embeddings" in n for n in z.files)  # frozen in training: never shipped
        weights = {n[:-2] for n in z.files if n.endswith((".a", ".b"))}
        assert len(weights) == 6 * 6  # every linear layer of the six encoder layers
        for w in weights:  # B (out x rank) @ A (rank x in), rank as recorded
            b, a = z[f"{w}.b"], z[f"{w}.a"]
            assert b.shape[1] == a.shape[0] == spec.info["adapters"]["rank"] and b.shape[0] in (384, 1536)
        assert all(z[n].ndim == 1 for n in z.files if n.startswith("m.") and not n.endswith((".a", ".b")))


def test_bad_cross_encoder_files_are_refused(tmp_path):
    with pytest.raises(RagError, match="cannot read"):
        load_spec(tmp_path / "none.json")
    d = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    (tmp_path / "c.json").write_text(json.dumps({**d, "version": CROSS_VERSION + 1}), encoding="utf-8")
    with pytest.raises(RagError, match="version"):
        load_spec(tmp_path / "c.json")
    shutil.copy(DEFAULT_PATH.with_name(d["delta"]["file"]), tmp_path / d["delta"]["file"])
    (tmp_path / "c.json").write_text(json.dumps({**d, "precision": "int4"}), encoding="utf-8")
    with pytest.raises(RagError, match="precision must be one of fp32, int8"):
        load_spec(tmp_path / "c.json")
    (tmp_path / d["delta"]["file"]).write_bytes(b"not the shipped difference")
    (tmp_path / "c.json").write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(RagError, match="sha1 differs"):
        load_spec(tmp_path / "c.json")


def test_doctests():
    import doctest

    import rag.sentence_cross as m

    result = doctest.testmod(m)
    assert result.attempted > 0 and result.failed == 0


class _FakeScorer:
    """Stands in for CrossScorer: re-reads the best 4 and makes the one containing ``pick`` win."""

    def __init__(self, pick: str) -> None:
        self.pick, self.calls = pick, []

    def rerank(self, units, canonical, question, scale):  # noqa: ANN001, ANN201
        self.calls.append([canonical[u.start:u.end] for u in units])
        cross = [100.0 if self.pick in canonical[u.start:u.end] else 0.0 for u in units]
        return rerank(units, cross, k=4, weight=0.5, scale=scale)


def test_the_ask_path_re_reads_the_top_turn_only_and_quotes_the_pick(monkeypatch):
    from rag.answer import answer_question
    from rag.retrieval import Retriever
    from tests.fakes import make_transcript
    from tests.unit.test_sentences import ANSWER, _index

    idx, enc = _index(make_transcript([("CCTV", ANSWER), ("AFP", "Pandas are cute. We love them.")]))
    fake = _FakeScorer("We will continue to work with all members.")
    monkeypatch.setattr(Retriever, "cross_scorer", lambda self: fake)
    r = Retriever(idx, enc)
    a = answer_question(r, "Does China support the SCO fight against drug trafficking?")
    assert len(fake.calls) == 1 and any("drug trafficking" in t for t in fake.calls[0])  # the top turn, once
    assert "We will continue to work with all members." in a.citations[0].quote
    canon = idx.sources["s.txt"].canonical
    assert all(canon[c.start:c.end] == c.quote for c in a.citations)
    answer_question(r, "Does China support the SCO fight against drug trafficking?", mode="bm25")
    assert len(fake.calls) == 1  # bm25 mode reads no model


def test_a_tie_cannot_undo_the_pick_and_nan_is_refused():
    units = _units([0.9, 0.9, 0.5])
    out = rerank(units, [0.0, 0.0, 10.0], k=4, weight=0.5, scale=0.1)  # unit 2 wins; units 0 and 1 tie at 0.9
    assert best_unit(out) == 2
    with pytest.raises(RagError, match="not a number"):
        rerank(units, [0.0, float("nan"), 0.0], k=4, weight=0.5, scale=0.1)


def test_a_clear_lead_of_the_heads_best_skips_the_model_call():
    from dataclasses import replace

    from rag.sentence_cross import CrossScorer

    cs = object.__new__(CrossScorer)  # no ONNX session: scores() is the stand-in below
    cs.spec = replace(load_spec(), skip_margin=1.0)
    calls = []
    cs.scores = lambda question, sentences: calls.append(sentences) or np.array([0.0, 9.0, 0.0][:len(sentences)])
    canon = "".join(f"Sentence {i}." .ljust(10) for i in range(3))
    lead = _units([0.9, 0.75, 0.1])  # leads by 0.15 > 1.0 logit x scale 0.1: the head's pick stands, no call
    assert cs.rerank(lead, canon, "q", scale=0.1) == lead and calls == []
    close = _units([0.9, 0.85, 0.1])  # leads by 0.05: re-read, and the cross score moves unit 1 up
    assert best_unit(cs.rerank(close, canon, "q", scale=0.1)) == 1 and len(calls) == 1
    cs.spec = replace(cs.spec, skip_margin=None)  # absent from the JSON: always re-read
    cs.rerank(lead, canon, "q", scale=0.1)
    assert len(calls) == 2
    cs.spec = replace(cs.spec, skip_margin=1.0)  # the lead is the best's over the second best, wherever they are
    later = _units([0.0, 2.0, 1.4])
    assert cs.rerank(later, canon, "q", scale=0.5) == later and len(calls) == 2  # 0.6 > 1.0 x 0.5: skipped
    cs.rerank(_units([0.0, 2.0, 1.5]), canon, "q", scale=0.5)  # exactly 1.0 logit: not past it, re-read
    assert len(calls) == 3


def test_the_skip_margin_must_be_a_number_of_logits(tmp_path):
    d = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert load_spec().skip_margin == d["skip_margin"] == 1.5  # sentence_head.md §18
    shutil.copy(DEFAULT_PATH.with_name(d["delta"]["file"]), tmp_path / d["delta"]["file"])
    for bad in (-0.5, "NaN"):
        (tmp_path / "c.json").write_text(json.dumps({**d, "skip_margin": bad}), encoding="utf-8")
        with pytest.raises(RagError, match="skip_margin must be"):
            load_spec(tmp_path / "c.json")
    (tmp_path / "c.json").write_text(json.dumps({k: v for k, v in d.items() if k != "skip_margin"}), encoding="utf-8")
    assert load_spec(tmp_path / "c.json").skip_margin is None
