"""A content-addressed cache of chunk embeddings beside the index: no text is embedded twice.

Rebuilds (``--rebuild``, a chunking change that leaves most embedded texts alone) and builds resumed after
a crash take the vectors of every chunk whose text was embedded before from here; only the rest goes to
the model (``rag.ingest``). ``rag ingest --no-cache`` neither reads nor writes it.

A key is the sha256 of what the encoder sees for a chunk: its embedded text and the character spans of
its sentence units inside that text (a unit's vector is pooled from the chunk's own forward pass, see
:meth:`rag.embedding.Embedder.encode_units`), within a namespace of (model, dtype, runtime, ``RECIPE``):
onnx and torch fp32 vectors agree only to float noise, so each runtime keeps its own vectors. A value
is the chunk's vector (float32) and its units' vectors (float16, as the index stores them), exactly as
the encoder produced them: a cached vector is bit-identical to the one first computed for that text.

Layout, ``DIR/cache/<model>-<dtype>[-onnx]-r<RECIPE>/`` (no suffix for torch: the caches made before the
onnx runtime keep being used)::

    params.json          {"format": "rag-embed-cache", "version": 1, "model", "dtype", "recipe", "dims",
                          "backend"} (no "backend": torch)
    000001-<sha16>.npz   one shard per embedded batch: keys uint8 [n, 32], vectors float32 [n, dims],
                         unit_counts int32 [n], units float16 [sum(unit_counts), dims];
                         <sha16> is the start of the file's own sha256

Append-only. A shard is written to a ``.tmp-*`` file, fsynced and renamed in, so a SIGKILL leaves the
whole shard or nothing (stray temp files are removed by the next writer). A shard whose bytes do not
match its name's checksum, or whose arrays do not fit together, is reported once (``warnings``), renamed
``*.bad`` and never read again: its chunks are embedded again. Only the index's writer (holding its lock)
opens the cache. Nothing is evicted: about 3.5 kB per chunk (some 40 MB for the 500 English pages).

    >>> import tempfile, numpy as np
    >>> c = EmbedCache(Path(tempfile.mkdtemp()), "m", "fp32", "onnx")
    >>> k = chunk_key("Any comment?\\nWe noted it.", [(13, 25)])
    >>> c.put([k], np.ones((1, 4), np.float32), [np.ones((1, 4), np.float32)])
    >>> v, u = c.get([k])[k]; v.tolist(), u.shape
    ([1.0, 1.0, 1.0, 1.0], (1, 4))
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import uuid
from pathlib import Path

import numpy as np

FORMAT, VERSION = "rag-embed-cache", 1
# What the vectors are a function of besides model, dtype and runtime: mean pooling of the last hidden
# state, 256 word-piece truncation, L2 normalisation, late-pooled units. Bump it (or use a new dtype name)
# when Embedder.encode_units changes what it computes, so old vectors are never mixed in. Not bumped for
# the onnx runtime: its fp32 vectors are torch's to float noise (3e-7), and it has its own namespace.
RECIPE = 1
CACHE_DIR = "cache"
_SHARD = re.compile(r"^(\d{6})-([0-9a-f]{16})\.npz$")


def chunk_key(embed_text: str, spans: list[tuple[int, int]]) -> bytes:
    """32-byte key of an embedded text and its unit spans (character offsets inside ``embed_text``)."""
    h = hashlib.sha256(embed_text.encode("utf-8"))
    h.update(("\0" + ",".join(f"{s}:{e}" for s, e in spans)).encode())
    return h.digest()


class EmbedCache:
    """The shards of one namespace; ``get`` and ``put`` by key. Damage is reported in ``warnings``."""

    def __init__(self, root: Path, model: str, dtype: str, backend: str | None = None) -> None:
        from .embedding import default_backend

        self.model, self.dtype, self.backend = model, dtype, backend or default_backend(dtype)
        runtime = "" if self.backend == "torch" else f"-{self.backend}"
        self.dir = Path(root) / re.sub(r"[^A-Za-z0-9._-]+", "-", f"{model}-{dtype}{runtime}-r{RECIPE}")
        self.warnings: list[str] = []
        self.dims: int | None = None
        self._where: dict[bytes, tuple[str, int]] = {}  # key -> (shard name, row)
        self._seq = 0
        self._writable = True
        if self.dir.is_dir():
            self._open()

    @classmethod
    def beside(cls, index_dir: Path, model: str, dtype: str, backend: str | None = None) -> EmbedCache:
        return cls(Path(index_dir) / CACHE_DIR, model, dtype, backend)

    def __len__(self) -> int:
        return len(self._where)

    def _open(self) -> None:
        want = {"format": FORMAT, "version": VERSION, "model": self.model, "dtype": self.dtype, "recipe": RECIPE,
                "backend": self.backend}
        try:
            params = json.loads((self.dir / "params.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            params = None  # killed before its first shard: nothing to read
        except (OSError, ValueError) as e:
            params = {"error": str(e)}
        if params is not None and {k: params.get(k, "torch" if k == "backend" else None) for k in want} != want:
            self._writable = False
            self.warnings.append(f"{self.dir}: embedding cache with unknown parameters {params}; not used "
                                 "(remove the directory to start a new cache)")
            return
        self.dims = params.get("dims") if params else None
        for p in sorted(self.dir.iterdir()):
            if p.name.startswith(".tmp-"):
                p.unlink(missing_ok=True)  # a writer killed before its rename
                continue
            m = _SHARD.match(p.name)
            if not m:
                continue
            self._seq = max(self._seq, int(m[1]))
            try:
                with np.load(p, allow_pickle=False) as z:
                    keys = z["keys"]
                if keys.dtype != np.uint8 or keys.ndim != 2 or keys.shape[1] != 32:
                    raise ValueError(f"keys of shape {keys.shape}")
            except Exception as e:  # noqa: BLE001 - any damage: the shard is not trusted
                self._bad(p, e)
                continue
            for row, k in enumerate(keys):
                self._where.setdefault(k.tobytes(), (p.name, row))

    def get(self, keys: list[bytes]) -> dict[bytes, tuple[np.ndarray, np.ndarray]]:
        """``{key: (vector, unit vectors)}`` for the keys in the cache (absent keys are left out)."""
        by_shard: dict[str, list[tuple[bytes, int]]] = {}
        for k in dict.fromkeys(keys):
            if k in self._where:
                name, row = self._where[k]
                by_shard.setdefault(name, []).append((k, row))
        out = {}
        for name, wanted in sorted(by_shard.items()):
            try:
                vecs, counts, units = self._load(self.dir / name)
            except Exception as e:  # noqa: BLE001
                self._bad(self.dir / name, e)
                continue
            first = np.concatenate([[0], np.cumsum(counts)])
            for k, row in wanted:
                out[k] = (vecs[row], units[first[row]:first[row + 1]])
        return out

    def _load(self, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest()[:16] != _SHARD.match(path.name)[2]:
            raise ValueError("its bytes do not match the checksum in its name")
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            keys, vecs, counts, units = z["keys"], z["vectors"], z["unit_counts"], z["units"]
        dims = self.dims or (vecs.shape[1] if vecs.ndim == 2 else -1)
        if (vecs.dtype != np.float32 or vecs.shape != (len(keys), dims) or counts.shape != (len(keys),)
                or (counts < 0).any() or units.dtype != np.float16 or units.shape != (int(counts.sum()), dims)
                or not (np.isfinite(vecs).all() and np.isfinite(units).all())):
            raise ValueError(f"arrays do not fit: vectors {vecs.shape}, units {units.shape}, {len(keys)} keys")
        return vecs, counts, units

    def _bad(self, path: Path, why: Exception) -> None:
        self.warnings.append(f"{path}: damaged embedding-cache shard ({why}); ignored and renamed "
                             f"{path.name}.bad, its chunks are embedded again")
        self._where = {k: v for k, v in self._where.items() if v[0] != path.name}
        try:
            os.rename(path, path.with_name(path.name + ".bad"))
        except OSError:
            pass

    def put(self, keys: list[bytes], vectors: np.ndarray, units: list[np.ndarray]) -> None:
        """Append one shard: ``vectors[i]`` and ``units[i]`` (one row per unit) of ``keys[i]``.

        A write that fails (disk full, read-only index) is reported once and the build goes on uncached.
        """
        if not self._writable or not keys:
            return
        dims = int(vectors.shape[1])
        buf = io.BytesIO()
        np.savez(buf, keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 32),
                 vectors=np.ascontiguousarray(vectors, dtype=np.float32),
                 unit_counts=np.array([len(u) for u in units], dtype=np.int32),
                 units=np.concatenate(units).astype(np.float16) if units else np.zeros((0, dims), np.float16))
        data = buf.getvalue()
        name = f"{self._seq + 1:06d}-{hashlib.sha256(data).hexdigest()[:16]}.npz"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            if self.dims is None:
                params = {"format": FORMAT, "version": VERSION, "model": self.model, "dtype": self.dtype,
                          "recipe": RECIPE, "dims": dims, "backend": self.backend}
                _write_atomic(self.dir / "params.json", json.dumps(params, indent=1).encode())
                self.dims = dims
            _write_atomic(self.dir / name, data)
        except OSError as e:
            self._writable = False
            self.warnings.append(f"{self.dir}: cannot write the embedding cache ({e.strerror or e}); "
                                 "this build goes on without storing its vectors")
            return
        self._seq += 1
        for row, k in enumerate(keys):
            self._where.setdefault(k, (name, row))


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".tmp-{path.name}.{uuid.uuid4().hex[:8]}")  # not *.npz until renamed
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.rename(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
