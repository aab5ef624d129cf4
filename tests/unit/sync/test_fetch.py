"""The polite fetcher against the local mirror: retries and backoff, no retry on 404, removed pages,
robots.txt, conditional requests, pacing. Sleeping is recorded, not done (except socket timeouts)."""

from __future__ import annotations

import time

import pytest

from rag.sync.fetch import USER_AGENT, Disallowed, Fetcher, FetchError, _retry_after
from tests.sync_mirror import EN_LISTING, Mirror

PAGE = "/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1794629.shtml"
LISTING = "/mfa_eng/xwfw_665399/s2510_665401/2511_665403/default.shtml"


@pytest.fixture(scope="module")
def mirror():
    with Mirror() as m:
        yield m


@pytest.fixture(autouse=True)
def _reset(mirror):
    mirror.routes.clear()
    mirror.faults.clear()
    mirror.log.clear()
    mirror.robots = b"User-agent: *\nDisallow: /private/\n"
    mirror.gzip = False


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetcher(**kw) -> tuple[Fetcher, Sleeps]:
    sleeps = Sleeps()
    kw = {"rate": 1000.0, "backoff": 1.0, "timeout": 5.0, "sleep": sleeps, **kw}
    return Fetcher(**kw), sleeps


def backoffs(sleeps: Sleeps) -> list[float]:
    return [s for s in sleeps if s >= 0.5]  # pacing sleeps at 1000 req/s are ~1 ms


def test_500s_then_success_with_exponential_backoff(mirror):
    mirror.fault(PAGE, ("status", 500), ("status", 503), ("status", 502))
    f, sleeps = fetcher()
    r = f.get(f"http://127.0.0.1:{mirror.port}{PAGE}")
    assert r.status == 200 and r.attempts == 4 and b"</html>" in r.body
    assert backoffs(sleeps) == [1.0, 2.0, 4.0]
    assert [why for _, why in f.retry_log] == ["HTTP 500", "HTTP 503", "HTTP 502"]
    assert [s for _, p, s in mirror.log if p == PAGE] == [500, 503, 502, 200]


def test_backoff_is_capped_and_retries_end(mirror):
    mirror.fault(PAGE, *[("status", 500)] * 6)
    f, sleeps = fetcher(retries=4, max_backoff=3.0)
    with pytest.raises(FetchError) as e:
        f.get(f"http://127.0.0.1:{mirror.port}{PAGE}")
    assert e.value.attempts == 5 and e.value.reason == "HTTP 500"
    assert backoffs(sleeps) == [1.0, 2.0, 3.0, 3.0]


def test_404_is_an_answer_not_retried(mirror):
    f, sleeps = fetcher()
    r = f.get(f"http://127.0.0.1:{mirror.port}/web/nowhere/t1.shtml")
    assert r.status == 404 and r.attempts == 1 and not f.retry_log and not backoffs(sleeps)
    assert len(mirror.requests_to("/web/nowhere/t1.shtml")) == 1


@pytest.mark.parametrize(("fault", "reason"), [
    (("sleep", 1.5), "timed out"),
    (("reset",), "connection reset"),
    (("truncate",), "truncated body"),
    (("truncate_nolength",), "truncated body"),
])
def test_transient_faults_are_retried(mirror, fault, reason):
    mirror.fault(PAGE, fault)
    f, _ = fetcher(timeout=0.5)
    r = f.get(f"http://127.0.0.1:{mirror.port}{PAGE}")
    assert r.status == 200 and r.attempts == 2 and r.body.rstrip().endswith(b"</html>")
    assert len(f.retry_log) == 1 and reason in f.retry_log[0][1]
    # The mirror logs a sleeping answer when it wakes, after the client gave up on it: wait for that here, or the
    # entry lands in a later test's log (seen once on a loaded machine, in the robots test).
    deadline = time.monotonic() + 10
    while len(mirror.requests_to(PAGE)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)


def test_gzip_bodies_and_a_cut_gzip_stream(mirror):
    mirror.gzip = True
    mirror.fault(PAGE, ("truncate_nolength",))
    f, _ = fetcher()
    r = f.get(f"http://127.0.0.1:{mirror.port}{PAGE}")
    assert r.status == 200 and r.body == mirror.pages[PAGE].read_bytes()
    assert [why for _, why in f.retry_log] == ["truncated body (broken gzip stream)"]


def test_a_slow_answer_within_the_timeout_is_not_a_fault(mirror):
    mirror.fault(PAGE, ("slow", 0.4))
    f, _ = fetcher(timeout=2.0)
    t = time.monotonic()
    r = f.get(f"http://127.0.0.1:{mirror.port}{PAGE}")
    assert r.status == 200 and r.attempts == 1 and time.monotonic() - t >= 0.4


def test_redirect_to_the_system_page_means_removed(mirror):
    mirror.routes[PAGE] = ("redirect", "/web/system/2017/09/25/index.html")
    f, _ = fetcher()
    r = f.get(f"http://127.0.0.1:{mirror.port}{PAGE}")
    assert r.removed and r.final_url.endswith("/web/system/2017/09/25/index.html")
    assert not [p for _, p, _ in mirror.log if "/web/system/" in p]  # the system page itself is not fetched


def test_other_redirects_are_followed(mirror):
    mirror.routes["/old/t1794629.shtml"] = ("redirect", PAGE)
    f, _ = fetcher()
    r = f.get(f"http://127.0.0.1:{mirror.port}/old/t1794629.shtml")
    assert r.status == 200 and not r.removed and r.final_url.endswith(PAGE)


def test_robots_txt_is_read_first_and_obeyed(mirror):
    mirror.robots = f"User-agent: *\nDisallow: {PAGE}\n".encode()
    f, _ = fetcher()
    with pytest.raises(Disallowed):
        f.get(f"http://127.0.0.1:{mirror.port}{PAGE}")
    assert [p for _, p, _ in mirror.log] == ["/robots.txt"]  # asked once, the page never
    assert f.get(f"http://127.0.0.1:{mirror.port}{LISTING}").status == 200
    assert [p for _, p, _ in mirror.log] == ["/robots.txt", LISTING]


def test_robots_txt_that_is_an_html_page_or_missing_allows_all(mirror):
    mirror.routes["/robots.txt"] = ("redirect", "/web/system/index.html")  # what the ministry's hosts do
    f, _ = fetcher()
    assert f.get(f"http://127.0.0.1:{mirror.port}{PAGE}").status == 200
    mirror.robots = None
    mirror.routes.clear()
    f, _ = fetcher()
    assert f.get(f"http://127.0.0.1:{mirror.port}{PAGE}").status == 200


def test_robots_txt_unavailable_means_no_crawling(mirror):
    mirror.routes["/robots.txt"] = ("status", 503)
    f, _ = fetcher(retries=1)
    with pytest.raises(Disallowed, match="robots.txt unavailable"):
        f.get(f"http://127.0.0.1:{mirror.port}{PAGE}")
    assert {p for _, p, _ in mirror.log} == {"/robots.txt"}


def test_conditional_request_answered_304(mirror):
    f, _ = fetcher()
    url = mirror.url(EN_LISTING)
    first = f.get(url)
    assert first.status == 200 and first.etag and first.last_modified
    again = f.get(url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    assert f.get(url, last_modified=first.last_modified).not_modified


def test_descriptive_user_agent(mirror):
    f, _ = fetcher()
    f.get(f"http://127.0.0.1:{mirror.port}{PAGE}")
    assert {h["User-Agent"] for h in mirror.headers[-2:]} == {USER_AGENT}
    assert "spokesperson-search" in USER_AGENT and "robots.txt" in USER_AGENT


def test_pacing_waits_one_interval_after_the_previous_request_ends(monkeypatch):
    now = [0.0]
    sleeps = Sleeps()

    def sleep(s: float) -> None:
        sleeps.append(s)
        now[0] += s

    def request(self, url, etag, last_modified):  # noqa: ANN001, ANN202 - the request itself takes 0.3 s
        now[0] += 0.3
        return "ok"

    monkeypatch.setattr(Fetcher, "_request", request)
    f = Fetcher(rate=2.0, sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        f._once("http://127.0.0.1:1/x", None, None)
        now[0] += 0.1  # parsing between requests counts towards the wait
    assert sleeps == pytest.approx([0.4, 0.4])  # 1/rate = 0.5 s from each end: starts 0.8 s apart

    def failing(self, url, etag, last_modified):  # noqa: ANN001, ANN202 - a request that fails after 0.3 s
        now[0] += 0.3
        raise FetchError(url, "cannot connect")

    monkeypatch.setattr(Fetcher, "_request", failing)
    with pytest.raises(FetchError):
        f._once("http://127.0.0.1:1/x", None, None)
    sleeps.clear()
    monkeypatch.setattr(Fetcher, "_request", request)
    f._once("http://127.0.0.1:1/x", None, None)
    assert sleeps == pytest.approx([0.5])  # a failed request is waited from its end too


def test_retry_after():
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None and _retry_after("soon") is None
    assert 0 <= _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") < 1  # in the past: no wait


def test_rate_must_be_positive():
    from rag.errors import RagError

    with pytest.raises(RagError, match="--rate"):
        Fetcher(rate=0)
