"""Sentence units of an index: every sentence of every chunk, with offsets and a vector.

Quote selection looks at every sentence of a top turn (not only its best chunk) and must not call
the model per sentence at ask time, so the sentences are cut and embedded when the index is built.
A unit is a sentence of one chunk (``rag.text.sentence_spans`` of the chunk text): chunks are cut on
sentence boundaries, so a unit is a whole sentence except inside an over-long sentence split into
word runs. Its vector comes from the chunk's own forward pass (the mean of the sentence's
contextual token vectors, see :meth:`rag.embedding.Embedder.encode_units`), so it costs no extra
model time.

Stored beside the chunks as ``sentences.npz`` (``chunk``, ``start``, ``end``; unit ``i`` of chunk ``c``
is row ``offsets[c] + i``; ``flags``, what each unit is whatever the question, :mod:`rag.sentence_flags`) and ``sentence_vectors.npy`` (float16: cosines need three digits, and it
halves the file).

    >>> from rag.records import Chunk
    >>> c = Chunk(0, "x:1", "x.txt", 10, 40, "We noted it. China opposes it.", "")
    >>> unit_spans([c])
    [[(0, 12), (13, 30)]]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embedding import Encoder
from .records import Chunk
from .text import sentence_spans

FILES = ("sentences.npz", "sentence_vectors.npy")


def unit_spans(chunks: list[Chunk]) -> list[list[tuple[int, int]]]:
    """Sentence spans of each chunk, relative to the chunk's text."""
    return [sentence_spans(c.text) or [(0, len(c.text))] for c in chunks]


def embed_chunks(chunks: list[Chunk], encoder: Encoder, *, progress: bool = False
                 ) -> tuple[np.ndarray, list[list[tuple[int, int]]], list[np.ndarray]]:
    """``(chunk vectors, unit spans per chunk, unit vectors per chunk)`` from one pass over the embedded texts.

    A chunk's embedded text may carry its question in front of the chunk text (never quoted), so the
    sentence spans are shifted past it before pooling.
    """
    spans = unit_spans(chunks)
    texts = [c.embed_text for c in chunks]
    shifted = [[(s + len(t) - len(c.text), e + len(t) - len(c.text)) for s, e in sp]
               for c, t, sp in zip(chunks, texts, spans, strict=True)]
    vecs, units = encoder.encode_units(texts, shifted, progress=progress)
    per_chunk, at = [], 0
    for sp in spans:
        per_chunk.append(units[at:at + len(sp)])
        at += len(sp)
    return vecs, spans, per_chunk


def table_for(chunks: list[Chunk], encoder: Encoder) -> tuple[np.ndarray, SentenceTable]:
    """Chunk vectors and the sentence table of ``chunks`` (numbered 0..n-1): an in-memory index's parts."""
    vecs, spans, units = embed_chunks(chunks, encoder)
    dims = vecs.shape[1] if vecs.ndim == 2 else encoder.dims
    return vecs, build_table(chunks, spans, np.concatenate(units) if units else np.zeros((0, dims), np.float32))


@dataclass
class SentenceTable:
    """All sentence units of an index, grouped by chunk (rows of chunk ``c``: ``offsets[c]:offsets[c+1]``)."""

    chunk: np.ndarray  # int32 [n]
    start: np.ndarray  # int64 [n], offsets into the source's canonical text
    end: np.ndarray  # int64 [n]
    offsets: np.ndarray  # int64 [n_chunks + 1]
    vectors: np.ndarray  # float16 [n, dims]
    # uint8 [n, 3]: what each sentence is whatever the question (rag.sentence_flags), computed under flags_key
    flags: np.ndarray | None = None
    flags_key: str | None = None

    def __len__(self) -> int:
        return len(self.start)

    @property
    def flags_current(self) -> bool:
        """Whether the stored flags were computed under today's patterns (``rag ingest`` computes stale ones again)."""
        from .sentence_flags import FLAGS_KEY

        return self.flags is not None and self.flags_key == FLAGS_KEY

    def flags_of_rows(self, rows: np.ndarray) -> np.ndarray | None:
        """The stored flags of ``rows`` when they were computed under today's patterns, else None."""
        return self.flags[rows] if self.flags_current else None

    def rows_of(self, chunk_ids: list[int]) -> np.ndarray:
        """Unit rows of ``chunk_ids``, in the given chunk order."""
        parts = [np.arange(self.offsets[c], self.offsets[c + 1]) for c in chunk_ids]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def build_table(chunks: list[Chunk], spans: list[list[tuple[int, int]]], vectors: np.ndarray,
                known_flags: list[np.ndarray | None] | None = None) -> SentenceTable:
    """A table from chunks (numbered 0..n-1), their unit spans (relative) and one vector per unit.

    ``known_flags``: per chunk, its units' flags when already computed under today's patterns (a chunk carried over
    from the previous build, :meth:`SentenceTable.flags_of_rows`), or None: only the others are computed.
    """
    counts = [len(s) for s in spans]
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    chunk = np.repeat(np.arange(len(chunks), dtype=np.int32), counts)
    start = np.array([c.start + s for c, sp in zip(chunks, spans, strict=True) for s, _ in sp], dtype=np.int64)
    end = np.array([c.start + e for c, sp in zip(chunks, spans, strict=True) for _, e in sp], dtype=np.int64)
    dims = vectors.shape[1] if vectors.ndim == 2 else 0
    from .sentence_flags import FLAGS_KEY, flags_of  # the patterns live beside the ranker that reads them

    known = known_flags or [None] * len(chunks)
    todo = [c.text[s:e] for c, sp, k in zip(chunks, spans, known, strict=True) if k is None for s, e in sp]
    fresh, parts, at = flags_of(todo), [], 0
    for sp, k in zip(spans, known, strict=True):
        if k is None:
            k, at = fresh[at:at + len(sp)], at + len(sp)
        parts.append(k)
    flags = np.concatenate(parts) if parts else np.zeros((0, 3), dtype=np.uint8)
    return SentenceTable(chunk, start, end, offsets, np.asarray(vectors, dtype=np.float16).reshape(len(start), dims),
                         flags, FLAGS_KEY)


def save(table: SentenceTable, build_dir: Path) -> None:
    extra = {} if table.flags is None else {"flags": table.flags, "flags_key": np.array(table.flags_key)}
    np.savez(build_dir / "sentences.npz", chunk=table.chunk, start=table.start, end=table.end, offsets=table.offsets,
             **extra)
    np.save(build_dir / "sentence_vectors.npy", table.vectors)


def stored_flags_stale(build_dir: Path) -> bool:
    """Whether the build holds a sentence table whose flags were not computed under today's patterns, read without
    loading the table: how ``rag sync`` tells that a release changed the patterns (rag.sentence_flags.FLAGS_KEY)."""
    from .sentence_flags import FLAGS_KEY

    path = build_dir / "sentences.npz"
    if not path.is_file():
        return False
    with np.load(path) as z:
        return "flags_key" not in z.files or str(z["flags_key"]) != FLAGS_KEY


def load(build_dir: Path) -> SentenceTable:
    """The table ``save`` wrote; an index built before the flags were stored has none (computed when asked)."""
    with np.load(build_dir / "sentences.npz") as z:
        chunk, start, end, offsets = z["chunk"], z["start"], z["end"], z["offsets"]
        flags = z["flags"] if "flags" in z.files else None
        key = str(z["flags_key"]) if "flags_key" in z.files else None
    return SentenceTable(chunk, start, end, offsets, np.load(build_dir / "sentence_vectors.npy"), flags, key)
