"""The common RAG recipe, as a baseline for ``rag eval --systems naive``.

Each page's plain text (the :class:`~rag.records.Source`'s canonical text, so offsets
line up with turns) is cut by LangChain's
``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, embedded with
the same MiniLM (fp32) and searched with a flat FAISS inner-product index. No BM25,
no question context, no turn boundaries, no time-phrase parsing.

Chunks know nothing about turns, so their hits are mapped back to turns by character
overlap: a chunk's score goes to **every** turn whose span (question start to answer
end) it overlaps, and each turn keeps the best score it received. Among turns with the
same score the one with the larger overlap ranks first, then document order. This is
the generous choice for the baseline (a 1,000-character chunk often covers two short
turns, and both get credit); text outside every turn (title, preamble) maps to none.

With ``hide_questions=True`` the journalists' questions are blanked out (replaced by spaces,
so offsets stay valid) before splitting and embedding. ``rag eval`` does this when the index
was built with ``--context none``: such a set measures answer retrieval, and a baseline that
embeds the question text would find the query itself (the journalist set's queries *are*
those questions).

Explicit query filters (``since``/``until``/``spokesperson`` from the evaluation set)
are applied at page level (page date and spokesperson) through a FAISS ID selector.
The page filter and the FAISS search are the retriever's own (:func:`rag.retrieval.filter_mask`,
:func:`rag.retrieval.dense_search`), fed with page-level columns.

Embedding the 500 English pages costs ~4 minutes, so the vectors are cached under
``<cache>/naive/<key>.npz`` (``<cache>`` is :func:`rag.text.cache_dir`: ``.cache/`` or
``$RAG_CACHE_DIR``), keyed by a hash of the splitter settings, the model and every page's
canonical text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..embedding import MODEL_NAME, Encoder
from ..records import Source, Turn
from ..retrieval import Filters, dense_search, filter_mask
from ..text import cache_dir as _cache_root

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


def default_cache_dir() -> Path:
    """Where the baseline's vectors are cached: ``naive/`` under :func:`rag.text.cache_dir`."""
    return _cache_root() / "naive"


@dataclass(frozen=True)
class NaiveChunk:
    source: str
    start: int
    end: int


@dataclass(frozen=True)
class NaiveHit:
    rank: int
    score: float
    turn: Turn
    chunk: NaiveChunk
    overlap: int


def page_text(src: Source, hide_questions: bool = False) -> str:
    """The text the recipe reads: the canonical text, optionally with question spans blanked out."""
    if not hide_questions:
        return src.canonical
    chars = list(src.canonical)
    for t in src.turns:
        if t.question_start is not None and t.question_end is not None:
            chars[t.question_start:t.question_end] = " " * (t.question_end - t.question_start)
    return "".join(chars)


def split_source(src: Source, chunk_size: int = CHUNK_SIZE, chunk_overlap: int = CHUNK_OVERLAP,
                 hide_questions: bool = False) -> list[NaiveChunk]:
    """LangChain's recursive character splitter over the page text, with offsets into it."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    text = page_text(src, hide_questions)
    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap,
                                              add_start_index=True)
    out: list[NaiveChunk] = []
    for doc in splitter.create_documents([text]):
        start = doc.metadata["start_index"]
        if start < 0 or text[start:start + len(doc.page_content)] != doc.page_content:
            # add_start_index searches for the chunk text; fall back to our own search.
            start = text.find(doc.page_content, max(out[-1].start if out else 0, 0))
        if start < 0:  # pragma: no cover - the splitter only cuts, it never rewrites
            continue
        out.append(NaiveChunk(src.source, start, start + len(doc.page_content)))
    return out


def turn_span(t: Turn) -> tuple[int, int]:
    """The turn's extent in the canonical text: from its question (if any) to the end of the answer."""
    return (t.question_start if t.question_start is not None else t.start), t.end


def cache_key(sources: list[Source], chunk_size: int, chunk_overlap: int, model: str,
              hide_questions: bool = False) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({"splitter": "RecursiveCharacterTextSplitter", "chunk_size": chunk_size,
                         "chunk_overlap": chunk_overlap, "model": model, "dtype": "fp32"}).encode())
    for s in sorted(sources, key=lambda s: s.source):
        text = page_text(s, hide_questions)
        h.update(s.source.encode() + b"\0" + hashlib.sha256(text.encode()).digest())
    return h.hexdigest()[:24]


class NaiveRetriever:
    """Page-text chunks, MiniLM, FAISS flat; hits folded to turns by overlap."""

    def __init__(self, sources: dict[str, Source], encoder: Encoder, *, chunk_size: int = CHUNK_SIZE,
                 chunk_overlap: int = CHUNK_OVERLAP, cache_dir: Path | None = None,
                 progress: bool = False, hide_questions: bool = False) -> None:
        """Split, embed (or read the cached vectors from ``cache_dir``, default :func:`default_cache_dir`)."""
        import faiss

        self.sources = sources
        self.encoder = encoder
        self.hide_questions = hide_questions
        self.chunks: list[NaiveChunk] = []
        texts_by_source = {name: page_text(sources[name], hide_questions) for name in sorted(sources)}
        for name in sorted(sources):
            self.chunks.extend(split_source(sources[name], chunk_size, chunk_overlap, hide_questions))
        # chunk -> [(turn, overlap in characters)], in document order
        self._turns: list[list[tuple[Turn, int]]] = []
        for c in self.chunks:
            row = []
            for t in sources[c.source].turns:
                s, e = turn_span(t)
                ov = min(e, c.end) - max(s, c.start)
                if ov > 0:
                    row.append((t, ov))
            self._turns.append(row)
        self.cached = False
        key = cache_key(list(sources.values()), chunk_size, chunk_overlap, getattr(encoder, "name", MODEL_NAME),
                        hide_questions)
        self.cache_path = Path(cache_dir if cache_dir is not None else default_cache_dir()) / f"{key}.npz"
        vectors = self._load_cache(self.cache_path)
        if vectors is None:
            texts = [texts_by_source[c.source][c.start:c.end] for c in self.chunks]
            try:
                vectors = encoder.encode(texts, progress=progress)  # type: ignore[call-arg]
            except TypeError:  # encoders without a progress flag (test fakes)
                vectors = encoder.encode(texts)
            vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), encoder.dims)
            self._save_cache(self.cache_path, vectors)
        else:
            self.cached = True
        self.vectors = vectors
        self.dense = faiss.IndexFlatIP(encoder.dims)
        if len(vectors):
            self.dense.add(vectors)
        self._date = [sources[c.source].date or "" for c in self.chunks]
        self._spk = [(sources[c.source].spokesperson or "").lower() for c in self.chunks]

    def _load_cache(self, path: Path) -> np.ndarray | None:
        if not path.exists():
            return None
        try:
            with np.load(path) as z:
                vec, offs = z["vectors"], z["offsets"]
        except (OSError, ValueError, KeyError):
            return None
        want = np.array([(c.start, c.end) for c in self.chunks], dtype=np.int64).reshape(-1, 2)
        if vec.shape != (len(self.chunks), self.encoder.dims) or not np.array_equal(offs, want):
            return None
        return np.ascontiguousarray(vec, dtype=np.float32)

    def _save_cache(self, path: Path, vectors: np.ndarray) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        offs = np.array([(c.start, c.end) for c in self.chunks], dtype=np.int64).reshape(-1, 2)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, vectors=vectors, offsets=offs)
        tmp.replace(path)

    def _mask(self, f: Filters) -> np.ndarray | None:
        # Page date and page spokesperson per chunk; no outlet column (a page has many outlets).
        return filter_mask(f, self._date, self._spk)

    def search(self, question: str, k: int = 100, filters: Filters = Filters(), *,
               candidates: int = 400) -> list[NaiveHit]:
        """Top-``k`` turns. ``filters.outlet`` is ignored: pages have no single outlet."""
        if not self.chunks:
            return []
        mask = self._mask(filters)
        if mask is not None and not mask.any():
            return []
        qvec = self.encoder.encode([" ".join(question.split())])[0]
        n = min(max(candidates, k * 4), len(self.chunks))
        best: dict[str, tuple[float, int, int, NaiveChunk, Turn]] = {}
        for i, s in dense_search(self.dense, qvec, n, mask).items():
            c = self.chunks[i]
            for t, ov in self._turns[i]:
                cur = best.get(t.turn_id)
                key = (s, ov)
                if cur is None or key > (cur[0], cur[1]):
                    best[t.turn_id] = (s, ov, t.n, c, t)
        ranked = sorted(best.values(), key=lambda x: (-x[0], -x[1], x[4].source, x[2]))[:k]
        return [NaiveHit(rank=r, score=s, turn=t, chunk=c, overlap=ov)
                for r, (s, ov, _n, c, t) in enumerate(ranked, start=1)]
