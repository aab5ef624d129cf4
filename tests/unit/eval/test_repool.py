"""eval/repool.py: the second judging of a dev set, pooled from today's systems.

The committed qrels, fingerprints and label files must be exactly what ``merge`` makes of the two judges and the
adjudicator (a copy of the set is merged again and compared), and the first judgments stay usable: with
``--qrels SET/qrels/pool1.tsv`` a set has its gold sentences only on the turns judged the first time."""

from __future__ import annotations

import shutil
import sys

import pytest

from rag.eval.datasets import load_dataset
from tests.paths import CORPUS_EN, EVAL, corpus_or_skip

sys.path.insert(0, str(EVAL))
import repool  # noqa: E402

SETS = ("paraphrase", "seeds")
MERGED = ("qrels/test.tsv", "turns.tsv", "sentences.labels.tsv", "sentences.labels2.tsv",
          "sentences.adjudicated.tsv")


def test_bad_judgments_are_refused_with_the_line(tmp_path):
    p = tmp_path / "judge_a.tsv"
    p.write_text("q1\tt1\tmaybe\t-\t\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"judge_a.tsv:1: relevance must be yes or no"):
        repool.read_judge(p)
    p.write_text("# a comment\nq1\tt1\tyes\ttwo\t\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"judge_a.tsv:2: sentence numbers"):
        repool.read_judge(p)
    p.write_text("q1\tt1\tno\t-\t\nq1\tt1\tyes\t2\t\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"judge_a.tsv:2: q1 t1 judged twice"):
        repool.read_judge(p)
    p.write_text("q1\tt1\tno\t3\tnumbers of a no are ignored\nq1\tt2\tyes\t2,4\t\n", encoding="utf-8")
    assert repool.read_judge(p) == {("q1", "t1"): (False, "-", "numbers of a no are ignored"),
                                    ("q1", "t2"): (True, "2,4", "")}


def test_only_disputes_may_be_adjudicated(tmp_path):
    a = {("q1", "t1"): (True, "2,3", ""), ("q1", "t2"): (True, "1", ""), ("q1", "t3"): (False, "-", "")}
    b = {("q1", "t1"): (False, "-", ""), ("q1", "t2"): (True, "1", ""), ("q1", "t3"): (False, "-", "")}
    p = tmp_path / "adjudicated.tsv"
    p.write_text("q1\tt1\tR\tyes\t\nq1\tt1\t3\tno\tscene-setting\n", encoding="utf-8")
    assert repool.read_adjudicated(p, a, b) == {("q1", "t1", "R"): True, ("q1", "t1", "3"): False}
    for line, what in (("q1\tt2\tR\tno", "t2 R is not disputed"), ("q1\tt2\t1\tno", "t2 1 is not disputed"),
                       ("q1\tt3\tR\tyes", "t3 R is not disputed"), ("q9\tt1\tR\tyes", "not a candidate"),
                       ("q1\tt1\tR\tmaybe", "expected")):
        p.write_text(line + "\n", encoding="utf-8")
        with pytest.raises(SystemExit, match=f"adjudicated.tsv:1: .*{what}"):
            repool.read_adjudicated(p, a, b)


@pytest.mark.parametrize("name", SETS)
def test_the_committed_set_is_the_merge_of_the_judges(name, tmp_path):
    if name != "seeds":
        corpus_or_skip(CORPUS_EN)
    copy = tmp_path / name
    shutil.copytree(EVAL / name, copy)
    for f in MERGED:  # merge writes them again from pool1.tsv, the judges and the adjudicator
        (copy / f).write_text((copy / f).read_text(encoding="utf-8").split(repool.MARK)[0], encoding="utf-8")
    (copy / "qrels" / "test.tsv").write_text((copy / "qrels" / "pool1.tsv").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    for _ in range(2):  # merging again changes nothing
        assert repool.main(["merge", str(copy)]) == 0
        for f in MERGED:
            assert (copy / f).read_text(encoding="utf-8") == (EVAL / name / f).read_text(encoding="utf-8"), f
    (copy / "qrels" / "pool1.tsv").unlink()  # without the first judgments a merge would add the new turns twice
    with pytest.raises(SystemExit, match="pool1.tsv is missing"):
        repool.main(["merge", str(copy)])


@pytest.mark.parametrize("name", SETS)
def test_the_first_judgments_keep_their_gold_sentences_only(name):
    now = load_dataset(EVAL / name)
    first = load_dataset(EVAL / name, qrels=EVAL / name / "qrels" / "pool1.tsv")
    rel = {(q, t) for q, ts in first.qrels.items() for t, g in ts.items() if g > 0}
    assert all((g.query_id, g.turn_id) in rel for gs in first.sentences.values() for g in gs)
    added = {(q, t) for q, ts in now.qrels.items() for t, g in ts.items() if g > 0} - rel
    assert bool(added) == (name == "paraphrase")  # the re-pool found 22 relevant turns there, none on seeds
    n_first = sum(map(len, first.sentences.values()))
    n_now = sum(map(len, now.sentences.values()))
    assert (n_first, n_now) == ((565, 605) if name == "paraphrase" else (46, 46))  # 40 gold sentences on 22 turns
