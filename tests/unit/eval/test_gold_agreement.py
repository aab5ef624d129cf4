"""eval/gold_agreement.py: two labellers and an adjudicator make the dev sets' gold sentences.

The committed ``sentences.final.tsv`` of each set must be exactly the merge of its three label files, and
``sentences.jsonl`` exactly what ``gold_sentences.py build`` makes of it (the second check parses the
transcripts the labels point at: seeds/ and the shared corpus)."""

from __future__ import annotations

import sys

import pytest

from tests.paths import CORPUS_EN, EVAL, corpus_or_skip

sys.path.insert(0, str(EVAL))
import gold_agreement as ga  # noqa: E402
import gold_sentences  # noqa: E402

SETS = ("paraphrase", "journalist", "seeds")


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_kappa_is_the_formula():
    # 5 items: A says yes to 1, 2, 3; B to 1, 2, 4. po = 3/5; pa = pb = 3/5; pe = 0.6 * 0.6 + 0.4 * 0.4
    items = [(True, True), (True, True), (True, False), (False, True), (False, False)]
    po, pe = 3 / 5, 0.6 * 0.6 + 0.4 * 0.4
    assert ga.kappa(items) == pytest.approx((po - pe) / (1 - pe))
    assert ga.kappa([(True, True), (False, False)]) == 1.0


def test_merge_keeps_agreement_and_what_the_adjudicator_kept(tmp_path):
    a = ga.read_labels(_write(tmp_path, "a.tsv", "q1\tt1\t1,2\t\nq1\tt2\t-\tno answer\nq2\tt3\t4\t\n"))
    b = ga.read_labels(_write(tmp_path, "b.tsv", "q1\tt1\t2,3\t\nq1\tt2\t-\t\nq2\tt3\t4\t\n"))
    assert ga.disputed(a, b) == {("q1", "t1"): [1, 3]}
    decided = ga.read_adjudicated(_write(tmp_path, "j.tsv", "q1\tt1\t1\tno\tscene\nq1\tt1\t3\tyes\t\n"))
    assert ga.merge(a, b, decided) == {("q1", "t1"): frozenset({2, 3}), ("q1", "t2"): frozenset(),
                                       ("q2", "t3"): frozenset({4})}


def test_bad_label_files_are_refused_with_the_line(tmp_path):
    with pytest.raises(SystemExit, match=r"a.tsv:2: sentence numbers"):
        ga.read_labels(_write(tmp_path, "a.tsv", "q1\tt1\t1\t\nq1\tt2\tone\t\n"))
    with pytest.raises(SystemExit, match="labelled twice"):
        ga.read_labels(_write(tmp_path, "a.tsv", "q1\tt1\t1\t\nq1\tt1\t2\t\n"))
    with pytest.raises(SystemExit, match=r"j.tsv:1: expected"):
        ga.read_adjudicated(_write(tmp_path, "j.tsv", "q1\tt1\t1\tmaybe\n"))
    a = ga.read_labels(_write(tmp_path, "a.tsv", "q1\tt1\t1\t\n"))
    b = ga.read_labels(_write(tmp_path, "b.tsv", "q1\tt1\t2\t\n"))
    with pytest.raises(SystemExit, match="disputed and not adjudicated"):
        ga.merge(a, b, {("q1", "t1", 1): True})


@pytest.mark.parametrize("name", SETS)
def test_the_committed_gold_is_the_merge_of_the_two_labellers_and_the_adjudicator(name, tmp_path):
    d = EVAL / name
    a, b = ga.read_labels(d / "sentences.labels.tsv"), ga.read_labels(d / "sentences.labels2.tsv")
    gold = ga.merge(a, b, ga.read_adjudicated(d / "sentences.adjudicated.tsv"))
    final = ga.read_labels(d / "sentences.final.tsv")
    assert {k: v[0] or frozenset() for k, v in final.items()} == gold
    # every disputed sentence was decided, and nothing else was
    decided = ga.read_adjudicated(d / "sentences.adjudicated.tsv")
    assert set(decided) == {(*k, n) for k, ns in ga.disputed(a, b).items() for n in ns}


@pytest.mark.parametrize("name", SETS)
def test_sentences_jsonl_is_built_from_the_merged_labels(name, tmp_path):
    if name != "seeds":
        corpus_or_skip(CORPUS_EN)
    out = tmp_path / "sentences.jsonl"
    assert gold_sentences.main(["build", str(EVAL / name), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (EVAL / name / "sentences.jsonl").read_text(encoding="utf-8")


def test_doctests():
    import doctest

    result = doctest.testmod(ga)
    assert result.attempted > 0 and result.failed == 0
