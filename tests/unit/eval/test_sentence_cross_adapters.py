"""eval/sentence_cross.py's low-rank adapters: what is trained, and that the factors it ships are the model it trained.

A tiny random BERT stands in for MiniLM (same module names, no bundled weights read)."""

from __future__ import annotations

import sys

import numpy as np
import torch
import transformers

from tests.paths import EVAL

sys.path.insert(0, str(EVAL))
import sentence_cross as sc  # noqa: E402


def _tiny():
    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                                  intermediate_size=12, max_position_embeddings=16)
    return transformers.BertModel(cfg).eval()


def test_only_adapters_biases_and_layernorms_train():
    enc = _tiny()
    adapters = sc.add_adapters(enc, rank=2, alpha=4.0)
    assert len(adapters) == 2 * 6  # query, key, value, attention output, intermediate, output: per layer
    trained = {n for n, p in enc.named_parameters() if p.requires_grad}
    assert all(n.endswith((".a", ".b", ".bias")) or "LayerNorm" in n for n in trained)
    assert not any(n.endswith(".base.weight") for n in trained)  # the weight matrices stay the bundled ones
    assert "embeddings.word_embeddings.weight" not in trained
    # B starts at zero: the adapted model is the bundled one until it trains
    ids = torch.tensor([[1, 5, 7, 2]])
    with torch.no_grad():
        before = _tiny()(input_ids=ids).last_hidden_state
        assert torch.allclose(enc(input_ids=ids).last_hidden_state, before)


def test_merged_factors_reproduce_the_adapted_model():
    enc = _tiny()
    adapters = sc.add_adapters(enc, rank=2, alpha=4.0)
    with torch.no_grad():
        for ad in adapters.values():  # as if trained
            ad.b.normal_()
        ids = torch.tensor([[1, 5, 7, 2, 9]])
        adapted = enc(input_ids=ids).last_hidden_state
        factors = sc.merge_adapters(enc, adapters)
        assert all(isinstance(m, torch.nn.Linear) for n, m in enc.named_modules() if n.endswith(("query", "dense")))
        plain = enc(input_ids=ids).last_hidden_state  # the plain layers back: the bundled model again
        assert not torch.allclose(plain, adapted)
        state = enc.state_dict()
        for name, (b, a) in factors.items():  # what pack() ships and rag.sentence_cross.torch_model adds: B' @ A
            assert b.shape == (state[name].shape[0], 2) and a.shape == (2, state[name].shape[1])
            state[name] = state[name] + torch.from_numpy(b @ a)
        enc.load_state_dict(state)
        merged = enc(input_ids=ids).last_hidden_state
    assert np.allclose(merged.numpy(), adapted.numpy(), atol=1e-5)


def test_the_teachers_export_scores_as_the_module_it_was_trained_as(tmp_path):
    # --teacher-out writes cross_module(encoder, layer) through export_model: ONNX Runtime must give its scores,
    # padded rows included (the mask keeps padding out of the mean)
    from rag.onnx_model import session
    from rag.sentence_cross import cross_module, export_model

    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=8000, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                                  intermediate_size=12, max_position_embeddings=16)  # export traces ids < 7,600
    cfg._attn_implementation = "eager"
    enc = transformers.BertModel(cfg).eval()
    model = cross_module(enc, torch.nn.Linear(8, 1)).eval()
    export_model(model, tmp_path / "t.onnx")
    ids = torch.tensor([[1, 5, 7, 2, 0, 0], [1, 9, 3, 4, 8, 2]])
    mask, types = (ids != 0).long(), torch.zeros_like(ids)
    with torch.no_grad():
        want = model(ids, mask, types).numpy()
    got = session(tmp_path / "t.onnx", 1).run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                                                     "token_type_ids": types.numpy()})[0]
    assert got.shape == (2,) and np.allclose(got, want, atol=1e-5)
    with torch.no_grad():  # and the first row alone, unpadded, scores the same
        alone = model(ids[:1, :4], mask[:1, :4], types[:1, :4]).numpy()
    assert np.allclose(alone, want[:1], atol=1e-5)


def test_options_that_cannot_give_a_model_are_refused_before_training(capsys):
    import pytest

    for argv, says in ((["--rank", "-1"], "--rank must be"), (["--skip-margin", "-1"], "--skip-margin must be"),
                       (["--skip-margin", "inf"], "--skip-margin must be"), (["--fraction", "0"], "--fraction must be"),
                       (["--teacher-out", "t.onnx"], "give --rank 0"),  # adapters (rank 8) are not a teacher
                       (["--rank", "0"], "give --teacher-out")):  # a full fine-tune is too large to ship
        with pytest.raises(SystemExit) as e:
            sc.main(["--index", "/nonexistent", *argv])
        assert e.value.code == 2 and says in capsys.readouterr().err


def test_several_teachers_give_the_mean_of_their_scores(tmp_path):
    # --teacher A.onnx B.onnx distils from an ensemble: each list's target is the mean of the teachers' scores
    from rag.sentence_cross import cross_module, export_model

    files = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        cfg = transformers.BertConfig(vocab_size=30522, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                                      intermediate_size=12, max_position_embeddings=64)  # the real word pieces
        cfg._attn_implementation = "eager"
        files.append(str(tmp_path / f"t{seed}.onnx"))
        export_model(cross_module(transformers.BertModel(cfg).eval(), torch.nn.Linear(8, 1)).eval(), tmp_path / f"t{seed}.onnx")

    def lists():
        return [{"oof": np.array([0.3, 0.2, 0.1]), "y": np.array([1.0, 0.0, 0.0]), "text": "What about trade?",
                 "texts": ["Trade grew last year.", "We oppose the tariffs.", "Next question, please."]}]

    one, two, both = lists(), lists(), lists()
    sc.teacher_scores(one, files[:1], 3)
    sc.teacher_scores(two, files[1:], 3)
    sc.teacher_scores(both, files, 3)
    assert one[0]["teacher"].shape == (3,) and not np.allclose(one[0]["teacher"], two[0]["teacher"])
    assert np.allclose(both[0]["teacher"], (one[0]["teacher"] + two[0]["teacher"]) / 2, atol=1e-6)
