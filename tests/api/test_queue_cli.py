"""The queue commands without workers: clear errors without a broker, `process --enqueue` sends
each pending article once in small tasks, `stats --json` shows what is pending."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

import api.cli  # noqa: F401 - registers the command modules
from api.cli.groups import app
from api.context import get_engine
from api.queue.app import get_celery
from api.queue.settings import get_queue_settings
from ingest.settings import get_ingest_settings
from models.articles import Article
from models.db import session_scope
from tests.workers import broker_url

runner = CliRunner()


@pytest.fixture
def queue_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Caches cleared around a test that sets TIDINGS_BROKER_URL / TIDINGS_QUEUE_* or
    TIDINGS_BUILTIN_SOURCES (an earlier test in the process may have cached other values)."""
    caches = (get_queue_settings, get_celery, get_ingest_settings)
    for cached in caches:
        cached.cache_clear()
    yield db_url
    for cached in caches:
        cached.cache_clear()


def add_articles(count: int) -> None:
    with session_scope(get_engine()) as session:
        session.add_all(
            Article(url=f"https://q.test/{i}", text=f"Bitcoin rose {i}%.", content_hash=f"q{i}",
                    published_at=datetime(2025, 11, 5, tzinfo=UTC))
            for i in range(count)
        )  # fmt: skip
        session.add(Article(url="https://q.test/dup", text="Bitcoin rose 0%.", content_hash="q0",
                            duplicate_of=1))  # fmt: skip


@pytest.mark.parametrize(
    "args", [["process", "--enqueue"], ["ingest", "once", "--enqueue"], ["worker"]]
)
def test_queue_commands_need_a_broker(
    args: list[str], queue_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TIDINGS_BROKER_URL", raising=False)
    monkeypatch.setenv("TIDINGS_BUILTIN_SOURCES", "false")
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "no task broker: set TIDINGS_BROKER_URL" in result.output


def test_worker_refuses_unknown_queues(queue_env: str) -> None:
    result = runner.invoke(app, ["worker", "--queues", "crawl,analyse"])
    assert result.exit_code == 2 and "unknown queue(s) analyse" in result.output


def test_unreachable_broker_is_one_error(queue_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDINGS_BROKER_URL", "redis://127.0.0.1:1/0")
    add_articles(2)
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert "error" in stats["broker_queues"]


def test_enqueue_sends_each_pending_article_once(
    queue_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_BROKER_URL", broker_url("redis", redis_db=11))
    monkeypatch.setenv("TIDINGS_QUEUE_BATCH_SIZE", "2")
    add_articles(5)
    first = runner.invoke(app, ["process", "--enqueue"])
    assert first.exit_code == 0 and first.output.strip() == "queued 5 article(s)", first.output
    again = runner.invoke(app, ["process", "--enqueue"])
    assert again.output.strip() == "queued 0 article(s)"
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert (stats["unprocessed"], stats["queued"]) == (5, 5)
    assert stats["broker_queues"] == {"process": 3, "crawl": 0}  # 2 + 2 + 1 articles
    refused = runner.invoke(app, ["process", "--enqueue", "--retry-failed"])
    assert refused.exit_code == 1 and "queues new articles only" in refused.output


def test_ingest_once_enqueue_queues_one_poll_per_due_source(
    queue_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.sources import Source, SourceKind

    monkeypatch.setenv("TIDINGS_BROKER_URL", broker_url("redis", redis_db=11))
    monkeypatch.setenv("TIDINGS_BUILTIN_SOURCES", "false")
    with session_scope(get_engine()) as session:
        session.add_all([
            Source(name="Due", url="https://a.test/feed.xml", kind=SourceKind.RSS),
            Source(name="Later", url="https://b.test/feed.xml", kind=SourceKind.RSS,
                   next_poll_at=datetime(2999, 1, 1, tzinfo=UTC)),
            Source(name="Off", url="https://c.test/feed.xml", kind=SourceKind.RSS, enabled=False),
        ])  # fmt: skip
    due = runner.invoke(app, ["ingest", "once", "--enqueue", "--json"])
    assert due.exit_code == 0 and json.loads(due.output) == {"queued": [1]}, due.output
    forced = runner.invoke(app, ["ingest", "once", "--enqueue", "--all"])
    assert forced.output.strip() == "queued 2 source(s)"
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert stats["broker_queues"] == {"process": 0, "crawl": 3}
