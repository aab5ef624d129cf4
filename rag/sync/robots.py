"""What a site's ``robots.txt`` allows this crawler, read from the answer to one request per host.

The rules follow RFC 9309 as a polite crawler reads them:

* a ``robots.txt`` answered with 200 and text is parsed (``User-agent`` groups, ``Allow``/``Disallow``,
  and ``Crawl-delay``, which slows the crawler further when it asks for more than ``--rate``);
* 4xx (no ``robots.txt``), or a redirect to an HTML page (the ministry's hosts send their "system"
  page), means no rules: everything is allowed;
* 5xx or no answer after the fetcher's retries means the site is unwell: nothing is allowed, so the
  run fails with a message instead of crawling blind.

    >>> r = Robots.from_response(200, b"User-agent: *\\nDisallow: /private/\\nCrawl-delay: 2\\n",
    ...                          "text/plain", "spokesperson-search")
    >>> r.allowed("http://h/private/a.html"), r.allowed("http://h/web/a.html"), r.crawl_delay
    (False, True, 2.0)
    >>> Robots.from_response(404, b"", "text/html", "x").allowed("http://h/anything")
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.robotparser import RobotFileParser


@dataclass
class Robots:
    """The rules of one host for one user agent."""

    parser: RobotFileParser | None  # None: no rules (allow all)
    agent: str
    deny_all: bool = False
    crawl_delay: float | None = None
    why: str = ""  # how the rules were decided, for messages

    @classmethod
    def from_response(cls, status: int | None, body: bytes, content_type: str, agent: str) -> Robots:
        """Rules from the answer to ``GET /robots.txt`` (``status`` None: no answer at all)."""
        if status is None or status >= 500:
            return cls(None, agent, deny_all=True, why=f"robots.txt unavailable ({status or 'no answer'})")
        if status >= 400 or status in (301, 302, 303, 307, 308):
            return cls(None, agent, why=f"no robots.txt ({status})")
        text = body.decode("utf-8", errors="replace")
        if "html" in content_type.lower() or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
            return cls(None, agent, why="robots.txt is an HTML page: no rules")
        parser = RobotFileParser()
        parser.parse(text.splitlines())
        delay = parser.crawl_delay(agent)
        return cls(parser, agent, crawl_delay=float(delay) if delay is not None else None, why="robots.txt")

    def allowed(self, url: str) -> bool:
        if self.deny_all:
            return False
        return True if self.parser is None else self.parser.can_fetch(self.agent, url)
