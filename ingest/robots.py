"""robots.txt rules per host (protego), fetched once per crawl and recorded like any fetch."""

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from protego import Protego

from ingest.fetch import FetchResult

RobotsFetch = Callable[[str], Awaitable[FetchResult]]


class RobotsCache:
    """Answers "may this URL be fetched?" for the configured user agent."""

    def __init__(self, fetch: RobotsFetch, *, user_agent: str) -> None:
        self._fetch = fetch
        self._user_agent = user_agent
        self._rules: dict[str, asyncio.Task[Protego | None]] = {}

    async def _load(self, origin: str) -> Protego | None:
        """Fetch and parse one origin's robots.txt (None when absent or unreadable)."""
        result = await self._fetch(f"{origin}/robots.txt")
        if result.ok and result.content is not None:
            return Protego.parse(result.content.decode("utf-8", errors="replace"))
        return None

    async def allowed(self, url: str) -> bool:
        """True unless the host's robots.txt disallows `url` for our user agent.

        A missing or unreadable robots.txt (404, network error) allows everything, as crawlers
        conventionally do. Concurrent callers for one host share a single fetch.
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._rules:
            self._rules[origin] = asyncio.ensure_future(self._load(origin))
        rules = await self._rules[origin]
        return rules is None or bool(rules.can_fetch(url, self._user_agent))
