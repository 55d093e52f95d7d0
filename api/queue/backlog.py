"""What is still waiting on the broker: message counts of the tidings queues (kombu only)."""

from __future__ import annotations

from kombu import Connection
from kombu.exceptions import OperationalError as KombuOperationalError

QUEUES = ("process", "crawl")  # the names api/queue/app.py routes to (app.py loads Celery)


def queue_lengths(broker_url: str, *, timeout_s: float = 3.0) -> dict[str, int | str]:
    """Messages waiting in each queue, or {"error": ...} when the broker does not answer."""
    try:
        with Connection(broker_url, connect_timeout=timeout_s) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout_s)
            channel = connection.default_channel
            lengths: dict[str, int | str] = {}
            for name in QUEUES:
                # declared as Celery declares it (an absent queue is created empty)
                _, count, _ = channel.queue_declare(name, durable=True, auto_delete=False)
                lengths[name] = int(count)
            return lengths
    except (KombuOperationalError, OSError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
