"""eval/cross_turns.py: options that cannot give a report are refused before minutes of searching."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from rag.errors import RagError
from tests.paths import EVAL

sys.path.insert(0, str(EVAL))
import cross_turns as ct  # noqa: E402


def test_a_fold_outside_the_five_and_no_turns_are_refused(capsys):
    for argv, says in ((["--fold", "5"], "--fold must be 0 to 4"), (["--fold", "-1"], "--fold must be 0 to 4"),
                       (["--turns", "0"], "--turns must be at least 1")):
        with pytest.raises(SystemExit) as e:
            ct.main(["--index", "/nonexistent", "--teacher", "t.onnx", *argv])
        assert e.value.code == 2 and says in capsys.readouterr().err


def test_best_is_the_shipped_combination_and_refuses_a_nan():
    t = {"top": [2, 0], "logit": np.array([1.0, 0.0, 1.2]), "cross": np.array([0.0, 1.0])}
    assert ct.best(t, 0.5) == (0, 1.0 + 0.5 * 1.0)  # 1.2 + 0.5 x 0 < 1.0 + 0.5 x 1
    assert ct.best({"top": [], "logit": np.zeros(0), "cross": np.zeros(0)}, 0.5) == (None, -np.inf)
    with pytest.raises(RagError, match="not a number"):  # the library's combine() refuses it
        ct.best({**t, "cross": np.array([np.nan, 0.0])}, 0.5)
