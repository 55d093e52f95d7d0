"""Real `tidings worker` processes on the loopback brokers and PostgreSQL process the 206-record
2023 archive into exactly the rows a single in-process run writes: with three workers, and with
one of them killed with `kill -9` mid-task (its task is redelivered, nothing lost or doubled)."""

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from models.analysis import EntitySentiment, Mention, Sentence
from models.articles import Article
from models.claims import Claim
from models.db import init_engine
from models.narratives import NarrativeAssignment
from tests.conftest import SHARED_DIR
from tests.workers import Worker, broker_url, cli, worker_env, workers

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.shared]
ARCHIVE = SHARED_DIR / "data" / "crypto-news-articles" / "cryptonews_com_2023_fulltext.json"
TABLES = (Sentence, Mention, Claim, EntitySentiment, NarrativeAssignment)
DEADLINE_S = 1800


def import_archive(engine: Engine) -> None:
    from ingest.imports import import_paths

    if not ARCHIVE.is_file():
        pytest.skip("../shared/data/crypto-news-articles is absent: queue test skipped")
    stats = import_paths(engine, [ARCHIVE])
    assert (stats.records, stats.failed) == (206, 0), stats


def per_article(engine: Engine) -> dict[str, tuple[object, ...]]:
    """url -> (status, rows in each result table): what must match the single-process run."""
    with Session(engine) as session:
        counts: dict[int, list[int]] = {}
        for i, table in enumerate(TABLES):
            rows = session.exec(
                select(table.article_id, func.count()).group_by(col(table.article_id))  # type: ignore[attr-defined]
            ).all()
            for article_id, n in rows:
                counts.setdefault(int(article_id), [0] * len(TABLES))[i] = int(n)
        return {
            a.url: (a.status, *counts.get(int(a.id or 0), [0] * len(TABLES)))
            for a in session.exec(select(Article))
        }


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[object, ...]]:
    """The archive processed by one in-process `process` run on SQLite."""
    from api.services.processing import process_articles

    engine = init_engine(f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}")
    import_archive(engine)
    stats = process_articles(engine)
    assert stats.failed == 0, stats.errors
    result = per_article(engine)
    engine.dispose()
    return result


@pytest.fixture
def store(pg_url: str) -> Iterator[tuple[Engine, str]]:
    engine = init_engine(pg_url)
    import_archive(engine)
    yield engine, pg_url
    engine.dispose()


def pending(engine: Engine) -> int:
    with Session(engine) as session:
        query = (
            select(func.count())
            .select_from(Article)
            .where(col(Article.status) == "new", col(Article.duplicate_of).is_(None))
        )
        return int(session.exec(query).one())


def wait_until(check: object, running: list[Worker], what: str) -> None:
    start = time.monotonic()
    while not check():  # type: ignore[operator]
        dead = [w for w in running if w.process.poll() is not None]
        assert not dead, f"a worker exited: {dead[0].text()[-3000:]}"
        assert time.monotonic() - start < DEADLINE_S, f"timed out waiting for {what}"
        time.sleep(2)


def enqueue(env: dict[str, str]) -> None:
    done = cli(["process", "--enqueue"], env)
    assert done.returncode == 0 and "queued 72 article(s)" in done.stdout, done.stderr[-2000:]


def test_three_workers_write_what_one_process_writes(
    store: tuple[Engine, str], reference: dict[str, tuple[object, ...]], tmp_path: Path
) -> None:
    engine, url = store
    env = worker_env(url, broker_url("amqp"), TIDINGS_QUEUE_BATCH_SIZE="2")
    enqueue(env)
    assert cli(["process", "--enqueue"], env).stdout.strip() == "queued 0 article(s)"
    with workers(3, env, tmp_path) as running:
        wait_until(lambda: pending(engine) == 0, running, "the queue to drain")
        assert all(w.finished() for w in running), "every worker took part"
    assert per_article(engine) == reference
    stats = cli(["stats", "--json"], env)
    assert '"unprocessed": 0' in stats.stdout and '"process": 0' in stats.stdout, stats.stdout


def test_a_worker_killed_mid_task_loses_and_doubles_nothing(
    store: tuple[Engine, str], reference: dict[str, tuple[object, ...]], tmp_path: Path
) -> None:
    engine, url = store
    env = worker_env(url, broker_url("redis"), TIDINGS_QUEUE_BATCH_SIZE="2",
                     TIDINGS_QUEUE_VISIBILITY_TIMEOUT_S="30")  # fmt: skip
    enqueue(env)
    with workers(3, env, tmp_path) as running:
        victim = running[0]

        def mid_task() -> bool:
            return pending(engine) <= 36 and bool(victim.received() - victim.finished())

        wait_until(mid_task, running, "half the articles, with the victim inside a task")
        in_flight = victim.received() - victim.finished()
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(timeout=30)
        survivors = running[1:]
        wait_until(lambda: pending(engine) == 0, survivors, "the queue to drain")
        redelivered = set().union(*(w.received() for w in survivors))
        assert in_flight <= redelivered, "the killed worker's task went to another worker"
    assert per_article(engine) == reference
