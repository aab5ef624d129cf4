"""A local mirror of the ministry's site for the ``rag sync`` tests, with fault injection.

It serves the shared corpus (``../shared/corpus``, never copied) at the real URL paths of its pages
(``fmprc/pages.tsv``, ``mfa/pages.tsv``) and listings (``fmprc/listings.tsv``) on 127.0.0.1, any
free port, from a thread. Listings answer conditional requests (ETag / Last-Modified, 304). Faults are
queued per path and consumed one request at a time::

    with Mirror() as m:
        m.fault(path, ("status", 500), ("status", 500))     # two 500s, then the page
        m.fault(path, ("sleep", 3))                          # answer after 3 s (a client timeout)
        m.fault(path, ("reset",))                            # half the body, then a TCP reset
        m.fault(path, ("truncate",))                         # Content-Length of the whole, half the body
        m.fault(path, ("truncate_nolength",))                # half the body, no Content-Length, close
        m.routes[path] = ("redirect", "/web/system/2017/09/25/index.html")
        m.routes[path] = ("status", 404)
        m.robots = b"User-agent: *\\nDisallow: /some/path\\n"
        m.gzip = True                                        # gzip bodies (a cut gzip stream is a truncated body)
        m.use_listing("zh-2020-12-13")                      # the Chinese listing saved five months later
        url = m.url("https://www.fmprc.gov.cn/web/...")     # the same path on the mirror
        m.log                                                # [(monotonic time, path, status), ...]

New items of the 2020-12-13 listing are not in the corpus: they answer 404 unless a test puts a page
in ``m.routes`` (see :func:`small_zh_page`). The newer site generation had no listing saved:
:func:`newer_listing_pages` writes one, in the shape the older listings show, over ``mfa/pages.tsv``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import http.server
import socket
import struct
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.paths import SHARED_CORPUS

CORPUS = SHARED_CORPUS.parent  # ../shared/corpus
EN_LISTING = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/default.shtml"
ZH_LISTING = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default.shtml"
# The newer site's pages (mfa/pages.tsv) sit in three folders; each gets a written listing (index.shtml).
MFA_LISTING = "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/index.shtml"  # 718 pages (2020-2024)
MFA_LISTINGS = (MFA_LISTING, "https://www.mfa.gov.cn/wjdt_674879/fyrbt_674889/index.shtml",  # 272 pages
                "https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/index.shtml")  # 1 page
LISTING_DATES = {"en-2020-07-04": "Sat, 04 Jul 2020 04:00:00 GMT", "zh-2020-07-04": "Sat, 04 Jul 2020 04:00:00 GMT",
                 "zh-2020-12-13": "Sun, 13 Dec 2020 04:00:00 GMT"}
PAGE_DATE = "Sat, 04 Jul 2020 04:00:00 GMT"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def corpus_pages() -> dict[str, Path]:
    """URL path -> file of every saved article page (fmprc en/zh, mfa zh)."""
    out: dict[str, Path] = {}
    for base in (CORPUS / "fmprc", CORPUS / "mfa"):
        for row in read_tsv(base / "pages.tsv"):
            out[urlsplit(row["url"]).path] = base / row["file"]
    return out


def listing_sets() -> dict[str, dict[str, Path]]:
    """Saved listing set (``en-2020-07-04`` ...) -> {URL path: file}."""
    out: dict[str, dict[str, Path]] = {}
    for row in read_tsv(CORPUS / "fmprc" / "listings.tsv"):
        out.setdefault(row["file"].split("/")[1], {})[urlsplit(row["url"]).path] = CORPUS / "fmprc" / row["file"]
    return out


def small_zh_page(title: str, date: str, body: str | None = None) -> bytes:
    """A minimal older-layout Chinese transcript page (for listing items the corpus does not have); its
    answer is mostly characters drawn from a hash of title and date, so no two such pages are near-duplicates
    (two items of one day by one spokesperson would otherwise be merged by rag.sources.fmprc_en.find_duplicates)."""
    digest = hashlib.sha256(f"{title}|{date}".encode()).digest() * 2
    body = body or f"关于{title}，" + "".join(chr(0x4E00 + b * 79 % 20000) for b in digest) + "。"
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head><body>'
            f'<div class="title" id="News_Body_Title">{html.escape(title)}</div>'
            f'<span id="News_Body_Time">{date}</span>'
            f'<div id="News_Body_Txt_A" class="content"><p>问：请问中方对此有何评论？</p>'
            f'<p>答：{html.escape(body)}</p></div></body></html>').encode()


def newer_listing_pages(listing: str = MFA_LISTING, per_page: int = 20, pages: int | None = None, *,
                        script: bool = True) -> dict[str, bytes]:
    """Newer-layout listing pages (``index.shtml``, ``index_1.shtml`` …) over the pages of ``mfa/pages.tsv``
    in ``listing``'s folder, newest first: ``<ul class="list1"><li><a href="./202404/t….shtml">title</a>
    <span>date</span></li>``, paged by ``createPageHTML(count, current, "index", "shtml")`` (``script=False``:
    by links only). ``pages``: how many listing pages (default: as many as the folder's pages fill)."""
    base = urlsplit(listing).path.rsplit("/", 1)[0] + "/"
    rows = [r for r in read_tsv(CORPUS / "mfa" / "pages.tsv") if urlsplit(r["url"]).path.startswith(base)]
    rows.sort(key=lambda r: r["url"].rsplit("/t", 1)[1], reverse=True)
    pages = pages or -(-len(rows) // per_page)
    out: dict[str, bytes] = {}
    for n in range(pages):
        items = []
        for row in rows[n * per_page:(n + 1) * per_page]:
            rel = urlsplit(row["url"]).path[len(base):]
            stamp = rel.rsplit("/t", 1)[1][:8]
            items.append(f'<li><a href="./{rel}" target="_blank">{stamp[:4]}年{int(stamp[4:6])}月{int(stamp[6:])}日'
                         f'外交部发言人主持例行记者会</a><span>{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}</span></li>')
        if script:
            pager = f'<div class="page"><script>createPageHTML({pages}, {n}, "index", "shtml");</script></div>'
        else:
            nxt = f'<a href="index_{n + 1}.shtml">下一页</a>' if n + 1 < pages else ""
            pager = f'<div class="page"><a href="index.shtml">首页</a>{nxt}</div>'
        page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>例行记者会</title></head><body>'
                f'<div class="break"><a href="../../">首页</a> &gt; <a href="../">发言人表态</a></div>'
                f'<div class="newsBd"><ul class="list1">{"".join(items)}</ul></div>{pager}'
                f'<div class="footer"><a href="/web/wjb_673085/">外交部</a></div></body></html>')
        out[base + ("index.shtml" if n == 0 else f"index_{n}.shtml")] = page.encode("utf-8")
    return out


class Mirror:
    """The mirror server (a context manager: started on enter, stopped on exit)."""

    def __init__(self, listings: tuple[str, ...] = ("en-2020-07-04", "zh-2020-07-04")) -> None:
        self.pages = corpus_pages()
        self.sets = listing_sets()
        self.listings: dict[str, tuple[Path | bytes, str]] = {}  # path -> (content, Last-Modified)
        for name in listings:
            self.use_listing(name)
        self.routes: dict[str, tuple] = {}  # path -> ("bytes", data) / ("redirect", loc) / ("status", code)
        self.faults: dict[str, list[tuple]] = {}
        self.robots: bytes | None = b"User-agent: *\nDisallow: /private/\n"
        self.log: list[tuple[float, str, int]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = self.max_in_flight = 0  # requests being answered now / at most at once
        self.gzip = False  # True: bodies go gzip-compressed to clients that accept it
        self._lock = threading.Lock()
        self.server: http.server.ThreadingHTTPServer | None = None

    # -- configuration ------------------------------------------------------------------------------

    def use_listing(self, name: str) -> None:
        """Serve a saved listing set at its real paths (replacing the set of the same section)."""
        for path, file in self.sets[name].items():
            self.listings[path] = (file, LISTING_DATES[name])

    def add_listing(self, pages: dict[str, bytes], last_modified: str = PAGE_DATE) -> None:
        for path, data in pages.items():
            self.listings[path] = (data, last_modified)

    def fault(self, path: str, *faults: tuple) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def url(self, real_url: str) -> str:
        parts = urlsplit(real_url)
        return f"http://127.0.0.1:{self.port}{parts.path}"

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    def requests_to(self, path: str) -> list[tuple[float, str, int]]:
        return [e for e in self.log if e[1] == path]

    # -- serving ------------------------------------------------------------------------------------

    def __enter__(self) -> Mirror:
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                mirror._handle(self)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    def _content(self, path: str) -> tuple[bytes | None, str | None, int, str | None]:
        """(body, Last-Modified, status, redirect location) for a path."""
        route = self.routes.get(path)
        if route is not None:
            kind, value = route[0], route[1]
            if kind == "redirect":
                return None, None, 302, value
            if kind == "status":
                return None, None, value, None
            return value, PAGE_DATE, 200, None
        if path == "/robots.txt":
            return (self.robots, PAGE_DATE, 200, None) if self.robots is not None else (None, None, 404, None)
        if path in self.listings:
            data, lm = self.listings[path]
            return (data if isinstance(data, bytes) else data.read_bytes()), lm, 200, None
        if path in self.pages:
            return self.pages[path].read_bytes(), PAGE_DATE, 200, None
        if "/web/system/" in path:
            return b"<html><body><p>\xe9\xa1\xb5\xe9\x9d\xa2\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</p></body></html>", \
                PAGE_DATE, 200, None
        return None, None, 404, None

    def _handle(self, h: http.server.BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._answer(h)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout, a kill)
            pass
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, h: http.server.BaseHTTPRequestHandler) -> None:
        t = time.monotonic()
        path = urlsplit(h.path).path
        with self._lock:
            queue = self.faults.get(path)
            fault = queue.pop(0) if queue else None
            self.headers.append(dict(h.headers))
        body, lm, status, location = self._content(path)
        if fault and fault[0] == "status":
            status, body = fault[1], None
        if fault and fault[0] == "sleep":
            time.sleep(fault[1])
        with self._lock:
            self.log.append((t, path, status))
        if status == 302:
            return self._send(h, 302, b"", {"Location": location})
        if body is None:
            return self._send(h, status, b"<html><body>error</body></html>", {"Content-Type": "text/html"})
        ctype = "text/plain" if path == "/robots.txt" else "text/html; charset=utf-8"
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        inm, ims = h.headers.get("If-None-Match"), h.headers.get("If-Modified-Since")
        if (inm and inm == etag) or (not inm and ims and lm and ims == lm):
            with self._lock:
                self.log[-1] = (t, path, 304)
            return self._send(h, 304, b"", {"ETag": etag, "Last-Modified": lm or ""}, length=False)
        headers = {"Content-Type": ctype, "ETag": etag, "Last-Modified": lm or PAGE_DATE}
        if self.gzip and "gzip" in (h.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if fault and fault[0] in ("reset", "truncate", "truncate_nolength"):
            half = body[: len(body) // 2]
            h.send_response(200)
            for k, v in headers.items():
                h.send_header(k, v)
            if fault[0] != "truncate_nolength":
                h.send_header("Content-Length", str(len(body)))
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(half)
            h.wfile.flush()
            if fault[0] == "reset":  # RST instead of FIN: the client sees "connection reset by peer"
                time.sleep(0.05)  # let the client read the first half and wait for more
                h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                h.connection.close()
            h.close_connection = True
            return None
        if fault and fault[0] == "slow":  # headers now, the body after a pause
            h.send_response(200)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[:100])
            h.wfile.flush()
            time.sleep(fault[1])
            h.wfile.write(body[100:])
            return None
        return self._send(h, 200, body, headers)

    @staticmethod
    def _send(h, status: int, body: bytes, headers: dict[str, str], length: bool = True) -> None:  # noqa: ANN001
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        if length:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            h.wfile.write(body)
