"""rag.sentence_cross with the real model: the exported ONNX file is the shipped model, and it helps on the seeds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rag.answer import ask
from rag.embedding import Embedder
from rag.eval.datasets import load_dataset
from rag.eval.quotes import sentence_metrics
from rag.retrieval import Retriever
from rag.sentence_cross import CrossScorer, default_scorer, load_spec, torch_model
from rag.store import load
from tests.paths import EVAL

QUESTION = "What did China say about Japan releasing Fukushima water into the sea?"
SENTENCES = [
    "I have seen the reports.",
    "China firmly opposes the discharge of the Fukushima nuclear-contaminated water into the ocean.",
    "The meeting will be held in Beijing next week.",
]


def test_the_exported_model_scores_as_the_shipped_weights_in_torch():
    import torch

    scorer = CrossScorer(replace(load_spec(), precision="fp32"))
    got = scorer.scores(QUESTION, SENTENCES)
    ids, mask, types = (torch.from_numpy(a) for a in scorer.encode(QUESTION, SENTENCES))
    with torch.inference_mode():
        want = torch_model(load_spec())(ids, mask, types).numpy()
    assert np.allclose(got, want, atol=1e-4), (got, want)
    # and it reads the texts: the statement on the question outscores scene-setting and an unrelated line
    assert got[1] > max(got[0], got[2]), got


def test_int8_scores_as_fp32_to_a_fraction_of_a_logit():
    """Dynamic int8 quantisation (rag.onnx_model.quantize_int8) of the exported model: the same best sentence, the
    same order of any two whose fp32 scores are more than half a logit apart, every score within
    a logit of fp32's (on the dev sets the mean difference is 0.2). Two sentences nearly tied in fp32 may swap: on an
    AVX2-only machine the two weakest here read -5.168 / -5.187 in fp32 and -5.202 / -5.104 in int8 (the int8
    kernels differ by instruction set), which the first version of this test, comparing the whole order, failed."""
    spec = load_spec()
    fp32 = CrossScorer(replace(spec, precision="fp32")).scores(QUESTION, SENTENCES)
    int8 = CrossScorer(replace(spec, precision="int8"))
    assert int8.path.name.endswith("-int8.onnx")
    got = int8.scores(QUESTION, SENTENCES)
    assert np.argmax(got) == np.argmax(fp32), (got, fp32)
    apart = [(i, j) for i in range(len(fp32)) for j in range(len(fp32)) if fp32[i] - fp32[j] > 0.5]
    assert apart and all(got[i] > got[j] for i, j in apart), (got, fp32)
    assert np.abs(got - fp32).max() < 1.0, (got, fp32)
    assert default_scorer().spec.precision == spec.precision


def test_factors_that_do_not_multiply_are_refused(tmp_path):
    import pytest

    from rag.errors import RagError

    spec = load_spec()
    with np.load(spec.delta) as z:
        arrays = {n: z[n] for n in z.files}
    name = next(n for n in arrays if n.endswith(".a"))
    arrays[name] = arrays[name][:-1]  # one rank fewer than its B
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(RagError, match="do not multiply"):
        torch_model(replace(spec, delta=tmp_path / "bad.npz"))


def test_the_cross_encoder_changes_a_first_quote_on_the_seeds_and_costs_at_most_one(index_dir):
    """On the 18 seed questions (never trained on) the cross-encoder changes at least one first quote and the
    first quote holds a gold sentence at most once less often than with the head alone; every quote stays verbatim.
    When first written (fp32, before the re-pool's retrain): one changed, s08, 14 -> 13. After the retrain without
    the re-pool's turns, distilled from the old teacher, int8: 14 -> 12, and the bar was lowered to two; distilled
    from a teacher trained without them too (eval/results/sentence_head.md §15): 14 -> 14, the bar back at one.
    A cross-encoder that re-ordered the head's best four at random loses several here."""
    index = load(index_dir)
    enc = Embedder()
    ds = load_dataset(EVAL / "seeds")
    hits, firsts = {}, {}
    for cross in (False, True):
        r = Retriever(index, enc, cross=cross)
        hits[cross], firsts[cross] = 0, []
        for q in ds.queries:
            out = ask(r, q.text, filters=q.filters())
            for c in out["citations"]:
                assert index.sources[c["source"]].canonical[c["start"]:c["end"]] == c["quote"]
            hits[cross] += sentence_metrics(out, ds.sentences[q.qid])["quote_first_hit"]
            firsts[cross].append(out["citations"][0]["quote"])
    assert sum(a != b for a, b in zip(firsts[False], firsts[True], strict=True)) >= 1, "the cross-encoder changed nothing"
    assert hits[True] >= hits[False] - 1, hits


def test_a_teacher_written_by_eval_sentence_cross_scores_as_the_model_it_trained(tmp_path):
    """``eval/sentence_cross.py --teacher-out``: the full fine-tune (trained with the default attention) is loaded
    into an eager copy and exported; ONNX Runtime must score as the trained module does."""
    import sys

    import torch
    from transformers import AutoModel

    from rag.embedding import model_path
    from rag.onnx_model import session
    from rag.sentence_cross import cross_module, encode_pairs, pair_tokenizer

    sys.path.insert(0, str(EVAL))
    import sentence_cross as sc

    torch.manual_seed(0)
    enc, head = AutoModel.from_pretrained(model_path()).eval(), torch.nn.Linear(384, 1)
    with torch.no_grad():  # as if trained: every layer moved a little
        for p in enc.encoder.parameters():
            p.add_(0.01 * torch.randn_like(p))
    sc.write_teacher(enc, head, tmp_path / "t.onnx")
    ids, mask, types = encode_pairs(pair_tokenizer(), QUESTION, SENTENCES)
    with torch.no_grad():
        want = cross_module(enc, head).eval()(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types))
    got = session(tmp_path / "t.onnx", 2).run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
    assert np.allclose(got, want.numpy(), atol=1e-4)
    plain = AutoModel.from_pretrained(model_path()).eval()
    with torch.no_grad():  # and it is the trained weights, not the bundled ones
        base = cross_module(plain, head).eval()(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types))
    assert not np.allclose(got, base.numpy(), atol=1e-3)
