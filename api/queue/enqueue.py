"""Putting work on the queue: pending articles in small batches, due sources one by one.

An article is sent once: `Article.queued_at` records the enqueue, and `process --enqueue`
skips articles queued less than `TIDINGS_QUEUE_REQUEUE_AFTER_S` ago (a lost message is sent
again after that). Sending twice is harmless anyway: the task skips what is already done.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from celery import Celery
from kombu.exceptions import OperationalError as KombuOperationalError
from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from api.queue.app import CRAWL_QUEUE, POLL_TASK, PROCESS_QUEUE, PROCESS_TASK
from api.queue.errors import BrokerUnavailableError
from api.queue.settings import QueueSettings
from models._time import utcnow
from models.analysis import ProcessingStatus
from models.articles import Article


def unqueued_ids(engine: Engine, *, requeue_after_s: int, after_id: int = 0) -> list[int]:
    """New, non-duplicate articles not queued recently (ids above `after_id`), by id."""
    cutoff = utcnow() - timedelta(seconds=requeue_after_s)
    queued = col(Article.queued_at)
    query = (
        select(Article.id)
        .where(
            col(Article.status) == ProcessingStatus.NEW.value,
            col(Article.duplicate_of).is_(None),
            col(Article.id) > after_id,
            or_(queued.is_(None), queued < cutoff),
        )
        .order_by(col(Article.id))
    )
    with Session(engine) as session:
        return [int(i) for i in session.exec(query).all() if i is not None]


def _send(app: Celery, name: str, args: list[object], *, queue: str) -> None:
    """Send one task; an unreachable broker is one clear error."""
    try:
        app.send_task(name, args=args, queue=queue)
    except KombuOperationalError as exc:
        raise BrokerUnavailableError(
            f"cannot reach the broker {app.conf.broker_url!r}: {exc}. Check TIDINGS_BROKER_URL."
        ) from exc


def enqueue_articles(
    engine: Engine, app: Celery, ids: Sequence[int], *, settings: QueueSettings
) -> int:
    """Send `ids` as `process` tasks of `queue_batch_size` articles and mark them queued."""
    size = max(1, settings.queue_batch_size)
    for offset in range(0, len(ids), size):
        chunk = list(ids[offset : offset + size])
        _send(app, PROCESS_TASK, [chunk], queue=PROCESS_QUEUE)
        with Session(engine) as session:
            session.execute(
                update(Article).where(col(Article.id).in_(chunk)).values(queued_at=utcnow())
            )
            session.commit()
    return len(ids)


def enqueue_pending(engine: Engine, app: Celery, *, settings: QueueSettings) -> int:
    """Queue every pending article not queued recently; returns how many were queued."""
    ids = unqueued_ids(engine, requeue_after_s=settings.queue_requeue_after_s)
    return enqueue_articles(engine, app, ids, settings=settings)


def enqueue_sources(app: Celery, source_ids: Sequence[int], *, force: bool = False) -> int:
    """Send one `poll` task per source (`force`: poll even when not due)."""
    for source_id in source_ids:
        _send(app, POLL_TASK, [source_id, force], queue=CRAWL_QUEUE)
    return len(source_ids)
