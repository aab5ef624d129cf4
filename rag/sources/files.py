"""Transcript files: which to read, and how to parse one by its suffix.

* :func:`collect_files`: the transcript files under a list of files and folders, with the
  problems found on the way (missing paths, wrong suffixes, unreadable folders).
* :func:`parse_file`: ``.txt`` through :mod:`rag.sources.text`, ``.html``/``.htm`` through
  :mod:`rag.sources.fmprc_en`; a ``NAME.meta.json`` sidecar and an explicit date override
  what the file says.
* :func:`urls_for`: page URLs from the crawl's ``pages.tsv``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import TranscriptError
from ..records import Source
from .decode import decode_text
from .text import parse_text, read_sidecar

SUFFIXES = (".txt", ".html", ".htm")
# A press conference transcript is 10-100 KB; 20 MB is far beyond any real one, and a
# larger file would take minutes to embed. It is refused with a message, not truncated.
MAX_FILE_BYTES = 20 * 1024 * 1024


def collect_files(paths: list[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Transcript files under ``paths`` (sorted, de-duplicated) and problems found on the way."""
    files: dict[str, Path] = {}
    problems: list[tuple[str, str]] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(d: Path) -> None:
        try:
            st = d.stat()
        except OSError as e:
            problems.append((str(d), f"cannot read directory: {e.strerror}"))
            return
        if (st.st_dev, st.st_ino) in seen_dirs:  # a symlink loop, or the same dir twice
            return
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(d.iterdir())
        except OSError as e:
            problems.append((str(d), f"cannot list directory: {e.strerror}"))
            return
        for p in entries:
            if p.name.startswith("."):
                continue
            if p.is_dir():
                walk(p)
            elif p.suffix.lower() in SUFFIXES:
                files.setdefault(str(p.resolve()) if p.exists() else str(p), p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            walk(p)
        elif p.exists() or p.is_symlink():
            if p.suffix.lower() in SUFFIXES:
                files.setdefault(str(p.resolve()) if p.exists() else str(p), p)
            else:
                problems.append((str(p), f"not a transcript (expected {', '.join(SUFFIXES)})"))
        else:
            problems.append((str(p), "no such file or directory"))
    return sorted(files.values(), key=lambda q: (q.name, str(q))), problems


def parse_file(path: Path, data: bytes, *, date: str | None = None, urls: dict[str, str] | None = None) -> Source:
    """Parse one file's bytes by its suffix, applying sidecar metadata and the page URL."""
    meta = read_sidecar(path)
    url = meta.get("url") or (urls or {}).get(path.name)
    if path.suffix.lower() in (".html", ".htm"):
        from .fmprc_en import parse_html  # lxml is loaded only when a page is parsed

        src = parse_html(data, path.name, url=url, path=str(path))
    else:
        text = decode_text(data, str(path))
        if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
            raise TranscriptError(str(path), "this .txt file holds an HTML page", line=1,
                                  hint="rename it to .html so it is parsed as a page")
        src = parse_text(text, path.name, date=date or meta.get("date"), url=url, path=str(path))
    if date or meta.get("date") or meta.get("spokesperson"):
        src = replace(src, date=date or meta.get("date") or src.date,
                      date_inferred=False if (date or meta.get("date")) else src.date_inferred,
                      spokesperson=meta.get("spokesperson") or src.spokesperson)
    return src


def urls_for(files: list[Path]) -> dict[str, str]:
    """``{file name: url}`` from the ``pages.tsv`` beside (or above) the HTML pages in ``files``.

    An unreadable ``pages.tsv`` is skipped: URLs are a convenience for citations.
    """
    from .fmprc_en import load_urls

    urls: dict[str, str] = {}
    for d in sorted({f.parent for f in files if f.suffix.lower() in (".html", ".htm")}):
        try:
            urls.update(load_urls(d))
        except (OSError, ValueError):
            continue
    return urls
