"""A polite HTTP client on ``urllib``: one request at a time, paced, robots-aware, retrying what is worth it.

What a site operator can expect from it:

* ``robots.txt`` is read once per host (see :mod:`rag.sync.robots`) before any other request there;
  a disallowed URL is never requested (:class:`Disallowed`).
* Requests go one at a time, each starting at least ``1/rate`` seconds after the previous one ended
  (``Crawl-delay`` in ``robots.txt`` slows it further), so the server never sees two closer than that;
  retries and redirects are paced the same way.
* A descriptive ``User-Agent`` (:data:`USER_AGENT`), ``Accept-Encoding: gzip``, and conditional
  requests for listings (``If-None-Match``/``If-Modified-Since`` from the last answer): an unchanged
  listing costs a 304 and no body.
* Retries with exponential backoff (``backoff``, ``2×backoff``, ``4×backoff`` … capped at
  ``max_backoff``; a ``Retry-After`` is honoured) on timeouts, refused or reset connections, truncated
  bodies (shorter than ``Content-Length``, broken gzip, or an HTML page without ``</html>``), 429 and
  5xx. Never on 404 or any other 4xx: those are answers.
* Redirects are followed by hand (at most 5, each one paced and checked against ``robots.txt``); a
  redirect to the site's ``/web/system/`` page, where the ministry sends removed pages, is reported as
  ``removed`` without fetching it.

    >>> f = Fetcher(rate=50)                                 # doctest: +SKIP
    >>> r = f.get("http://127.0.0.1:8000/web/wjdt_674879/fyrbt_674889/default.shtml")  # doctest: +SKIP
    >>> r.status, r.etag is not None, len(f.retry_log)       # doctest: +SKIP
    (200, True, 0)
"""

from __future__ import annotations

import gzip
import http.client
import socket
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from .. import __version__
from ..errors import RagError
from .robots import Robots

AGENT = "spokesperson-search"
USER_AGENT = (f"{AGENT}/{__version__} (rag sync: keeps a search index of the Foreign Ministry's press "
              "conference transcripts; one request at a time, paced, 1 per second by default; honours robots.txt)")
REMOVED_MARK = "/web/system/"  # where the ministry's site redirects pages that were taken down
MAX_BODY = 20 * 1024 * 1024  # same limit as one transcript file (rag.sources.files.MAX_FILE_BYTES)
MAX_REDIRECTS = 5


class FetchError(RagError):
    """A URL that could not be fetched (after retries, when retrying made sense)."""

    def __init__(self, url: str, reason: str, attempts: int = 1) -> None:
        self.url, self.reason, self.attempts = url, reason, attempts
        super().__init__(f"{url}: {reason}" + (f" (after {attempts} attempts)" if attempts > 1 else ""))


class Disallowed(FetchError):
    """robots.txt does not allow this URL (it was not requested)."""


class _Transient(Exception):
    """An answer worth retrying: its reason, and how long the server asked us to wait (if it did)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclass
class Response:
    """A final answer. ``status`` 304: ``not_modified``; ``removed``: redirected to the system page."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 1
    removed: bool = False
    final_url: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        return None  # the 3xx comes back as an HTTPError; Fetcher.get follows it itself


@dataclass
class Fetcher:
    """One client for a whole run: it owns the pacing clock and the robots rules per host."""

    rate: float = 1.0  # requests per second, at most
    timeout: float = 30.0  # seconds per connect / per read
    retries: int = 4  # further attempts after the first
    backoff: float = 2.0  # first retry delay in seconds, doubled each time
    max_backoff: float = 120.0
    user_agent: str = USER_AGENT
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    retry_log: list[tuple[str, str]] = field(default_factory=list)  # (url, reason) of every retried attempt
    requests: int = 0
    _last: float | None = None
    _robots: dict[str, Robots] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.rate > 0:
            raise RagError(f"--rate must be a positive number of requests per second, not {self.rate}")
        self._opener = urllib.request.build_opener(_NoRedirect)

    # -- public -------------------------------------------------------------------------------------

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url`` (following redirects); raises :class:`FetchError` / :class:`Disallowed`."""
        attempts = 0
        for _ in range(MAX_REDIRECTS + 1):
            self._check_robots(url)
            resp, n = self._with_retries(url, etag, last_modified)
            attempts += n
            resp.attempts = attempts
            if resp.status not in (301, 302, 303, 307, 308):
                resp.final_url = resp.final_url or url
                return resp
            location = resp.final_url
            if not location:
                raise FetchError(url, f"redirect {resp.status} without a Location", attempts)
            if REMOVED_MARK in urlsplit(location).path:
                return Response(url=url, status=resp.status, removed=True, attempts=attempts, final_url=location)
            url = location
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects", attempts)

    def robots_for(self, url: str) -> Robots:
        """The rules of ``url``'s host, fetching its ``robots.txt`` on first use."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._robots:
            try:
                resp, _ = self._with_retries(f"{key}/robots.txt", None, None)
                self._robots[key] = Robots.from_response(resp.status, resp.body, resp.content_type, AGENT)
            except FetchError:
                self._robots[key] = Robots.from_response(None, b"", "", AGENT)
        return self._robots[key]

    # -- internals ----------------------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        robots = self.robots_for(url)
        if not robots.allowed(url):
            raise Disallowed(url, f"not fetched: {robots.why} disallows it" if not robots.deny_all
                             else f"not fetched: {robots.why}, so the site is not crawled")

    def _pace(self, url: str) -> None:
        interval = 1.0 / self.rate
        robots = self._robots.get("{0.scheme}://{0.netloc}".format(urlsplit(url)))
        if robots is not None and robots.crawl_delay:
            interval = max(interval, robots.crawl_delay)
        now = self.clock()
        if self._last is not None and now < self._last + interval:
            self.sleep(self._last + interval - now)

    def _with_retries(self, url: str, etag: str | None, last_modified: str | None) -> tuple[Response, int]:
        for attempt in range(1, self.retries + 2):
            try:
                return self._once(url, etag, last_modified), attempt
            except _Transient as e:
                if attempt > self.retries:
                    raise FetchError(url, e.reason, attempt) from None
                self.retry_log.append((url, e.reason))
                delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                if e.retry_after is not None:
                    delay = min(self.max_backoff, max(delay, e.retry_after))
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str, etag: str | None, last_modified: str | None) -> Response:
        """One paced request. Raises _Transient for what is worth retrying, FetchError for the rest."""
        self._pace(url)
        try:
            return self._request(url, etag, last_modified)
        finally:
            # The next request waits from here, the end of this one: spacing request *starts* lets two arrive
            # closer than 1/rate at the server when one is slow to connect (seen: 74 ms apart at rate 5).
            self._last = self.clock()

    def _request(self, url: str, etag: str | None, last_modified: str | None) -> Response:
        self.requests += 1
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip",
                   "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        req = urllib.request.Request(url, headers=headers)
        try:
            with self._opener.open(req, timeout=self.timeout) as r:
                status, hdrs = r.status, r.headers
                body = self._read(r)
        except urllib.error.HTTPError as e:
            with e:
                status, hdrs = e.code, e.headers
                if status in (301, 302, 303, 307, 308):
                    loc = (hdrs.get("Location") or "").strip()
                    return Response(url=url, status=status, final_url=urljoin(url, loc) if loc else "")
                if status == 304:
                    return Response(url=url, status=304, etag=etag, last_modified=last_modified)
                if status == 429 or status >= 500:
                    raise _Transient(f"HTTP {status}", _retry_after(hdrs.get("Retry-After"))) from None
                return Response(url=url, status=status, content_type=hdrs.get("Content-Type") or "")
        except TimeoutError:
            raise _Transient(f"timed out after {self.timeout:g} s") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise _Transient(f"timed out after {self.timeout:g} s") from None
            if isinstance(e.reason, (ConnectionError, OSError)) and not isinstance(e.reason, socket.gaierror):
                raise _Transient(f"connection failed: {e.reason}") from None
            raise FetchError(url, f"cannot connect: {e.reason}") from None
        except http.client.IncompleteRead as e:
            raise _Transient(f"truncated body ({len(e.partial)} bytes, {e.expected} missing)") from None
        except ConnectionResetError:
            raise _Transient("connection reset by the server") from None
        except (ConnectionError, http.client.HTTPException) as e:
            raise _Transient(f"connection broken: {type(e).__name__}: {e}") from None
        ctype = hdrs.get("Content-Type") or ""
        if (hdrs.get("Content-Encoding") or "").lower() == "gzip":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError, zlib.error):
                raise _Transient("truncated body (broken gzip stream)") from None
        if "html" in ctype.lower() and b"<html" in body[:4096].lower() and b"</html>" not in body[-4096:].lower():
            raise _Transient(f"truncated body (HTML page of {len(body)} bytes ends before </html>)")
        return Response(url=url, status=status, body=body, content_type=ctype, etag=hdrs.get("ETag"),
                        last_modified=hdrs.get("Last-Modified"))

    def _read(self, r) -> bytes:  # noqa: ANN001 - http.client.HTTPResponse
        length = (r.headers.get("Content-Length") or "").strip()
        expected = int(length) if length.isdigit() else None
        if expected is not None and expected > MAX_BODY:
            raise FetchError(r.url, f"page of {expected / 2**20:.0f} MB is over the {MAX_BODY // 2**20} MB limit")
        # With a Content-Length, an unbounded read raises IncompleteRead when the body ends early;
        # without one (close-delimited or chunked), read at most the limit.
        body = r.read() if expected is not None else r.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            raise FetchError(r.url, f"page is over the {MAX_BODY // 2**20} MB limit")
        if expected is not None and len(body) < expected:
            raise http.client.IncompleteRead(body, expected - len(body))
        return body


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
