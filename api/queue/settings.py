"""Task-queue settings (env prefix TIDINGS_); every field is documented in the README."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class QueueSettings(BaseSettings):
    """Where the broker is and how work is cut into tasks."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    broker_url: str | None = None
    """Celery broker: redis://host:6379/0 or amqp://user:pass@host:5672// (None: no queue)."""
    queue_batch_size: int = 4
    """Articles per `process` task: small, so a lost worker costs little to redo."""
    queue_visibility_timeout_s: int = 900
    """Redis only: an unacknowledged task is handed to another worker after this long."""
    queue_requeue_after_s: int = 3600
    """`process --enqueue` sends an article again once its last enqueue is this old."""
    queue_retry_delay_s: float = 5.0
    """Wait before retrying articles that another worker holds."""


@lru_cache
def get_queue_settings() -> QueueSettings:
    """The process-wide queue settings, read once."""
    return QueueSettings()
