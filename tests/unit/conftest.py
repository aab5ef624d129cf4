"""Unit tests never load the real model: constructing ``rag.embedding.Embedder`` here fails loudly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.embedding import Embedder


def _refuse(self, *args, **kwargs) -> None:
    raise RuntimeError("unit tests must not load the real model: move this test to tests/integration "
                       "(or use tests.fakes.FakeEncoder)")


@pytest.fixture(autouse=True, scope="package")  # package scope: also covers module-scoped fixtures
def _no_real_model() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Embedder, "__init__", _refuse)
        yield
