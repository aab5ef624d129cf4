"""The procedural-rule evaluator: precision and recall against their formulas on a tiny hand sample (values are
rounded to 4 digits, hence abs=5e-5)."""

from __future__ import annotations

import json

import pytest

from rag.errors import RagError
from rag.eval.procedural import Row, evaluate, main, metrics, read_sample

HEADER = "id\tstratum\tturn_id\tsource\tstart\tend\tlabel\tkind\trule_kind\ttext\tnote\n"
# id, stratum, label, kind, rule_kind (before), text; the current rule's verdict is noted after each row
SAMPLE = [
    ("1", "flagged", "yes", "referral", "referral", "I'd refer you to the competent authorities."),  # referral
    ("2", "flagged", "no", "", "greeting", "Thanks to those efforts, the economy grew."),  # None
    ("3", "flagged", "no", "", "question back", "Who didn't act fast enough?"),  # None
    ("4", "flagged", "yes", "noted", "noted", "We have noted the relevant reports."),  # noted
    ("5", "random", "yes", "no information", None, "I'm not aware of the specifics."),  # no information
    ("6", "random", "no", "", None, "China firmly opposes the so-called sanctions."),  # None
    ("7", "random", "yes", "other", None, "CNN hopes that we can respond to that."),  # None
    ("8", "first", "yes", "referral", "referral", "I'd refer you to the Ministry of Commerce."),  # referral
    ("9", "first", "yes", "question back", "question back", "Which report are you referring to?"),  # question back
    ("10", "first", "no", "", "noted", "You may have noticed that the two sides agreed to talk."),  # None
]


def _rows() -> list[Row]:
    return [Row(i, s, lab == "yes", k, before, t) for i, s, lab, k, before, t in SAMPLE]


def test_precision_and_recall_match_their_formulas():
    rows = _rows()
    for verdict in (lambda r: r.before, lambda r: r.now):
        m = metrics(rows, verdict)
        flagged = [r for r in rows if verdict(r)]
        # precision = |flagged and labelled procedural| / |flagged|, over every stratum
        assert m["precision"] == pytest.approx(sum(r.gold for r in flagged) / len(flagged), abs=5e-5)
        # recall = |flagged and labelled procedural| / |labelled procedural|, random strata only
        gold = [r for r in rows if r.stratum in ("random", "first") and r.gold]
        assert m["recall"] == pytest.approx(sum(bool(verdict(r)) for r in gold) / len(gold), abs=5e-5)
    before, now = metrics(rows, lambda r: r.before), metrics(rows, lambda r: r.now)
    # before flags 1,2,3,4,8,9,10 (4 right); now flags 1,4,5,8,9 (all right)
    assert (before["flagged"], before["precision"]) == (7, pytest.approx(4 / 7, abs=5e-5))
    assert (now["flagged"], now["precision"]) == (5, 1.0)
    # labelled procedural in the random strata: 5, 7, 8, 9; before finds 8, 9; now finds 5, 8, 9
    assert (before["recall"], now["recall"]) == (0.5, 0.75) and now["positives"] == 4
    assert (now["recall_random"], now["recall_first"]) == (0.5, 1.0)
    assert before["per_kind"]["greeting"] == {"flagged": 1, "precision": 0.0}
    assert now["per_kind"]["referral"] == {"flagged": 2, "precision": 1.0}
    assert now["precision_by_stratum"] == {"flagged": 1.0, "random": 1.0, "first": 1.0}


def test_estimated_precision_weights_kinds_by_their_share_of_the_index():
    m = metrics(_rows(), lambda r: r.before, population={"referral": 30, "greeting": 10, "question back": 60})
    p = m["per_kind"]  # referral 2/2, greeting 0/1, question back 1/2
    assert m["est_precision"] == pytest.approx((30 * 1.0 + 10 * 0.0 + 60 * 0.5) / 100, abs=5e-5)
    assert p["question back"]["precision"] == 0.5


def _write(tmp_path, rows=SAMPLE):
    lines = [f"{i}\t{s}\tx:{i}\tx.txt\t0\t1\t{lab}\t{k}\t{before or ''}\t{t}\t\n" for i, s, lab, k, before, t in rows]
    (tmp_path / "sample.tsv").write_text(HEADER + "".join(lines), encoding="utf-8")
    return tmp_path


def test_evaluate_splits_halves_by_id_parity_and_main_writes_the_report(tmp_path, capsys):
    sample = _write(tmp_path)
    result, rows = evaluate(sample)
    assert len(rows) == 10 and result["strata"] == {"flagged": 4, "random": 3, "first": 3}
    odd = [r for r in _rows() if int(r.id) % 2]
    assert result["now"]["odd"] == metrics(odd, lambda r: r.now)
    assert result["before"]["odd"]["flagged"] == 3  # ids 1, 3 and 9
    assert result["population_now"] is None and "est_precision" not in result["now"]["all"]  # no --index
    assert main([str(sample), "--out", str(tmp_path / "out")]) == 0
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| precision | " in report and "Thanks to those efforts" in report  # a changed verdict is listed
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["now"]["all"]["precision"] == 1.0
    assert "precision" in capsys.readouterr().out


def test_a_bad_label_is_reported_with_its_line(tmp_path):
    _write(tmp_path, [*SAMPLE[:2], ("3", "random", "maybe", "", None, "x")])
    with pytest.raises(RagError, match=r"sample.tsv:4"):
        read_sample(tmp_path / "sample.tsv")
    assert main([str(tmp_path), "--out", str(tmp_path / "out")]) == 2
