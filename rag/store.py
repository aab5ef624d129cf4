"""The on-disk index: plain files plus a manifest, written atomically.

Layout of an index directory ``DIR``::

    DIR/CURRENT -> b-20261122T101500-1a2b   (symlink to the live build)
    DIR/b-20261122T101500-1a2b/
        manifest.json    format version, model, dtype, dims, chunking, per-source hashes
        sources.jsonl    one parsed transcript per line (canonical text, metadata, turns)
        chunks.jsonl     one chunk per line (turn id, offsets); text is canonical[start:end]
        vectors.npy      float32 [n_chunks, 384], L2-normalised
        dense.faiss      FAISS IndexFlatIP over vectors
        bm25/            bm25s index files (+ its own params JSON)
        sentences.npz    sentence units of the chunks (chunk, start, end) for quote selection, and their flags
                         (rag.sentence_flags: what each is whatever the question; absent in older indexes)
        sentence_vectors.npy  float16 [n_sentences, 384], pooled from the chunks' forward passes
        zh/              the Chinese transcripts, searched by words, not embedded (rag.zh.index)
        align.jsonl      each English turn's Chinese original (rag.align.TurnAlignment), when there are both

A build is written to ``DIR/.tmp-*`` and renamed; then ``CURRENT`` is switched by
an atomic ``os.replace`` of a symlink. A crash at any moment leaves either the
old build or the new one live, never a mix; leftovers are removed by the next
writer (which holds ``DIR/.lock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import sentences
from .errors import IndexStateError
from .records import Chunk, Source, Turn
from .sentences import SentenceTable
from .zh.index import ZhIndex, load_zh, save_zh

FORMAT = "spokesperson-search-index"
FORMAT_VERSION = 2  # 2: sentence units and their vectors
_FILES = ("manifest.json", "sources.jsonl", "chunks.jsonl", "vectors.npy", "dense.faiss", "bm25", *sentences.FILES)


@dataclass
class Index:
    """An index in memory. ``chunks[i].chunk_id == i == row i of vectors``."""

    manifest: dict
    sources: dict[str, Source]
    chunks: list[Chunk]
    vectors: np.ndarray
    dense: object = None  # faiss.Index
    bm25: object = None  # bm25s.BM25
    turns: dict[str, Turn] = field(default_factory=dict)
    path: Path | None = None
    sentences: SentenceTable | None = None  # every sentence of every chunk, with vectors
    zh: ZhIndex | None = None  # the Chinese transcripts (``sources`` holds the English ones only)
    align: dict = field(default_factory=dict)  # English turn id -> rag.align.TurnAlignment

    def __post_init__(self) -> None:
        if not self.turns:
            self.turns = {t.turn_id: t for s in self.sources.values() for t in s.turns}

    @property
    def model(self) -> str:
        return self.manifest.get("model", "")

    def date_range(self) -> tuple[str | None, str | None]:
        dates = sorted(s.date for s in self.sources.values() if s.date)
        return (dates[0], dates[-1]) if dates else (None, None)


def _build_dense(vectors: np.ndarray):  # noqa: ANN202
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(vectors)
    return index


def bm25_from_texts(texts: list[str]):  # noqa: ANN201
    """A bm25s index over ``texts`` (tokenised with :func:`rag.text.bm25_tokens`)."""
    import bm25s

    from .text import bm25_tokens

    retriever = bm25s.BM25()
    # bm25s needs at least one token per document and one document.
    tokens = [bm25_tokens(t) or ["_empty_"] for t in texts] or [["_empty_"]]
    retriever.index(tokens, show_progress=False)
    return retriever


def assemble(manifest: dict, sources: dict[str, Source], chunks: list[Chunk], vectors: np.ndarray,
             sentence_table: SentenceTable | None = None, zh: ZhIndex | None = None,
             align: dict | None = None) -> Index:
    """An in-memory Index with its FAISS and BM25 parts built from chunks and vectors."""
    return Index(
        manifest=manifest, sources=sources, chunks=chunks, vectors=vectors,
        dense=_build_dense(vectors), bm25=bm25_from_texts([c.embed_text for c in chunks]),
        sentences=sentence_table, zh=zh, align=align or {},
    )


# --- writing ----------------------------------------------------------------

@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive lock for writers of ``index_dir`` (readers never need it)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def save(index: Index, index_dir: Path) -> Path:
    """Write ``index`` as a new build under ``index_dir`` and make it current. Call under writer_lock."""
    import faiss

    index_dir = Path(index_dir)
    _cleanup(index_dir)
    build_id = time.strftime("b-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    tmp = index_dir / f".tmp-{build_id}"
    tmp.mkdir(parents=True)
    with open(tmp / "sources.jsonl", "w", encoding="utf-8") as fh:
        for src in index.sources.values():
            fh.write(json.dumps(asdict(src), ensure_ascii=False) + "\n")
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for c in index.chunks:
            d = asdict(c)
            del d["text"]  # derivable: canonical[start:end]
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    np.save(tmp / "vectors.npy", index.vectors)
    faiss.write_index(index.dense, str(tmp / "dense.faiss"))
    index.bm25.save(str(tmp / "bm25"), show_progress=False)
    if index.sentences is None:
        raise IndexStateError("internal error: an index is saved without its sentence units")
    sentences.save(index.sentences, tmp)
    if index.zh is not None and index.zh.sources:
        save_zh(index.zh, tmp)
    if index.align:
        with open(tmp / "align.jsonl", "w", encoding="utf-8") as fh:
            for a in index.align.values():
                fh.write(json.dumps(asdict(a), ensure_ascii=False) + "\n")
    # The manifest goes last: a build directory with a manifest is complete.
    (tmp / "manifest.json").write_text(json.dumps(index.manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    _fsync_tree(tmp)
    final = index_dir / build_id
    os.rename(tmp, final)
    link = index_dir / f".CURRENT-{build_id}"
    os.symlink(build_id, link)
    os.replace(link, index_dir / "CURRENT")  # the atomic switch
    fsync_dir(index_dir)
    _cleanup(index_dir)
    index.path = final
    return final


def _fsync_tree(path: Path) -> None:
    for p in path.rglob("*"):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
    fsync_dir(path)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable (a directory's own fsync)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _cleanup(index_dir: Path) -> None:
    """Remove temp dirs and builds that CURRENT no longer points to (caller holds the lock)."""
    live = _current(index_dir)
    for p in index_dir.iterdir():
        if p.name.startswith(".tmp-") or (p.name.startswith("b-") and p.is_dir() and p != live):
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(".CURRENT-"):
            p.unlink(missing_ok=True)


def _current(index_dir: Path) -> Path | None:
    link = index_dir / "CURRENT"
    if link.is_symlink() or link.exists():
        return (index_dir / os.readlink(link)) if link.is_symlink() else link
    return None


# --- reading ----------------------------------------------------------------

def build_dir(index_dir: Path) -> Path | None:
    """The directory holding the live build's files, or None if nothing was ever built."""
    index_dir = Path(index_dir)
    if (index_dir / "manifest.json").exists():
        return index_dir  # a plain (non-versioned) layout also loads
    cur = _current(index_dir)
    return cur if cur is not None and cur.exists() else None


def read_manifest(index_dir: Path) -> dict | None:
    d = build_dir(index_dir)
    if d is None:
        return None
    try:
        return json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load(index_dir: Path, *, model: str | None = None) -> Index:
    """Load the live build, checking format and model. Raises IndexStateError with the fix."""
    import bm25s
    import faiss

    index_dir = Path(index_dir)
    fix = f"rebuild it: `rag ingest seeds/ --index {index_dir} --rebuild` (or `make run`)"
    d = build_dir(index_dir)
    if d is None:
        raise IndexStateError(f"no index at {index_dir}: build one with `rag ingest seeds/ --index {index_dir}`")
    missing = [f for f in _FILES if not (d / f).exists()]
    if missing:
        raise IndexStateError(f"index at {index_dir} is incomplete (missing {', '.join(missing)}); {fix}")
    try:
        manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    except ValueError as e:
        raise IndexStateError(f"index manifest at {d} is unreadable ({e}); {fix}") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise IndexStateError(
            f"index at {index_dir} has format {manifest.get('format')!r} v{manifest.get('version')}, "
            f"this program reads {FORMAT!r} v{FORMAT_VERSION}; {fix}")
    if model and manifest.get("model") != model:
        raise IndexStateError(f"index at {index_dir} was built with model {manifest.get('model')!r}, not {model!r}; {fix}")
    try:
        sources = {}
        with open(d / "sources.jsonl", encoding="utf-8") as fh:
            for line in fh:
                src = _source_from_dict(json.loads(line))
                sources[src.source] = src
        chunks = []
        with open(d / "chunks.jsonl", encoding="utf-8") as fh:
            for line in fh:
                c = json.loads(line)
                canon = sources[c["source"]].canonical
                chunks.append(Chunk(text=canon[c["start"]:c["end"]], **c))
        vectors = np.load(d / "vectors.npy")
        dense = faiss.read_index(str(d / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(d / "bm25"), show_progress=False)
        table = sentences.load(d)
        zh = load_zh(d, _source_from_dict)
        align = _load_align(d)
    except Exception as e:  # any corruption: one clear message with the fix
        raise IndexStateError(f"index at {index_dir} is damaged ({type(e).__name__}: {e}); {fix}") from None
    n = len(chunks)
    if vectors.shape != (n, manifest.get("dims")) or dense.ntotal != n or int(bm25.scores["num_docs"]) != max(n, 1):
        raise IndexStateError(
            f"index at {index_dir} is inconsistent ({n} chunks, vectors {vectors.shape}, faiss {dense.ntotal}); {fix}")
    if len(table.offsets) != n + 1 or table.vectors.shape != (len(table), vectors.shape[1]):
        raise IndexStateError(f"index at {index_dir} is inconsistent (sentence units do not match the chunks); {fix}")
    return Index(manifest=manifest, sources=sources, chunks=chunks, vectors=vectors, dense=dense, bm25=bm25, path=d,
                 sentences=table, zh=zh, align=align)


def _load_align(d: Path) -> dict:
    if not (d / "align.jsonl").exists():
        return {}
    from .align import TurnAlignment

    out = {}
    with open(d / "align.jsonl", encoding="utf-8") as fh:
        for line in fh:
            a = TurnAlignment(**json.loads(line))
            out[a.en_turn_id] = a
    return out


def _source_from_dict(d: dict) -> Source:
    turns = tuple(Turn(**t) for t in d.pop("turns"))
    d["warnings"] = tuple(d.get("warnings", ()))
    return Source(turns=turns, **d)
