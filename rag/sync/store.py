"""The data directory of ``rag sync``: raw pages, what was fetched when, and how far back it is complete.

Layout of ``DATA`` (default ``data/``)::

    DATA/en/t1794629.html        raw transcript pages, byte for byte as served, one folder per language
    DATA/zh/t20240403_11276141.html
    DATA/pages.tsv               file, url, fetched_at, sha256, status: one row per page fetched
    DATA/listings/<host>/<path>  the last answer of each listing page (+ .json: ETag, Last-Modified, sha256)
    DATA/state.json              per listing: the frontier (see rag.sync.run) and when it was set
    DATA/last_sync.json          when the last run finished and what it found (also in INDEX/sync.json)

``pages.tsv`` is the file ``rag ingest`` reads URLs from (``file`` and ``url`` columns), so the pages are
cited with their official URL. ``status`` is ``ok`` (the page is stored), ``removed`` (the site sent the
"system" page, or the page has no transcript body) or ``missing`` (404/410); rows without a stored page
leave ``file`` empty. The last row of a URL wins.

Crash safety (SIGKILL at any moment): a page is written to ``.tmp-*`` beside its final name, fsynced
and renamed, and only then is its row appended to ``pages.tsv`` (and fsynced). So a stored page is
never half-written; a page without its row is fetched again by the next run (same name, same bytes);
a row torn by the kill is cut off when the store is next opened. ``state.json`` and listing answers are
replaced atomically the same way. One run at a time holds ``DATA/.lock``.

    >>> import tempfile
    >>> s = Store(tempfile.mkdtemp())
    >>> p = s.save_page("https://h/web/fyrbt/t1794629.shtml", "en", b"<html>...</html>")
    >>> p.name, s.status("https://h/web/fyrbt/t1794629.shtml"), s.rows[-1]["file"]
    ('t1794629.html', 'ok', 'en/t1794629.html')
    >>> s.close()
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import RagError
from ..store import fsync_dir

COLUMNS = ("file", "url", "fetched_at", "sha256", "status")
SETTLED = ("ok", "removed", "missing")  # a page in one of these states is not fetched again
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def now_iso() -> str:
    """UTC now as ``2020-07-04T03:55:41Z`` (the format of the corpus's ``fetched_at``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader (or a crash) sees the old file or the new one, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{path.name}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def write_json(path: Path, obj: dict) -> None:
    atomic_write(path, (json.dumps(obj, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))


def page_name(url: str) -> str:
    """File name of an article URL: ``…/t1794629.shtml`` -> ``t1794629.html`` (the corpus's naming)."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or "index"
    stem = last.rsplit(".", 1)[0] if "." in last else last
    return (_SAFE.sub("_", stem) or "page") + ".html"


class Store:
    """An open data directory (holding its lock until :meth:`close`)."""

    def __init__(self, data_dir: str | Path) -> None:
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.dir / ".lock", "w")  # noqa: SIM115 - held for the store's life
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise RagError(f"another rag sync is using {self.dir} (it holds {self.dir / '.lock'}); "
                           "wait for it to finish") from None
        self._remove_temps()
        self.tsv = self.dir / "pages.tsv"
        self.rows: list[dict[str, str]] = self._load_rows()
        self._latest: dict[str, dict[str, str]] = {r["url"]: r for r in self.rows}
        self._files: dict[str, str] = {r["file"]: r["url"] for r in self.rows if r["file"]}
        self.state: dict = self._load_json(self.dir / "state.json") or {"version": 1, "listings": {}}

    def close(self) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()

    # -- pages ----------------------------------------------------------------------------------------

    def status(self, url: str) -> str | None:
        """``ok``/``removed``/``missing`` for a URL fetched before, else None."""
        row = self._latest.get(url)
        return row["status"] if row else None

    def row(self, url: str) -> dict[str, str] | None:
        return self._latest.get(url)

    def path_for(self, url: str, lang: str) -> Path:
        """Where the page of ``url`` is (or will be) stored; a name already used by another URL gets
        a short hash so two pages never share a file."""
        row = self._latest.get(url)
        if row and row["file"]:
            return self.dir / row["file"]
        name = page_name(url)
        rel = f"{lang}/{name}"
        if self._files.get(rel, url) != url:
            rel = f"{lang}/{name[:-5]}-{hashlib.sha256(url.encode()).hexdigest()[:8]}.html"
        return self.dir / rel

    def save_page(self, url: str, lang: str, body: bytes, fetched_at: str | None = None) -> Path:
        """Store a transcript page (atomically), then record it as ``ok``."""
        path = self.path_for(url, lang)
        atomic_write(path, body)
        self._append(path.relative_to(self.dir).as_posix(), url, fetched_at or now_iso(),
                     hashlib.sha256(body).hexdigest(), "ok")
        return path

    def record(self, url: str, status: str, fetched_at: str | None = None) -> None:
        """Record a page that is not stored: ``removed`` or ``missing``."""
        self._append("", url, fetched_at or now_iso(), "", status)

    def stored(self, lang: str | None = None) -> list[Path]:
        """Paths of the stored (``ok``) pages, of one language folder if given."""
        out = [self.dir / r["file"] for r in self._latest.values() if r["status"] == "ok" and r["file"]]
        return [p for p in out if lang is None or p.parent.name == lang]

    # -- listings and state ---------------------------------------------------------------------------

    def listing_path(self, url: str) -> Path:
        parts = urlsplit(url)
        path = parts.path if not parts.path.endswith("/") else parts.path + "_folder.html"
        segs = [_SAFE.sub("_", s) for s in path.split("/") if s and s not in (".", "..")]
        return self.dir.joinpath("listings", _SAFE.sub("_", parts.netloc), *segs)

    def cached_listing(self, url: str) -> tuple[bytes, dict] | None:
        """The last stored answer of a listing page and its validators, if intact."""
        path = self.listing_path(url)
        meta = self._load_json(path.with_name(path.name + ".json"))
        if not meta or meta.get("url") != url or not path.is_file():
            return None
        body = path.read_bytes()
        return (body, meta) if hashlib.sha256(body).hexdigest() == meta.get("sha256") else None

    def save_listing(self, url: str, body: bytes, etag: str | None, last_modified: str | None) -> None:
        path = self.listing_path(url)
        atomic_write(path, body)  # the body first: the .json that vouches for it is the commit point
        write_json(path.with_name(path.name + ".json"), {
            "url": url, "etag": etag, "last_modified": last_modified, "fetched_at": now_iso(),
            "sha256": hashlib.sha256(body).hexdigest()})

    def save_state(self) -> None:
        write_json(self.dir / "state.json", self.state)

    # -- internals ------------------------------------------------------------------------------------

    def _append(self, file: str, url: str, fetched_at: str, sha: str, status: str) -> None:
        row = dict(zip(COLUMNS, (file, url, fetched_at, sha, status), strict=True))
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
        if not self.tsv.exists() or self.tsv.stat().st_size == 0:
            writer.writerow(COLUMNS)
        writer.writerow([row[c] for c in COLUMNS])
        with open(self.tsv, "a", encoding="utf-8") as fh:
            fh.write(buf.getvalue())
            fh.flush()
            os.fsync(fh.fileno())
        self.rows.append(row)
        self._latest[url] = row
        if file:
            self._files[file] = url

    def _load_rows(self) -> list[dict[str, str]]:
        if not self.tsv.exists():
            return []
        data = self.tsv.read_bytes()
        if data and not data.endswith(b"\n"):
            # A row torn by a kill mid-append: it was never committed; cut it off.
            keep = data.rfind(b"\n") + 1
            with open(self.tsv, "r+b") as fh:
                fh.truncate(keep)
                os.fsync(fh.fileno())
            data = data[:keep]
        reader = csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter="\t")
        if reader.fieldnames is not None and not {"url", "status"} <= set(reader.fieldnames):
            raise RagError(f"{self.tsv} is not a rag sync pages.tsv (columns {reader.fieldnames}, "
                           f"expected {', '.join(COLUMNS)}); use another --data folder")
        return [{c: (r.get(c) or "") for c in COLUMNS} for r in reader if r.get("url")]

    def _remove_temps(self) -> None:
        for p in self.dir.rglob(".tmp-*"):
            with contextlib.suppress(OSError):
                p.unlink()

    @staticmethod
    def _load_json(path: Path) -> dict | None:
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return obj if isinstance(obj, dict) else None
