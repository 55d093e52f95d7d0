"""Polling one source: feed fetch, entries, pages, extraction, dedupe, storage, health.

A failing source or article is recorded and skipped; it never stops the others.
"""

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType

from sqlalchemy import Engine
from sqlmodel import Session

from ingest.extract import PageContent, choose_text, extract_page
from ingest.feeds import FeedEntry, ParsedFeed, parse_feed
from ingest.fetch import Fetcher, FetchResult
from ingest.normalize import canonical_url, detect_language
from ingest.robots import RobotsCache
from ingest.settings import IngestSettings
from ingest.store import ArticleStore, Candidate, Outcome, save_fetch, url_known
from models._time import utcnow
from models.articles import PublishedFrom, TextSource
from models.sources import Source

logger = logging.getLogger(__name__)


@dataclass
class SourceStats:
    """What one poll of one source did."""

    source_id: int
    name: str
    url: str
    status: str = "ok"  # ok | not_modified | failed | stopped
    http_status: int | None = None
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    known: int = 0
    failed: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Poll:
    """One source's identity and polling state, detached from any session."""

    id: int
    name: str
    url: str
    language: str
    interval_s: int
    etag: str | None
    last_modified: str | None


class Crawler:
    """Polls sources with one shared HTTP client, robots cache and dedupe index."""

    def __init__(
        self,
        engine: Engine,
        settings: IngestSettings,
        *,
        stop_event: threading.Event | None = None,
        on_source: Callable[[SourceStats], None] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.stop_event = stop_event or threading.Event()
        self.on_source = on_source
        self.fetcher = Fetcher(settings)
        self.store = ArticleStore(engine, settings)
        self.robots = RobotsCache(self._fetch_robots, user_agent=settings.user_agent)

    async def __aenter__(self) -> "Crawler":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.fetcher.aclose()

    def new_cycle(self) -> None:
        """Forget cached robots.txt rules so a long watch picks up changes."""
        self.robots = RobotsCache(self._fetch_robots, user_agent=self.settings.user_agent)

    async def _fetch_robots(self, url: str) -> FetchResult:
        result = await self.fetcher.fetch(url)
        save_fetch(self.engine, result, source_id=None, purpose="robots")
        return result

    async def poll_all(self, source_ids: list[int]) -> list[SourceStats]:
        """Poll the given sources concurrently; results in the same order."""
        return list(await asyncio.gather(*(self.poll_source(i) for i in source_ids)))

    async def poll_source(self, source_id: int) -> SourceStats:
        """Poll one source end to end and update its health; never raises for bad data."""
        with Session(self.engine) as session:
            src = session.get(Source, source_id)
            if src is None:
                return SourceStats(source_id, "?", "?", status="failed", error="unknown source")
            poll = _Poll(source_id, src.name, src.url, src.language, src.poll_interval_s,
                         src.etag, src.last_modified)  # fmt: skip
        stats = SourceStats(source_id, poll.name, poll.url)
        result = FetchResult(url=poll.url)
        try:
            result = await self._poll(poll, stats)
        except Exception as exc:  # one source's unexpected failure must not stop the others
            logger.exception("source %s failed", poll.url)
            stats.status, stats.error = "failed", f"{type(exc).__name__}: {exc}"
        self._finish(poll, stats, result)
        if self.on_source is not None:
            self.on_source(stats)
        return stats

    async def _poll(self, poll: _Poll, stats: SourceStats) -> FetchResult:
        """Fetch and process the feed, filling `stats`; returns the feed fetch."""
        headers = {}
        if poll.etag:
            headers["If-None-Match"] = poll.etag
        if poll.last_modified:
            headers["If-Modified-Since"] = poll.last_modified
        result = await self.fetcher.fetch(poll.url, headers=headers)
        stats.http_status = result.status
        fetch_id = save_fetch(self.engine, result, source_id=poll.id, purpose="feed")
        if result.not_modified:
            stats.status = "not_modified"
            return result
        if not result.ok or result.content is None:
            stats.status = "failed"
            stats.error = result.error or f"HTTP {result.status}"
            return result
        feed = parse_feed(result.content, content_type=result.content_type, url=poll.url)
        stats.notes.extend(feed.notes)
        if feed.refused:
            stats.status, stats.error = "failed", feed.refused
            return result
        if feed.bozo_reason:
            stats.notes.append(f"bozo: {feed.bozo_reason}")
            if not feed.entries:
                stats.status, stats.error = "failed", f"unparseable feed: {feed.bozo_reason}"
                return result
        await self._process_feed(poll, feed, stats=stats, fetch_id=fetch_id)
        return result

    async def _process_feed(
        self, poll: _Poll, feed: ParsedFeed, *, stats: SourceStats, fetch_id: int
    ) -> None:
        """Process each distinct entry of a feed and count the outcomes."""
        stats.fetched = len(feed.entries) + feed.skipped
        stats.failed += feed.skipped
        unique: dict[str, FeedEntry] = {}
        for entry in feed.entries:
            unique.setdefault(canonical_url(entry.link), entry)
        stats.known += len(feed.entries) - len(unique)
        outcomes = await asyncio.gather(
            *(
                self._process_entry(poll, url, entry=entry, fetch_id=fetch_id)
                for url, entry in unique.items()
            )
        )
        for outcome in outcomes:
            if outcome is None:
                stats.status = "stopped"
            elif outcome == Outcome.NEW:
                stats.new += 1
            elif outcome == Outcome.DUPLICATE:
                stats.duplicates += 1
            elif outcome == Outcome.KNOWN:
                stats.known += 1
            else:
                stats.failed += 1
                stats.notes.append(outcome)

    async def _process_entry(
        self, poll: _Poll, url: str, *, entry: FeedEntry, fetch_id: int
    ) -> Outcome | str | None:
        """Store one entry; an Outcome, an error string, or None when stopped first."""
        if self.stop_event.is_set():
            return None
        if url_known(self.engine, url):
            return Outcome.KNOWN
        page_fetch, page, note = await self._fetch_page(entry.link)
        if self.stop_event.is_set():
            return None
        candidate = self._candidate(poll, entry, url=url, page=page, note=note)
        if not candidate.title and not candidate.text:
            return f"{entry.link}: no title and no text"
        return self.store.store(candidate, page=page_fetch, fetch_id=fetch_id)

    async def _fetch_page(self, link: str) -> tuple[FetchResult | None, PageContent | None, str]:
        """The article page's fetch and extracted content, with a note when either is missing."""
        if not self.settings.fetch_pages:
            return None, None, "page fetching off"
        if self.settings.respect_robots and not await self.robots.allowed(link):
            return None, None, "robots.txt disallows page"
        result = await self.fetcher.fetch(link)
        if not result.ok or not result.content:
            return result, None, f"page fetch failed: {result.error or f'HTTP {result.status}'}"
        if "html" not in (result.content_type or "text/html").lower():
            return result, None, f"page is {result.content_type}, not HTML"
        page = await asyncio.to_thread(extract_page, result.content, result.final_url or link)
        return result, page, ""

    def _candidate(
        self, poll: _Poll, entry: FeedEntry, *, url: str, page: PageContent | None, note: str
    ) -> Candidate:
        """Build the article: chosen text, title, dates with provenance, language."""
        chosen = choose_text(page, entry.text, min_chars=self.settings.min_page_chars)
        notes = [n for n in (note, chosen.note) if n]
        first_seen = utcnow()
        published, published_from = first_seen, PublishedFrom.FIRST_SEEN
        if entry.published is not None:
            published, published_from = entry.published, PublishedFrom.FEED
        elif page is not None and page.published is not None:
            published, published_from = page.published, PublishedFrom.PAGE
        return Candidate(
            url=url,
            title=entry.title or (page.title if page and page.title else ""),
            text=chosen.text,
            text_source=TextSource.PAGE if chosen.from_page else TextSource.FEED,
            source_id=poll.id,
            original_url=entry.link if entry.link != url else None,
            author=entry.author or (page.author if page else None),
            language=detect_language(chosen.text or entry.title, fallback=poll.language),
            published_at=published,
            published_from=published_from,
            first_seen_at=first_seen,
            extraction_note="; ".join(notes) or None,
        )

    def _finish(self, poll: _Poll, stats: SourceStats, result: FetchResult) -> None:
        """Record the source's health, validators and next poll time."""
        now = utcnow()
        with Session(self.engine) as session:
            src = session.get(Source, poll.id)
            if src is None:
                return
            src.last_polled_at, src.last_status = now, result.status
            delay = float(poll.interval_s)
            if stats.status == "failed":
                src.consecutive_failures += 1
                src.last_error = stats.error
                delay = min(delay * 2**src.consecutive_failures, self.settings.max_poll_backoff_s)
                delay = max(delay, result.retry_after_s or 0.0)
            else:
                src.consecutive_failures = 0
                src.last_error = "; ".join(stats.notes)[:1000] or None
            if stats.status == "ok":
                # Validators only once every entry is stored: an interrupted poll must refetch.
                src.etag = result.headers.get("etag", src.etag)
                src.last_modified = result.headers.get("last-modified", src.last_modified)
            if stats.status != "stopped":
                src.next_poll_at = now + timedelta(seconds=delay)
            session.add(src)
            session.commit()
