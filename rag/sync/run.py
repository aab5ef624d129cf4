"""One ``rag sync`` run: walk the listings, fetch and store the pages not yet stored, index them.

**Walking a listing.** Page 0 is the newest. Every article link of a page read is looked up in the
store; a link not settled yet (stored, removed or missing) is fetched: a transcript is stored, a page
redirected to the site's "system" page or without a body is recorded as removed, a 404/410 as missing
(reported, and the run exits 1, but it is not fetched again), a failure (after the fetcher's retries) is
reported and left for the next run. Links dated before ``--since`` are skipped.

**Where to stop** (the frontier). When a walk ends without a failure and within the page budget, the
links of the listing's first page become its *frontier* (``DATA/state.json``): everything listed from
there down is settled. The next run stops after the first page that lists a frontier link, because
what follows was settled before. New items push old ones to later pages, so the frontier is found
further down, never skipped: items are only added at the top. A run cut short (page budget, a kill,
failures) leaves the frontier where it was, so the next run walks down to it again, fetching only what
is still missing. With ``--since``, a walk also stops after the first page that lists something older,
and the frontier remembers that date: a later run asking for older items walks on past it.

**Indexing.** After the walk, the stored pages of the languages walked are ingested into ``--index``
with :func:`rag.ingest.ingest` (unchanged files are not re-parsed; the same atomic switch, so the live
index stays readable; a page is indexed once, under its file name, however often the run is repeated).

    >>> from tests.sync_mirror import Mirror                      # doctest: +SKIP
    >>> report = sync(SyncOptions(listings=[mirror.url(EN_LISTING)], data="data", index=None))  # doctest: +SKIP
    >>> report.listings_read, len(report.new), report.exit_code   # doctest: +SKIP
    (13, 500, 0)
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import QueryError, RagError
from .fetch import Disallowed, Fetcher, FetchError
from .listing import ListingError, ListingPage, parse_listing
from .page import has_body
from .store import SETTLED, Store, now_iso, write_json

# The ministry's current press-conference listings (their first pages).
DEFAULT_LISTINGS = {
    "en": "https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/",
    "zh": "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/",
}
LANGS = ("en", "zh")
# After this many article fetches in a row fail, the site is not answering: stop rather than hammer it.
MAX_FAILURES_IN_A_ROW = 5
SYNC_FILE = "sync.json"  # in the index dir: when the last sync ran, and the newest transcript indexed


def listing_lang(url: str) -> str:
    """``en`` for the English site's paths (``/mfa_eng/``, ``/eng/``), else ``zh``."""
    segs = [s.lower() for s in urlsplit(url).path.split("/")]
    return "en" if any(s in ("eng", "mfa_eng") or s.startswith("mfa_eng") for s in segs) else "zh"


@dataclass
class SyncOptions:
    """What ``rag sync`` was asked to do (see ``rag sync --help``)."""

    listings: list[str] = field(default_factory=list)  # first pages; empty: DEFAULT_LISTINGS of ``langs``
    langs: tuple[str, ...] = LANGS
    since: str | None = None  # YYYY-MM-DD
    data: str | Path = "data"
    index: str | Path | None = None  # None: store only
    max_pages: int | None = None  # article pages fetched per run, at most
    progress: bool = False

    def first_pages(self) -> list[tuple[str, str]]:
        """(language, URL) of each listing to walk, in order."""
        bad = [x for x in self.langs if x not in LANGS]
        if bad:
            raise QueryError(f"--lang takes {', '.join(LANGS)} (comma-separated), not {', '.join(bad)}")
        if self.since is not None:
            try:
                dt.date.fromisoformat(self.since)
            except ValueError:
                raise QueryError(f"--since must be a date as YYYY-MM-DD, not {self.since!r}") from None
        if self.max_pages is not None and self.max_pages < 0:
            raise QueryError("--max-pages must be 0 or more")
        if not self.listings:
            return [(lang, DEFAULT_LISTINGS[lang]) for lang in self.langs]
        pairs = [(listing_lang(u), u) for u in self.listings]
        chosen = [(lang, u) for lang, u in pairs if lang in self.langs]
        if not chosen:
            raise QueryError(f"none of the --listing URLs is of --lang {','.join(self.langs)} "
                             f"(their languages, from their paths: {', '.join(sorted({x for x, _ in pairs}))})")
        return chosen


@dataclass
class SyncReport:
    """What a run did. ``exit_code`` is 0 only when nothing failed and nothing was missing."""

    listings_read: int = 0  # listing pages answered with a page
    listings_unchanged: int = 0  # listing pages answered 304 Not Modified (read from DATA/listings/)
    links: int = 0  # article links on the listing pages read (200 or 304)
    new: list[str] = field(default_factory=list)  # URLs stored by this run
    unchanged: int = 0  # links already known to the store (stored, removed or missing before): not fetched
    older_than_since: int = 0
    removed: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (url, "404 Not Found")
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url or file, why)
    disallowed: list[str] = field(default_factory=list)  # robots.txt said no
    retries: list[tuple[str, str]] = field(default_factory=list)  # (url, why) per retried attempt
    requests: int = 0  # HTTP requests made (robots.txt, listings, articles, retries)
    budget_reached: bool = False
    walks: dict[str, str] = field(default_factory=dict)  # listing -> where its walk stopped and why
    ingest: dict | None = None  # rag.ingest.IngestReport.to_dict()
    newest: str | None = None  # date of the newest transcript stored (or indexed)
    started_at: str = ""
    finished_at: str = ""
    seconds: float = 0.0
    data: str = ""
    index: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.missing else 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["exit_code"] = self.exit_code
        return d


class _Stop(Exception):
    """The run must not fetch more (budget reached, site not answering)."""


class _Run:
    def __init__(self, opts: SyncOptions, store: Store, fetcher: Fetcher, report: SyncReport) -> None:
        self.opts, self.store, self.fetcher, self.report = opts, store, fetcher, report
        self.fetched = 0
        self.failures_in_a_row = 0
        self.newest: str | None = None
        self.bar = None
        if opts.progress:
            from tqdm import tqdm

            self.bar = tqdm(desc="sync", unit="page", total=None, leave=False)

    def walk(self, lang: str, first: str) -> None:
        """Walk one listing from its first page; update its frontier if the walk completed."""
        r, since = self.report, self.opts.since
        st = self.store.state.setdefault("listings", {}).get(first) or {}
        frontier = set(st.get("frontier") or ())
        complete_since = st.get("complete_since")
        covers = bool(frontier) and (complete_since is None or (since is not None and complete_since <= since))
        url, n, top, ok, why = first, 0, None, True, ""
        while url:
            page = self._read_listing(url, first)
            if page is None:
                ok, why = False, f"listing page {n} could not be read"
                break
            top = top or [link.url for link in page.links]
            r.links += len(page.links)
            older = False
            for link in page.links:
                if since and link.date and link.date < since:
                    r.older_than_since += 1
                    older = True
                    continue
                status = self.store.status(link.url)
                if status in SETTLED:
                    r.unchanged += 1
                else:
                    status = self._fetch_article(link.url, lang)
                    ok = ok and status in SETTLED + ("disallowed",)
                if status == "ok" and link.date and (self.newest is None or link.date > self.newest):
                    self.newest = link.date
            if self.bar is not None:
                self.bar.set_postfix_str(f"{lang} listing page {page.page}")
            if older:
                why = f"page {page.page}: items older than --since {since}"
                break
            if covers and frontier & {link.url for link in page.links}:
                why = f"page {page.page}: reached the items stored by an earlier complete run"
                break
            url, n = page.next_url, n + 1
            if url is None:
                why = f"page {page.page}: the end of the listing"
        r.walks[first] = why if ok else f"incomplete ({why or 'some pages failed'}); the next run continues"
        if ok and top:
            self.store.state["listings"][first] = {"frontier": top, "complete_since": since, "set_at": now_iso()}
            self.store.save_state()

    def _read_listing(self, url: str, first: str) -> ListingPage | None:
        cached = self.store.cached_listing(url)
        meta = cached[1] if cached else {}
        try:
            resp = self.fetcher.get(url, etag=meta.get("etag"), last_modified=meta.get("last_modified"))
            if resp.not_modified and cached:
                self.report.listings_unchanged += 1
                return parse_listing(cached[0], url, first_url=first)
            if resp.removed or resp.status != 200:
                raise FetchError(url, "removed (redirected to the site's system page)" if resp.removed
                                 else f"HTTP {resp.status}")
            page = parse_listing(resp.body, url, first_url=first)
        except (FetchError, ListingError) as e:
            self.report.failed.append((url, str(e)))
            return None
        self.report.listings_read += 1
        self.store.save_listing(url, resp.body, resp.etag, resp.last_modified)
        return page

    def _fetch_article(self, url: str, lang: str) -> str:
        """Fetch and settle one article; its new status (or ``failed``/``disallowed``)."""
        r = self.report
        if self.opts.max_pages is not None and self.fetched >= self.opts.max_pages:
            r.budget_reached = True
            raise _Stop(f"the page budget (--max-pages {self.opts.max_pages}) is spent")
        self.fetched += 1
        try:
            resp = self.fetcher.get(url)
        except Disallowed:
            r.disallowed.append(url)
            return "disallowed"
        except FetchError as e:
            r.failed.append((url, e.reason + (f" (after {e.attempts} attempts)" if e.attempts > 1 else "")))
            self.failures_in_a_row += 1
            if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                raise _Stop(f"{self.failures_in_a_row} pages in a row failed: the site is not answering") from None
            return "failed"
        finally:
            if self.bar is not None:
                self.bar.update(1)
        self.failures_in_a_row = 0
        if resp.removed:
            self.store.record(url, "removed")
            r.removed.append((url, f"redirected to {resp.final_url}"))
            return "removed"
        if resp.status in (404, 410):
            self.store.record(url, "missing")
            r.missing.append((url, f"HTTP {resp.status}"))
            return "missing"
        if resp.status != 200:
            r.failed.append((url, f"HTTP {resp.status}"))
            return "failed"
        if not has_body(resp.body):
            self.store.record(url, "removed")
            r.removed.append((url, "no transcript body in the page"))
            return "removed"
        self.store.save_page(url, lang, resp.body)
        r.new.append(url)
        return "ok"


def sync(opts: SyncOptions, *, fetcher: Fetcher | None = None,
         encoder_factory: Callable[[], object] | None = None) -> SyncReport:
    """Run one sync (see the module docstring). ``fetcher`` defaults to a polite 1 request/s client;
    ``encoder_factory`` to the bundled model (tests pass a fake)."""
    t0 = time.perf_counter()
    pairs = opts.first_pages()
    report = SyncReport(started_at=now_iso(), data=str(opts.data), index=str(opts.index) if opts.index else None)
    fetcher = fetcher or Fetcher()
    store = Store(opts.data)
    run = _Run(opts, store, fetcher, report)
    try:
        for lang, first in pairs:
            try:
                run.walk(lang, first)
            except _Stop as e:
                report.walks[first] = f"stopped: {e}; the next run continues"
                if not report.budget_reached:
                    report.failed.append((first, str(e)))
                break
    finally:
        if run.bar is not None:
            run.bar.close()
        report.retries = list(fetcher.retry_log)
        report.requests = fetcher.requests
        report.newest = run.newest
        store.close()
    if opts.index is not None:
        _index(opts, sorted({lang for lang, _ in pairs}), report, encoder_factory)
    report.finished_at = now_iso()
    report.seconds = time.perf_counter() - t0
    _write_last_sync(opts, report)
    return report


def _index(opts: SyncOptions, langs: list[str], report: SyncReport, encoder_factory) -> None:  # noqa: ANN001
    """Ingest the stored pages of ``langs`` into the index, when some are not indexed yet (or when the index's
    sentence flags were computed under older patterns: the ingest computes them again, nothing re-embedded)."""
    from .. import store as index_store
    from ..ingest import ingest
    from ..sentences import stored_flags_stale

    data, index_dir = Path(opts.data), Path(opts.index)
    paths = [data / lang for lang in langs if (data / lang).is_dir()]
    build = index_store.build_dir(index_dir)
    manifest = index_store.read_manifest(index_dir) if build else None
    indexed = set((manifest or {}).get("sources", {}))
    pending = [p for d in paths for p in d.glob("*.html") if p.name not in indexed]
    stale = build is not None and stored_flags_stale(build)
    if not pending and not stale:
        report.ingest = {"written": False, "pending": 0}
    else:
        if encoder_factory is None:
            from ..embedding import Embedder

            encoder_factory = Embedder
        try:
            ing = ingest(paths, index_dir, encoder_factory=encoder_factory, progress=opts.progress)
        except RagError as e:
            report.failed.append((str(index_dir), f"indexing failed: {e}"))
            return
        report.ingest = {**ing.to_dict(), "pending": len(pending)}
        report.failed.extend((f, f"not indexed: {why}") for f, why in ing.failed)
    manifest = index_store.read_manifest(index_dir) if index_store.build_dir(index_dir) else None
    dates = [s.get("date") for s in (manifest or {}).get("sources", {}).values() if s.get("date")]
    if dates:
        report.newest = max(dates)


def _write_last_sync(opts: SyncOptions, report: SyncReport) -> None:
    """``DATA/last_sync.json`` and ``INDEX/sync.json``: when this run finished, whether it was clean,
    and the newest transcript date (the chat page shows them)."""
    info = {"last_sync": report.finished_at, "ok": report.exit_code == 0, "newest_transcript": report.newest,
            "new_pages": len(report.new), "data": str(Path(opts.data).resolve())}
    write_json(Path(opts.data) / "last_sync.json", info)
    if opts.index is not None and Path(opts.index).is_dir():
        write_json(Path(opts.index) / SYNC_FILE, info)
