"""Unit tests never load the real model: constructing ``rag.embedding.Embedder`` or the sentence
cross-encoder (``rag.sentence_cross.CrossScorer``) here fails loudly, and a ``Retriever`` ranks sentences with
the head alone (its ``cross_scorer()`` is None) unless a test puts a fake scorer in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.embedding import Embedder
from rag.retrieval import Retriever
from rag.sentence_cross import CrossScorer


def _refuse(self, *args, **kwargs) -> None:
    raise RuntimeError("unit tests must not load the real model: move this test to tests/integration "
                       "(or use tests.fakes.FakeEncoder)")


@pytest.fixture(autouse=True, scope="package")  # package scope: also covers module-scoped fixtures
def _no_real_model() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Embedder, "__init__", _refuse)
        mp.setattr(CrossScorer, "__init__", _refuse)
        mp.setattr(Retriever, "cross_scorer", lambda self: None)
        yield
