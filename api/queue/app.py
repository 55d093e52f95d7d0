"""The Celery application: at-least-once delivery that the idempotent tasks make exactly-once.

- `task_acks_late`: a task is acknowledged after it ran, so a worker that dies mid-task
  (even by `kill -9`) leaves it on the broker; `task_reject_on_worker_lost` requeues it when a
  prefork child dies; RabbitMQ redelivers on the lost connection at once, Redis after
  `TIDINGS_QUEUE_VISIBILITY_TIMEOUT_S`.
- `worker_prefetch_multiplier=1`: a worker holds only the task it runs, so a dead worker takes
  no queue of work with it and idle workers are never starved.
- Results are written to the store, not a result backend.
"""

from __future__ import annotations

from functools import lru_cache

from celery import Celery

from api.queue.errors import BrokerNotConfiguredError
from api.queue.settings import QueueSettings, get_queue_settings

PROCESS_QUEUE = "process"
CRAWL_QUEUE = "crawl"
PROCESS_TASK = "tidings.process"
POLL_TASK = "tidings.poll"


def make_celery(settings: QueueSettings) -> Celery:
    """A Celery app on the configured broker, with the tidings tasks registered."""
    if not settings.broker_url:
        raise BrokerNotConfiguredError(
            "no task broker: set TIDINGS_BROKER_URL (e.g. redis://127.0.0.1:6379/0 or "
            "amqp://guest:guest@127.0.0.1:5672//), or run without --enqueue"
        )
    app = Celery("tidings", broker=settings.broker_url, include=["api.queue.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_routes={PROCESS_TASK: {"queue": PROCESS_QUEUE}, POLL_TASK: {"queue": CRAWL_QUEUE}},
        task_default_queue=PROCESS_QUEUE,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.queue_visibility_timeout_s},
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,
    )
    return app


@lru_cache
def get_celery() -> Celery:
    """The process's Celery app, made on first use from the settings."""
    return make_celery(get_queue_settings())
