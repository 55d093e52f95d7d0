"""A source is polled by one poller at a time: the lease on PostgreSQL and SQLite, and two real
`tidings worker` processes handed the same source at once."""

import threading
import time
from pathlib import Path

import pytest
from fixture_server import FixtureServer, Handler, Reply
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from ingest.leases import source_lease
from models.articles import Article
from models.db import init_engine, session_scope
from models.sources import Source, SourceKind
from tests.workers import broker_url, start_cli, worker_env, workers

FEED_DELAY_S = 10.0  # longer than the two enqueues and task pick-ups take on a loaded machine


def test_a_held_lease_is_refused_until_released(engine: Engine) -> None:
    other = init_engine(engine.url.render_as_string(hide_password=False))
    try:
        with source_lease(engine, 7) as first:
            assert first
            with source_lease(other, 7) as second, source_lease(other, 8) as unrelated:
                assert (second, unrelated) == (False, True)
        with source_lease(other, 7) as again:
            assert again
    finally:
        other.dispose()


@pytest.mark.postgres
def test_a_dead_holders_lease_is_released(pg_engine: Engine) -> None:
    other = init_engine(pg_engine.url.render_as_string(hide_password=False))
    try:
        with pg_engine.connect() as holder:
            holder.execute(text("SELECT pg_advisory_lock(29801, 3)"))  # 0x7469: LOCK_CLASS
            pid = holder.execute(text("SELECT pg_backend_pid()")).scalar()
            with source_lease(other, 3) as held:
                assert not held
            with other.connect() as admin:
                admin.execute(text(f"SELECT pg_terminate_backend({int(pid or 0)})"))
            time.sleep(0.5)
            with source_lease(other, 3) as held:
                assert held
            holder.invalidate()
    finally:
        other.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_never_poll_one_source_at_once(pg_url: str, tmp_path: Path) -> None:
    server = FixtureServer()
    in_flight, peak, lock = [0], [0], threading.Lock()
    feed = server.fixture("feeds/rss20.xml")

    def slow_feed(handler: Handler) -> Reply:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(FEED_DELAY_S)
        with lock:
            in_flight[0] -= 1
        return 200, {"Content-Type": "application/rss+xml"}, feed

    server.routes["/slow-feed.xml"] = slow_feed
    server.start()
    engine = init_engine(pg_url)
    with session_scope(engine) as session:
        session.add(Source(name="Slow", url=f"{server.base}/slow-feed.xml", kind=SourceKind.RSS))
    broker = broker_url("redis", redis_db=12)
    env = worker_env(pg_url, broker, TIDINGS_ALLOW_PRIVATE_ADDRESSES="true",
                     TIDINGS_FETCH_PAGES="false", TIDINGS_RESPECT_ROBOTS="false")  # fmt: skip
    try:
        with workers(2, env, tmp_path, queues="crawl") as running:
            deadline = time.monotonic() + 300
            while not all(" ready." in w.text() for w in running):
                assert time.monotonic() < deadline, [w.text()[-2000:] for w in running]
                time.sleep(0.5)
            # the same source twice at once, forced: both tasks want to poll it
            enqueues = [start_cli(["ingest", "once", "--enqueue", "--all"], env) for _ in "ab"]
            for run in enqueues:
                out, err = run.communicate(timeout=300)
                assert run.returncode == 0 and "queued 1 source(s)" in out, err
            while sum(len(w.finished()) for w in running) < 2:
                assert time.monotonic() < deadline, [w.text()[-2000:] for w in running]
                time.sleep(0.5)
            logs = "".join(w.text() for w in running)
    finally:
        server.stop()
    assert peak[0] == 1
    assert server.hits["/slow-feed.xml"] == 1 and "'status': 'busy'" in logs, logs[-3000:]
    with Session(engine) as session:
        assert len(session.exec(select(Article)).all()) == 3
    engine.dispose()
