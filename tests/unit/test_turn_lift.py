import numpy as np
import pytest

from rag.errors import RagError
from rag.sentences import SentenceTable
from rag.turn_lift import LIFT, best_cosines, check_weight, lift


def test_lift_adds_the_best_cosine_times_the_weight():
    out = lift([1.0, 0.98, 0.5], [np.array([0.3, 0.4]), np.array([0.6, -0.1]), np.array([0.9])])
    assert [i for i, _ in out] == [1, 0, 2]
    assert [s for _, s in out] == pytest.approx([0.98 + LIFT * 0.6, 1.0 + LIFT * 0.4, 0.5 + LIFT * 0.9])


def test_a_turn_without_sentences_gets_no_lift_and_ties_keep_the_order():
    # binary-exact values: 0.5 + 0.5 × 0.5 == 0.75
    assert lift([0.75, 0.75, 0.5], [np.zeros(0), np.zeros(0), np.array([0.5])], weight=0.5) == \
        [(0, 0.75), (1, 0.75), (2, 0.75)]
    assert lift([], []) == []


def test_a_negative_best_cosine_never_lowers_a_score():
    assert lift([0.5, 0.25], [np.array([-0.5, -0.25]), np.array([0.5])], weight=0.5) == [(0, 0.5), (1, 0.5)]


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.2", None, True])
def test_a_bad_weight_is_refused(bad):
    with pytest.raises(RagError, match="turn lift"):
        check_weight(bad)
    assert check_weight(0) == 0.0 and check_weight(0.2) == 0.2


def test_weight_zero_keeps_the_search_order():
    scores = [0.9, 0.8, 0.7]
    assert [i for i, _ in lift(scores, [np.array([0.0]), np.array([0.5]), np.array([1.0])], weight=0.0)] == [0, 1, 2]


def test_best_cosines_reads_each_turns_chunks_stored_vectors():
    v = np.array([[1, 0], [0, 1], [0.6, 0.8], [-1, 0]], dtype=np.float16)
    table = SentenceTable(chunk=np.array([0, 0, 1, 2], dtype=np.int32), start=np.zeros(4, dtype=np.int64),
                          end=np.ones(4, dtype=np.int64), offsets=np.array([0, 2, 3, 4]), vectors=v)
    q = np.array([0.6, 0.8], dtype=np.float32)
    got = best_cosines(table, [[0], [1, 2], []], q)
    assert got[0] == pytest.approx([0.6, 0.8], abs=1e-3)
    assert got[1] == pytest.approx([0.6 * 0.6 + 0.8 * 0.8, -0.6], abs=1e-3)
    assert len(got[2]) == 0
    assert best_cosines(table, [], q) == []
