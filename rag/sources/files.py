"""Transcript files: which to read, and how to parse one by its suffix.

* :func:`collect_files`: the transcript files under a list of files and folders, with the
  problems found on the way (missing paths, wrong suffixes, unreadable folders).
* :func:`parse_file`: ``.txt`` through :mod:`rag.sources.text`, ``.html``/``.htm`` by what the
  page is (:func:`page_layout`): :mod:`rag.sources.fmprc_en`, :mod:`rag.sources.fmprc_zh` or
  :mod:`rag.sources.mfa_zh`; a ``NAME.meta.json`` sidecar and an explicit date override what
  the file says.
* :func:`urls_for`: page URLs from the crawl's ``pages.tsv`` (``fmprc/pages.tsv``,
  ``mfa/pages.tsv``: the one beside or above each folder of pages).

    >>> page_layout(b"<html><head><title>Regular Press Conference on May 6, 2019</title></head></html>")
    'fmprc_en'
    >>> page_layout("<html><head><title>2019年5月6日外交部发言人耿爽主持例行记者会</title></head></html>".encode())
    'fmprc_zh'
    >>> page_layout('<meta name="PubDate" content="2024-04-03"><title>发言人表态</title>'.encode())
    'mfa_zh'
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..errors import TranscriptError
from ..records import Source
from .decode import decode_html, decode_text
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


# Enough of a page to see its <head> and the start of its text (pages are 30-100 KB).
_HEAD_BYTES = 300_000
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_SITE_NAME = "中华人民共和国外交部"  # in the <title> of the ministry's pages of every language
# What only the newer site's pages have: the meta tags of its CMS, its body classes, its domain.
_MFA_RE = re.compile(r"""<meta\s+name=["']?PubDate|TRS_UEDITOR|class=["']?news-main|content=["']?www\.mfa\.gov\.cn""",
                     re.IGNORECASE)


def page_layout(data: bytes) -> str:
    """Which parser reads an HTML page: ``"fmprc_en"``, ``"fmprc_zh"`` or ``"mfa_zh"``.

    By content, not by folder or file name: a page is Chinese when its title (else its text) has
    more Chinese characters than Latin letters, and of the newer site when it carries that site's
    markers (:data:`_MFA_RE`). Everything else goes to the English parser, as before.
    """
    try:  # the page's own charset (older Chinese pages may be GB2312); the parser reports bad bytes
        head = decode_html(data, "")[:_HEAD_BYTES]
    except TranscriptError:
        head = data[:_HEAD_BYTES].decode("utf-8", errors="replace")
    m = _TITLE_RE.search(head)
    text = m.group(1).replace(_SITE_NAME, "") if m else ""
    if not (_HAN_RE.search(text) or _LATIN_RE.search(text)):
        text = _TAG_RE.sub(" ", head).replace(_SITE_NAME, "")
    if len(_HAN_RE.findall(text)) <= len(_LATIN_RE.findall(text)):
        return "fmprc_en"
    return "mfa_zh" if _MFA_RE.search(head) else "fmprc_zh"


def parse_file(path: Path, data: bytes, *, date: str | None = None, urls: dict[str, str] | None = None) -> Source:
    """Parse one file's bytes by its suffix (and a page by its layout), applying sidecar metadata
    and the page URL."""
    meta = read_sidecar(path)
    url = meta.get("url") or (urls or {}).get(path.name)
    if path.suffix.lower() in (".html", ".htm"):
        # lxml is loaded only when a page is parsed.
        layout = page_layout(data)
        if layout == "fmprc_zh":
            from .fmprc_zh import parse_html
        elif layout == "mfa_zh":
            from .mfa_zh import parse_html
        else:
            from .fmprc_en import parse_html

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
