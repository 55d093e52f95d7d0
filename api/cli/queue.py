"""`tidings worker` and the `--enqueue` halves of `process`, `ingest once|watch` and `import`.

Celery is imported only here, by the commands that need a broker; the single-process commands
never load it.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api.cli.errors import fail
from api.cli.groups import app
from api.context import get_engine

if TYPE_CHECKING:
    from celery import Celery

console = Console()
QUEUE_NAMES = ("crawl", "process")


def queue_app() -> Celery:
    """The Celery app, or a clear error when no broker is configured."""
    from api.queue.app import get_celery
    from api.queue.errors import QueueError

    try:
        return get_celery()
    except QueueError as exc:
        raise fail(str(exc)) from None


def enqueue_pending_articles() -> int:
    """Queue the pending articles (`process --enqueue`, `import --enqueue`); returns how many."""
    from api.queue.enqueue import enqueue_pending
    from api.queue.errors import QueueError
    from api.queue.settings import get_queue_settings

    celery = queue_app()
    try:
        return enqueue_pending(get_engine(), celery, settings=get_queue_settings())
    except QueueError as exc:
        raise fail(str(exc)) from None


def _seed_sources() -> None:
    """Add the built-in feeds when the settings ask for them, as a first inline crawl would."""
    from ingest.settings import get_ingest_settings
    from ingest.sources import ensure_builtin_sources

    if get_ingest_settings().builtin_sources:
        ensure_builtin_sources(get_engine())


def enqueue_due_sources(*, force: bool) -> list[int]:
    """Queue a poll of every due source (every enabled feed with `force`); returns their ids."""
    from api.queue.enqueue import enqueue_sources
    from api.queue.errors import QueueError
    from ingest.service import due_sources

    celery = queue_app()
    _seed_sources()
    ids = due_sources(get_engine(), force=force)
    try:
        enqueue_sources(celery, ids, force=force)
    except QueueError as exc:
        raise fail(str(exc)) from None
    return ids


def watch_enqueue(stop: threading.Event, *, tick_s: float) -> None:
    """Queue due sources as they fall due, until `stop`; a source already queued is queued
    again only once its lease window (the visibility timeout) has passed without a poll."""
    from api.queue.enqueue import enqueue_sources
    from api.queue.settings import get_queue_settings
    from ingest.service import due_sources

    window = float(get_queue_settings().queue_visibility_timeout_s)
    sent: dict[int, float] = {}
    _seed_sources()
    while not stop.is_set():
        now = time.monotonic()
        due = [i for i in due_sources(get_engine()) if now - sent.get(i, -window) >= window]
        if due:
            enqueue_sources(queue_app(), due)
            sent.update(dict.fromkeys(due, now))
            console.print(f"queued {len(due)} due source(s)")
        stop.wait(tick_s)


def _parse_queues(value: str) -> list[str]:
    """--queues as a list of known queue names."""
    names = [q.strip() for q in value.split(",") if q.strip()]
    unknown = sorted(set(names) - set(QUEUE_NAMES))
    if unknown or not names:
        raise typer.BadParameter(
            f"unknown queue(s) {', '.join(unknown) or '(none)'}; use {','.join(QUEUE_NAMES)}",
            param_hint="--queues",
        )
    return names


@app.command("worker")
def worker_command(
    *,
    queues: Annotated[
        str, typer.Option(help="Comma-separated queues to consume: crawl, process.")
    ] = "crawl,process",
    concurrency: Annotated[
        int, typer.Option(min=1, help="Tasks at once (1: in this process; more: child processes).")
    ] = 1,
    name: Annotated[str | None, typer.Option(help="Worker name (default: a unique one).")] = None,
) -> None:
    """Run queued crawl and process tasks (needs TIDINGS_BROKER_URL and a shared database)."""
    names = _parse_queues(queues)
    celery = queue_app()
    hostname = name or f"tidings-{uuid.uuid4().hex[:8]}@%h"
    pool = "solo" if concurrency == 1 else "prefork"
    if "process" in names:
        from api.queue.tasks import preload_analyzer

        preload_analyzer(pool)
    argv = ["worker", "--queues", ",".join(names), "--concurrency", str(concurrency)]
    argv += ["--pool", pool, "--hostname", hostname, "--loglevel", "INFO"]
    argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    celery.worker_main(argv=argv)
