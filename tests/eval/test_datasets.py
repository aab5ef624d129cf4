"""Reading evaluation sets: qrels in both formats."""

from __future__ import annotations

import pytest

from rag.errors import RagError
from rag.eval.datasets import read_qrels


def test_qrels_beir_and_trec_read_the_same(tmp_path):
    beir = tmp_path / "test.tsv"
    beir.write_text("query-id\tcorpus-id\tscore\nq1\tt1:2\t1\nq1\tt1:3\t2\nq2\tt9:1\t0\n", encoding="utf-8")
    trec = tmp_path / "qrels.trec"
    trec.write_text("q1 0 t1:2 1\nq1 0 t1:3 2\n\nq2 0 t9:1 0\n", encoding="utf-8")
    want = {"q1": {"t1:2": 1, "t1:3": 2}, "q2": {"t9:1": 0}}
    assert read_qrels(beir) == want
    assert read_qrels(trec) == want
    (tmp_path / "bad.tsv").write_text("q1 t1:2\n", encoding="utf-8")
    with pytest.raises(RagError, match="bad.tsv:1"):
        read_qrels(tmp_path / "bad.tsv")
