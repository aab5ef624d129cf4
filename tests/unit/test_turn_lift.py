import numpy as np
import pytest

from rag.sentences import SentenceTable
from rag.turn_lift import LIFT, best_cosines, lift


def test_lift_adds_the_best_cosine_times_the_weight():
    out = lift([1.0, 0.98, 0.5], [np.array([0.3, 0.4]), np.array([0.6, -0.1]), np.array([0.9])])
    assert [i for i, _ in out] == [1, 0, 2]
    assert [s for _, s in out] == pytest.approx([0.98 + LIFT * 0.6, 1.0 + LIFT * 0.4, 0.5 + LIFT * 0.9])


def test_a_turn_without_sentences_gets_no_lift_and_ties_keep_the_order():
    assert lift([0.7, 0.7, 0.6], [np.zeros(0), np.zeros(0), np.array([0.5])], weight=0.2) == [(0, 0.7), (1, 0.7), (2, 0.7)]
    assert lift([], []) == []


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
