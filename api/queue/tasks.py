"""The tasks a `tidings worker` runs: analyze a few articles, poll one source.

Both are idempotent, so the broker's at-least-once delivery writes everything once:
- `tidings.process` claims its articles with the `process` job's claim (PostgreSQL row locks,
  SKIP LOCKED; a lock file on SQLite) and writes each article's results in the claim's
  transaction; articles already done are skipped, articles another worker holds are retried
  after `TIDINGS_QUEUE_RETRY_DELAY_S`. A worker killed mid-task rolls its transaction back with
  its connection, and the redelivered task does the work again from scratch.
- `tidings.poll` holds the source's lease (ingest/leases.py) while it polls, and polls only a
  source that is still due (or forced), so a source is polled by one worker at a time and a
  task delivered twice polls once.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from celery import Task, shared_task
from celery.signals import worker_init, worker_process_init

from api.context import get_engine
from api.queue.settings import get_queue_settings

if TYPE_CHECKING:
    from nlp.pipeline import Analyzer

log = logging.getLogger(__name__)


@lru_cache
def worker_analyzer() -> Analyzer:
    """The worker process's pipeline, loaded by its first task (spaCy, the models, the KB)."""
    from api.services.narratives import sync_taxonomy
    from api.services.processing import build_analyzer

    engine = get_engine()
    analyzer = build_analyzer(engine)
    sync_taxonomy(engine, analyzer)
    return analyzer


_PRELOAD: dict[str, str | None] = {"pool": None}


def preload_analyzer(pool: str) -> None:
    """Load the pipeline when the worker starts (before it takes tasks) rather than in its first
    task: in the worker process itself for the solo pool, in each child for prefork."""
    _PRELOAD["pool"] = pool


@worker_init.connect
def _preload_solo(**_: object) -> None:
    if _PRELOAD["pool"] == "solo":
        worker_analyzer()


@worker_process_init.connect
def _preload_child(**_: object) -> None:
    if _PRELOAD["pool"] == "prefork":
        worker_analyzer()


@shared_task(name="tidings.process", bind=True, acks_late=True, reject_on_worker_lost=True,
             max_retries=None)  # fmt: skip
def process_task(self: Task, article_ids: list[int]) -> dict[str, Any]:
    """Analyze the still-new articles among `article_ids`; retry those another worker holds."""
    from api.services.processing import process_ids

    stats, held = process_ids(get_engine(), article_ids, analyzer=worker_analyzer())
    if held:
        log.info("articles %s are held by another worker; retrying them", held)
        raise self.retry(args=[held], countdown=get_queue_settings().queue_retry_delay_s)
    return {"done": stats.done, "failed": stats.failed}


@shared_task(name="tidings.poll", acks_late=True, reject_on_worker_lost=True)
def poll_task(source_id: int, force: bool = False) -> dict[str, Any]:
    """Poll one source if no other worker is polling it and it is (still) due."""
    from ingest.leases import source_lease
    from ingest.service import due_sources, run_once

    engine = get_engine()
    with source_lease(engine, source_id) as held:
        if not held:
            return {"source_id": source_id, "status": "busy"}
        if not force and source_id not in due_sources(engine):
            return {"source_id": source_id, "status": "not_due"}
        (stats,) = run_once(engine, source_ids=[source_id])
    return {"source_id": source_id, "status": stats.status, "new": stats.new}
