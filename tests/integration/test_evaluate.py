"""``rag eval`` end to end through the real CLI and the real model: the seeds set must pass its thresholds.

The pipeline tests with the fake encoder are in ``tests/unit/eval/test_pipeline.py``.
"""

from __future__ import annotations

import json

import pytest

from rag.cli import main
from tests.paths import EVAL, SEEDS

# ---------------------------------------------------------------------------
# Integration: the seeds set through the real CLI and the real model (must not skip)


@pytest.mark.slow
def test_seeds_set_through_the_cli(tmp_path, capsys):
    idx = tmp_path / "idx"
    assert main(["ingest", str(SEEDS), "--index", str(idx), "--quiet"]) == 0
    capsys.readouterr()
    code = main(["eval", str(EVAL / "seeds"), "--index", str(idx), "--systems", "hybrid", "--out",
                 str(tmp_path / "out"), "--json", "--quiet", "--min", "MRR@10=0.9", "--min", "R@10=0.95",
                 "--min", "quote_verbatim=1"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0, payload["thresholds"]
    m = payload["systems"]["hybrid"]["metrics"]
    assert m["MRR@10"] >= 0.9 and m["R@10"] >= 0.95
    assert payload["systems"]["hybrid"]["quote"]["quote_verbatim"] == 1.0
    assert (tmp_path / "out" / "report.md").is_file()
