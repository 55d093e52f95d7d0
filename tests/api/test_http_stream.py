"""GET /stream on a real uvicorn server while `tidings process`, in another process, stores
articles: every article arrives as an event with its claims, and a client that reconnects with
Last-Event-ID gets what came after that event, once."""

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.http.settings import ApiSettings
from ingest.imports import import_paths
from models.articles import Article
from models.claims import Claim
from tests.api.conftest import SEED_ARTICLES
from tests.conftest import REPO_ROOT, served

V1 = "/api/v1"
WAIT_S = 300.0


class Reader:
    """A client reading GET /stream in a thread, keeping every event it gets."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.wanted = 0
        self.got_enough = threading.Event()
        self.connected = threading.Event()
        self.status = 0
        self._thread = threading.Thread(target=self._read, args=(url, headers or {}), daemon=True)
        self._thread.start()

    def _read(self, url: str, headers: dict[str, str]) -> None:
        with httpx.stream("GET", url, headers=headers, timeout=WAIT_S) as response:
            self.status = response.status_code
            event: dict[str, Any] = {}
            for line in response.iter_lines():
                if line.startswith(": connected"):
                    self.connected.set()
                name, _, value = line.partition(": ")
                if name in ("id", "event", "data"):
                    event[name] = value
                elif line == "" and "data" in event:
                    self.events.append(event | {"data": json.loads(event["data"])})
                    event = {}
                    if len(self.events) >= self.wanted > 0:
                        self.got_enough.set()
                        return

    def wait_for(self, count: int) -> list[dict[str, Any]]:
        self.wanted = count
        if len(self.events) >= count:
            self.got_enough.set()
        assert self.got_enough.wait(WAIT_S), f"{len(self.events)} of {count} events arrived"
        self._thread.join(timeout=10)
        return self.events


def _import(engine: Engine, folder: Path) -> list[int]:
    seed = folder / "stream.jsonl"
    with seed.open("w", encoding="utf-8") as out:
        for i, (title, day, body) in enumerate(SEED_ARTICLES):
            row = {
                "title": title,
                "text": body,
                "url": f"https://stream.test/{i}",
                "published": day,
            }
            out.write(json.dumps(row) + "\n")
    assert import_paths(engine, [seed]).new == len(SEED_ARTICLES)
    with Session(engine) as session:
        return sorted(int(i) for i in session.exec(select(Article.id)).all() if i is not None)


def _process_elsewhere(engine: Engine) -> None:
    """`tidings process` in a process of its own on the same store."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT),
           "TIDINGS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "TIDINGS_NLP_BATCH_SIZE": "2"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "process"], env=env, cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=WAIT_S, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_stream_pushes_what_another_process_stores_and_resumes(
    engine: Engine, tmp_path: Path
) -> None:
    ids = _import(engine, tmp_path)
    settings = ApiSettings(api_stream_poll_s=0.2)
    with served(engine, settings) as base:
        reader = Reader(f"{base}{V1}/stream")
        assert reader.connected.wait(30) and reader.status == 200
        _process_elsewhere(engine)
        events = reader.wait_for(len(ids))
        assert {e["event"] for e in events} == {"article"}
        assert sorted(e["data"]["article"]["id"] for e in events) == ids
        with Session(engine) as session:
            claims = session.exec(select(Claim).order_by(col(Claim.start))).all()
        for event in events:
            mine = [c.text for c in claims if c.article_id == event["data"]["article"]["id"]]
            assert [c["text"] for c in event["data"]["claims"]] == mine
            assert event["data"]["article"]["status"] == "done"
        assert any(e["data"]["claims"] for e in events)
        stamps = [(e["data"]["processed_at"], e["data"]["article"]["id"]) for e in events]
        assert stamps == sorted(stamps)

        resumed = Reader(f"{base}{V1}/stream", {"Last-Event-ID": events[1]["id"]})
        again = resumed.wait_for(len(ids) - 2)
        assert [e["id"] for e in again] == [e["id"] for e in events[2:]]

        idle = Reader(f"{base}{V1}/stream", {"Last-Event-ID": events[-1]["id"]})
        assert idle.connected.wait(30) and idle.events == []
        bad = httpx.get(f"{base}{V1}/stream", headers={"Last-Event-ID": "yesterday"})
        assert bad.status_code == 422 and bad.json()["param"] == "Last-Event-ID"
    # leaving `served` stopped the server although `idle` still held a stream open


def _mark_done(engine: Engine, when: dict[int, datetime]) -> None:
    """What `process` writes on each article that matters to the stream: status and time."""
    with Session(engine) as session:
        for article_id, moment in when.items():
            article = session.get(Article, article_id)
            assert article is not None
            article.status, article.processed_at = "done", moment
            session.add(article)
        session.commit()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_stream_starts_at_the_newest_article_and_sends_late_commits(
    engine: Engine, tmp_path: Path
) -> None:
    from api.services.stream import LOOKBACK, Follower, Position, latest

    ids = _import(engine, tmp_path)
    assert latest(engine) is None
    now = datetime.now(UTC)
    _mark_done(engine, {i: now - timedelta(seconds=10 - n) for n, i in enumerate(ids[:-2])})
    newest = latest(engine)
    assert newest is not None and newest.article_id == ids[-3]
    assert Position.parse(newest.event_id()) == newest
    follower = Follower(engine, newest)
    follower.start()
    assert follower.poll() == []
    from_start = Follower(engine, None)
    assert [p.article_id for p, _ in from_start.poll()] == ids[:-2]
    # committed late (another run's batch) with a time before the newest one sent: still sent,
    # once; one older than the lookback is not
    _mark_done(engine, {ids[-2]: now - timedelta(seconds=30), ids[-1]: now - 2 * LOOKBACK})
    assert [p.article_id for p, _ in follower.poll()] == [ids[-2]]
    assert follower.poll() == []
