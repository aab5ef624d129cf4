"""Reading evaluation sets: qrels in both formats, gold sentences."""

from __future__ import annotations

import json

import pytest

from rag.errors import RagError
from rag.eval.datasets import GoldSentence, load_dataset, read_qrels


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


def _set(tmp_path, sentences: str | None):
    (tmp_path / "qrels").mkdir(parents=True)
    (tmp_path / "queries.jsonl").write_text('{"_id": "1", "text": "a"}\n{"_id": "2", "text": "b"}\n'
                                            '{"_id": "3", "text": "unjudged"}\n', encoding="utf-8")
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\tx:1\t1\n2\tx:2\t1\n", encoding="utf-8")
    if sentences is not None:
        (tmp_path / "sentences.jsonl").write_text(sentences, encoding="utf-8")
    return tmp_path


def _row(qid="1", at=5, text="We oppose it.", **over):
    d = {"query_id": qid, "turn_id": "x:1", "source": "x.txt", "start": at, "end": at + len(text),
         "text": text} | over
    return json.dumps(d) + "\n"


def test_gold_sentences_are_read_per_query(tmp_path):
    ds = load_dataset(_set(tmp_path, _row() + "\n" + _row(at=30, text="It is wrong.") + _row(qid="3")))
    assert [(g.start, g.end, g.text) for g in ds.sentences["1"]] == [(5, 18, "We oppose it."), (30, 42, "It is wrong.")]
    assert set(ds.sentences) == {"1"}  # query 2 unlabelled; query 3 skipped (no relevant turn)
    assert isinstance(ds.sentences["1"][0], GoldSentence)
    assert load_dataset(_set(tmp_path / "none", None)).sentences == {}


@pytest.mark.parametrize(("line", "why"), [
    ("{not json\n", "not JSON"),
    ('["a list"]\n', "JSON object"),
    (_row(source=None), "source"),
    (_row(start="5"), "start"),
    (_row(end=True), "end"),
    (_row(end=6), "do not fit"),
    (_row(start=-1), "do not fit"),
    (_row(qid="99"), "'99' is not in the set's queries"),
])
def test_a_bad_gold_sentence_names_its_line(tmp_path, line, why):
    with pytest.raises(RagError, match=f"sentences.jsonl:2: .*{why}"):
        load_dataset(_set(tmp_path / "s", _row() + line))
