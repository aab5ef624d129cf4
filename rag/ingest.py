"""Build or update an index from transcript files: parse -> chunk -> embed -> store.

Unchanged files (same bytes, same parser version) are neither re-parsed nor
re-embedded: their sources, chunks and vectors are carried over from the live
build. If nothing changed, nothing is written (unless the index's stored sentence flags
were computed under older patterns: then they are computed again, every vector carried over).

The chunks of changed files are looked up in the embedding cache beside the index
(``rag.embed_cache``) by their embedded text; only the others are embedded, in groups
that are stored in the cache as soon as they are computed. So ``--rebuild`` re-embeds
only texts it never saw, and a build killed partway resumes where it was.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import store
from .chunking import ChunkParams, chunk_source
from .embed_cache import RECIPE, EmbedCache, chunk_key
from .embedding import MODEL_NAME, Encoder, default_backend
from .errors import IndexStateError, RagError, TranscriptError
from .records import Chunk, Source
from .sentences import build_table, embed_chunks, unit_spans
from .sources import PARSER_VERSION
from .sources.files import MAX_FILE_BYTES, collect_files, parse_file, urls_for
from .zh.index import build_zh


@dataclass
class IngestReport:
    conferences: int = 0
    turns: int = 0
    chunks: int = 0
    chinese: int = 0  # Chinese transcripts (searched by words, not embedded: rag.zh)
    chinese_turns: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason): not an error
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, message): an error
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (file, message): indexed, but note this
    embedded: int = 0  # chunks run through the model in this build
    cached: int = 0  # chunks of changed files whose vectors came from the embedding cache
    reused: int = 0  # chunks of unchanged files carried over from the live index
    seconds: float = 0.0
    written: bool = False
    index: str = ""

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def ingest(
    paths: list[str | Path],
    index_dir: str | Path,
    *,
    encoder_factory: Callable[[], Encoder],
    params: ChunkParams = ChunkParams(),
    dtype: str = "fp32",
    date: str | None = None,
    rebuild: bool = False,
    progress: bool = False,
    cache: bool = True,
) -> IngestReport:
    """Add or update the transcripts under ``paths`` in the index at ``index_dir``.

    ``cache=False`` neither reads nor writes the embedding cache (``index_dir/cache/``).
    """
    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    report = IngestReport(index=str(index_dir))
    files, problems = collect_files(paths)
    report.failed.extend(problems)
    with store.writer_lock(index_dir):
        prev = None if rebuild else _previous(index_dir, params, dtype)
        prev_hashes = prev.manifest["sources"] if prev else {}
        # English and Chinese transcripts together while parsing; they part in _build
        sources: dict[str, Source] = {**prev.sources, **(prev.zh.sources if prev.zh else {})} if prev else {}
        hashes = {k: v["sha256"] for k, v in prev_hashes.items()}
        changed: set[str] = set()
        urls = urls_for(files)
        bar = _progress(files, progress, "parse")
        for path in bar:
            try:
                size = path.stat().st_size
                if size > MAX_FILE_BYTES:
                    report.failed.append((str(path), f"file is {size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB "
                                                     "limit for one transcript; split it into one file per conference"))
                    continue
                data = path.read_bytes()
            except OSError as e:
                report.failed.append((str(path), f"cannot read file: {e.strerror}; check its permissions"))
                continue
            # The sidecar (NAME.meta.json: date, URL, spokesperson) is part of what was indexed: a new or
            # corrected sidecar re-parses the transcript.
            side = path.with_name(path.stem + ".meta.json")
            side_bytes = side.read_bytes() if side.is_file() else b""
            digest = hashlib.sha256(data + f"|{PARSER_VERSION}|{date}|".encode() + side_bytes).hexdigest()
            name = path.name
            if hashes.get(name) == digest and name in sources:
                report.unchanged.append(name)
                continue
            try:
                src = parse_file(path, data, date=date, urls=urls)
            except TranscriptError as e:
                report.failed.append((str(path), e.detail))
                continue
            same = next((k for k, v in sources.items() if k != name and v.canonical == src.canonical), None)
            if same:
                report.skipped.append((str(path), f"same transcript text as {same}, already indexed"))
                continue
            (report.updated if name in sources else report.added).append(name)
            report.warnings.extend((str(path), w) for w in src.warnings)
            sources[name] = src
            hashes[name] = digest
            changed.add(name)
        sources, dropped = _dedupe_and_date(sources, changed)
        for name, reason in dropped.items():
            report.skipped.append((name, reason))
            for lst in (report.added, report.updated):
                if name in lst:
                    lst.remove(name)
            hashes.pop(name, None)
            changed.discard(name)
        stale = prev is not None and prev.sentences is not None and not prev.sentences.flags_current
        if prev is not None and not changed and not stale and set(sources) == set(prev.sources) | set(
                prev.zh.sources if prev.zh else {}):
            _fill_counts(report, prev)
            report.seconds = time.perf_counter() - t0
            return report
        if stale:  # the sentence patterns changed since the build: a new build with every vector carried over
            report.warnings.append((str(index_dir), "sentence flags (procedural, announces, stance) were computed "
                                    "under older patterns: computed again"))
        emb_cache = EmbedCache.beside(index_dir, MODEL_NAME, dtype) if cache else None
        try:
            index = _build(sources, hashes, changed, prev, params, dtype, encoder_factory, report, progress, emb_cache)
        finally:
            if emb_cache is not None:
                report.warnings.extend((str(emb_cache.dir), w) for w in emb_cache.warnings)
        store.save(index, index_dir)
        report.written = True
        _fill_counts(report, index)
    report.seconds = time.perf_counter() - t0
    return report


def _previous(index_dir: Path, params: ChunkParams, dtype: str) -> store.Index | None:
    """The live index if it can be extended with these settings; raise if it cannot be read."""
    manifest = store.read_manifest(index_dir)
    if manifest is None and store.build_dir(index_dir) is None:
        return None
    idx = store.load(index_dir, model=MODEL_NAME)
    settings = (idx.manifest.get("chunking"), idx.manifest.get("dtype"), idx.manifest.get("parser_version"))
    if settings != (params.to_dict(), dtype, PARSER_VERSION):
        raise IndexStateError(
            f"index at {index_dir} was built with other settings {settings}; "
            f"add --rebuild to rebuild it with {params.to_dict()}, dtype {dtype}")
    recipe = idx.manifest.get("embed_recipe", 1)  # 1: the recipe of indexes built before it was recorded
    if recipe != RECIPE:
        raise IndexStateError(f"index at {index_dir} holds vectors of embedding recipe {recipe}, this program "
                              f"makes recipe {RECIPE}; add --rebuild to rebuild it")
    return idx


def _dedupe_and_date(sources: dict[str, Source], changed: set[str]) -> tuple[dict[str, Source], dict[str, str]]:
    """Drop new sources that duplicate another, and infer missing years from neighbours."""
    from .sources.fmprc_en import find_duplicates, infer_years

    dupes = {k: v for k, v in find_duplicates(list(sources.values())).items() if k in changed}
    kept = [s for k, s in sources.items() if k not in dupes]
    # Only the ministry's pages have a "Month D" title whose year can be inferred from
    # neighbouring pages; a text file without a date keeps date None (never guessed).
    pages = infer_years([s for s in kept if s.source.lower().endswith((".html", ".htm"))])
    texts = [s for s in kept if not s.source.lower().endswith((".html", ".htm"))]
    return {s.source: s for s in sorted(pages + texts, key=lambda s: s.source)}, dupes


def _build(sources, hashes, changed, prev, params, dtype, encoder_factory, report, progress,  # noqa: ANN001
           emb_cache) -> store.Index:
    chunks: list[Chunk] = []
    vec_rows: list[np.ndarray | None] = []
    unit_sp: list[list[tuple[int, int]]] = []  # per chunk: its sentence units, relative to the chunk text
    unit_vec: list[np.ndarray | None] = []  # per chunk: their vectors (None: to embed)
    unit_flags: list[np.ndarray | None] = []  # per chunk: their flags when carried over (None: computed)
    to_embed: list[int] = []
    prev_rows: dict[str, list[int]] = {}
    if prev is not None:
        for c in prev.chunks:
            prev_rows.setdefault(c.source, []).append(c.chunk_id)
    zh_sources = {k: s for k, s in sources.items() if s.lang == "zh"}
    sources = {k: s for k, s in sources.items() if s.lang != "zh"}  # embedded; the Chinese ones are not
    for name in sorted(sources):
        src = sources[name]
        if name not in changed and name in prev_rows and prev is not None:
            for i in prev_rows[name]:
                c = prev.chunks[i]
                rows = prev.sentences.rows_of([i])
                chunks.append(replace(c, chunk_id=len(chunks)))
                vec_rows.append(prev.vectors[i])
                unit_sp.append([(int(a) - c.start, int(b) - c.start)
                                for a, b in zip(prev.sentences.start[rows], prev.sentences.end[rows], strict=True)])
                unit_vec.append(prev.sentences.vectors[rows])
                unit_flags.append(prev.sentences.flags_of_rows(rows))
            report.reused += len(prev_rows[name])
            continue
        for c in chunk_source(src, params):
            to_embed.append(len(chunks))
            chunks.append(replace(c, chunk_id=len(chunks)))
            vec_rows.append(None)
            unit_sp.append([])
            unit_vec.append(None)
            unit_flags.append(None)
    dims = prev.vectors.shape[1] if prev is not None else 384
    vectors = np.zeros((len(chunks), dims), dtype=np.float32)
    for i, v in enumerate(vec_rows):
        if v is not None:
            vectors[i] = v
    model = MODEL_NAME
    # The runtime that computed the vectors (fp32 onnx and torch agree to float noise): the configured one,
    # the encoder's if one was loaded, the previous build's if every vector was carried over from it.
    backend = prev.manifest.get("backend", "torch") if prev is not None and not to_embed else default_backend(dtype)
    if to_embed:
        new_vecs, new_spans, new_units, encoder = _embed([chunks[i] for i in to_embed], emb_cache, encoder_factory,
                                                         report, progress)
        vectors[to_embed] = new_vecs
        for i, sp, uv in zip(to_embed, new_spans, new_units, strict=True):
            unit_sp[i], unit_vec[i] = sp, uv
        if encoder is not None:
            dims, model = encoder.dims, encoder.name
            backend = getattr(encoder, "backend", backend)
    table = build_table(chunks, unit_sp, np.concatenate([v for v in unit_vec if v is not None])
                        if unit_vec else np.zeros((0, dims), dtype=np.float32), unit_flags)
    manifest = {
        "format": store.FORMAT, "version": store.FORMAT_VERSION, "model": model, "dtype": dtype,
        "dims": dims, "chunking": params.to_dict(), "parser_version": PARSER_VERSION, "embed_recipe": RECIPE,
        "backend": backend,
        "bm25": {"tokenizer": "rag.text.bm25_tokens (stopwords en, snowball english)", "k1": 1.5, "b": 0.75},
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sources": {
            n: {"sha256": hashes[n], "date": s.date, "kind": s.kind, "turns": len(s.turns)}
            for n, s in sorted(sources.items())
        },
        "sentences": {"units": "rag.text.sentence_spans of each chunk",
                      "vectors": "mean of the chunk's contextual token vectors inside the sentence, float16"},
        "counts": {"sources": len(sources), "turns": sum(len(s.turns) for s in sources.values()), "chunks": len(chunks),
                   "sentences": len(table), "zh_sources": len(zh_sources),
                   "zh_turns": sum(len(s.turns) for s in zh_sources.values())},
    }
    for n, s in zh_sources.items():
        manifest["sources"][n] = {"sha256": hashes[n], "date": s.date, "kind": s.kind, "turns": len(s.turns), "lang": "zh"}
    manifest["sources"] = dict(sorted(manifest["sources"].items()))
    if prev is not None and prev.zh is not None and not (changed & set(zh_sources)) \
            and set(zh_sources) == set(prev.zh.sources):
        zh = prev.zh  # nothing Chinese changed: no need to segment every page again
    else:
        zh = build_zh(zh_sources) if zh_sources else None
    align = {}
    if zh is not None:
        manifest["zh"] = {"tokenizer": zh.tokenizer, "bm25": "bm25s over the tokens of each turn's question + answer"}
        from .align import align_corpus

        align = align_corpus({**sources, **zh_sources})  # every English turn and its Chinese original, or why not
        manifest["align"] = {"english_turns": len(align), "aligned": sum(1 for a in align.values() if a.zh_turn_id)}
    return store.assemble(manifest, dict(sorted(sources.items())), chunks, vectors, table, zh, align)


# Chunks per embedded group, i.e. per cache shard (~240 kB): a kill loses at most one group, a few seconds
# of model time here. A multiple of encode_units' batch (rag.embedding.BATCH): each group is one call, whose
# batches depend on the group's texts alone; the groups, cut from the misses sorted longest first, are the
# same in an uncached build and in a resumed one (its misses are the uninterrupted build's last groups), so
# the vectors are bit-identical to an uncached build's.
GROUP = 64


def _embed(chunks: list[Chunk], emb_cache: EmbedCache | None, encoder_factory: Callable[[], Encoder],
           report: IngestReport, progress: bool) -> tuple[np.ndarray, list, list, Encoder | None]:
    """``embed_chunks`` of ``chunks`` through the cache, plus the encoder if one was loaded.

    Chunks whose key is cached are not embedded; the others (each distinct text once) are embedded
    in groups of GROUP, each group stored in the cache as soon as it is computed.
    """
    spans = unit_spans(chunks)
    keys = [chunk_key(c.embed_text, [(s + len(c.embed_text) - len(c.text), e + len(c.embed_text) - len(c.text))
                                     for s, e in sp]) for c, sp in zip(chunks, spans, strict=True)]
    first: dict[bytes, int] = {}  # each distinct key's first chunk
    for j, k in enumerate(keys):
        first.setdefault(k, j)
    found = emb_cache.get(keys) if emb_cache is not None else {}
    # One unit vector per unit span (the key covers the spans: this is only a guard).
    found = {k: v for k, v in found.items() if len(v[1]) == len(spans[first[k]])}
    encoder = None
    todo = [k for k in first if k not in found]
    if todo:
        encoder = encoder_factory()
        runtime = getattr(encoder, "backend", None) or (emb_cache.backend if emb_cache is not None else None)
        if emb_cache is not None and (encoder.name, encoder.dtype, runtime) != (emb_cache.model, emb_cache.dtype,
                                                                                 emb_cache.backend):
            # An encoder other than the configured model (a test's fake): its vectors are neither
            # mixed with the cached ones nor stored under the model's name.
            emb_cache, found, todo = None, {}, list(first)
    report.cached += sum(1 for k in keys if k in found)
    if todo:
        # Longest first, ties in chunk order: a resumed build cuts the groups an uninterrupted one would.
        order = sorted(sorted(first[k] for k in todo), key=lambda j: -len(chunks[j].embed_text))
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(order), desc="embed", unit="chunk")
        for g in range(0, len(order), GROUP):
            part = order[g:g + GROUP]
            vecs, _, units = embed_chunks([chunks[j] for j in part], encoder)
            if emb_cache is not None:
                emb_cache.put([keys[j] for j in part], vecs, units)
            for row, j in enumerate(part):
                found[keys[j]] = (vecs[row], units[row])
            if bar is not None:
                bar.update(len(part))
        if bar is not None:
            bar.close()
        report.embedded += len(order)
    vectors = np.stack([found[k][0] for k in keys]).astype(np.float32, copy=False)
    return vectors, spans, [found[k][1] for k in keys], encoder


def _fill_counts(report: IngestReport, index: store.Index) -> None:
    report.conferences = len(index.sources)
    report.turns = len(index.turns)
    report.chinese = len(index.zh.sources) if index.zh else 0
    report.chinese_turns = len(index.zh.turn_ids) if index.zh else 0
    report.chunks = len(index.chunks)


def _progress(items: list, enabled: bool, desc: str):  # noqa: ANN202
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="file", disable=None if os.isatty(2) else False)


__all__ = ["IngestReport", "ingest", "RagError"]
