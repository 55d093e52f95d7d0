"""Entry points: poll due sources once, or keep polling until asked to stop.

`run_once` and `watch` are what the CLI and the main job (`tidings run`) call.
"""

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ingest.normalize import to_utc
from ingest.poll import Crawler, SourceStats
from ingest.settings import IngestSettings, get_ingest_settings
from ingest.sources import ensure_builtin_sources
from models._time import utcnow
from models.sources import Source, SourceKind

logger = logging.getLogger(__name__)
SourceCallback = Callable[[SourceStats], None]
FEED_KINDS = (SourceKind.RSS, SourceKind.ATOM)


def due_sources(engine: Engine, *, now: datetime | None = None, force: bool = False) -> list[int]:
    """Ids of enabled feed sources whose next poll time has come (all of them with `force`)."""
    now = now or utcnow()
    query = (
        select(Source.id, Source.next_poll_at)
        .where(col(Source.enabled).is_(True), col(Source.kind).in_(FEED_KINDS))
        .order_by(col(Source.id))
    )
    with Session(engine) as session:
        rows = session.exec(query).all()
    return [
        sid
        for sid, next_at in rows
        if sid is not None and (force or next_at is None or to_utc(next_at) <= now)
    ]


def next_due_in(engine: Engine) -> float | None:
    """Seconds until the earliest enabled feed source is due, or None when there is none."""
    query = select(Source.next_poll_at).where(
        col(Source.enabled).is_(True), col(Source.kind).in_(FEED_KINDS)
    )
    with Session(engine) as session:
        times = session.exec(query).all()
    if not times:
        return None
    if any(t is None for t in times):
        return 0.0
    earliest = min(to_utc(t) for t in times if t is not None)
    return max(0.0, (earliest - utcnow()).total_seconds())


def _prepare(engine: Engine, settings: IngestSettings) -> None:
    """Seed the built-in feeds on first use when the settings ask for them."""
    if settings.builtin_sources:
        ensure_builtin_sources(engine)


def run_once(
    engine: Engine,
    *,
    settings: IngestSettings | None = None,
    force: bool = False,
    source_ids: list[int] | None = None,
    on_source: SourceCallback | None = None,
    stop_event: threading.Event | None = None,
) -> list[SourceStats]:
    """Poll every due source (or `source_ids`, or all with `force`) once; per-source stats."""
    settings = settings or get_ingest_settings()
    _prepare(engine, settings)
    ids = source_ids if source_ids is not None else due_sources(engine, force=force)

    async def _go() -> list[SourceStats]:
        async with Crawler(engine, settings, stop_event=stop_event, on_source=on_source) as crawler:
            return await crawler.poll_all(ids)

    return asyncio.run(_go())


def watch(
    engine: Engine,
    *,
    stop_event: threading.Event,
    settings: IngestSettings | None = None,
    on_source: SourceCallback | None = None,
    on_cycle: Callable[[list[SourceStats]], None] | None = None,
) -> None:
    """Poll due sources cycle after cycle until `stop_event` is set (thread-safe)."""
    settings = settings or get_ingest_settings()
    _prepare(engine, settings)
    asyncio.run(_watch(engine, settings, stop_event=stop_event, callbacks=(on_source, on_cycle)))


async def _watch(
    engine: Engine,
    settings: IngestSettings,
    *,
    stop_event: threading.Event,
    callbacks: tuple[SourceCallback | None, Callable[[list[SourceStats]], None] | None],
) -> None:
    """The watch loop: poll what is due, then sleep until the next source is due or a stop."""
    on_source, on_cycle = callbacks
    async with Crawler(engine, settings, stop_event=stop_event, on_source=on_source) as crawler:
        while not stop_event.is_set():
            ids = due_sources(engine)
            if ids:
                crawler.new_cycle()
                stats = await crawler.poll_all(ids)
                if on_cycle is not None:
                    on_cycle(stats)
            wait = next_due_in(engine)
            wait = settings.watch_tick_s if wait is None else min(wait, settings.watch_tick_s)
            await asyncio.to_thread(stop_event.wait, max(wait, 0.05))
    logger.info("watch stopped")


def install_stop_signals(stop_event: threading.Event) -> None:
    """Set `stop_event` on SIGINT/SIGTERM (main thread only); a second SIGINT aborts."""

    def _handler(signum: int, _frame: FrameType | None) -> None:
        if stop_event.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        logger.warning("signal %s: finishing current articles, then stopping", signum)
        stop_event.set()

    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)
