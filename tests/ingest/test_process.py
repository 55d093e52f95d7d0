"""`tidings ingest once` killed with SIGKILL mid-run, and `ingest watch` stopped by SIGTERM."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixture_server import FixtureServer, Handler, Reply
from sqlalchemy import Engine, text
from sqlmodel import Session, col, func, select

from ingest.sources import add_source
from models.articles import Article
from models.sources import FetchRecord

REPO = Path(__file__).resolve().parents[2]
PAGES = 12
WORDS = [
    "bitcoin", "ether", "solana", "policy", "yields", "dollar", "miners", "stablecoin",
    "exchange", "options", "futures", "custody", "treasury", "inflation", "liquidity",
]  # fmt: skip


def slow_site(server: FixtureServer, delay: float) -> None:
    """A feed of PAGES items whose pages each take `delay` seconds."""
    items = "".join(
        f"<item><title>Story {i}</title><link>{server.base}/slow/{i}.html</link>"
        f"<pubDate>Mon, 0{1 + i % 9} Apr 2024 10:00:00 GMT</pubDate></item>"
        for i in range(PAGES)
    )
    feed = f'<rss version="2.0"><channel><title>Slow</title>{items}</channel></rss>'

    def page(handler: Handler) -> Reply:
        time.sleep(delay)
        n = int(handler.path.rsplit("/", 1)[1].split(".")[0])
        body = " ".join(f"{WORDS[(n * 7 + k) % len(WORDS)]}{k % 13}" for k in range(120))
        html = f"<html><body><article><h1>Story {n}</h1><p>{body}.</p></article></body></html>"
        return 200, {"Content-Type": "text/html"}, html.encode()

    server.routes["/slow.rss"] = lambda h: (
        200,
        {"Content-Type": "application/rss+xml"},
        feed.encode(),
    )
    for i in range(PAGES):
        server.routes[f"/slow/{i}.html"] = page


def cli(engine: Engine, *args: str) -> subprocess.Popen[str]:
    """Start the tidings CLI on the test database."""
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": str(engine.url),
        "TIDINGS_ALLOW_PRIVATE_ADDRESSES": "true",
        "TIDINGS_BUILTIN_SOURCES": "false",
        "TIDINGS_POLITENESS_DELAY_S": "0",
        "TIDINGS_PER_HOST_CONCURRENCY": "2",
        "TIDINGS_NEAR_DUP_ENABLED": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def stored(engine: Engine) -> int:
    """Number of stored articles."""
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Article)).one())


def wait_for(engine: Engine, count: int, timeout: float = 60.0) -> None:
    """Block until at least `count` articles are stored."""
    deadline = time.monotonic() + timeout
    while stored(engine) < count:
        assert time.monotonic() < deadline, f"fewer than {count} articles after {timeout}s"
        time.sleep(0.05)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # PRAGMA, subprocesses
def test_kill_9_mid_run_then_rerun_is_complete(server: FixtureServer, engine: Engine) -> None:
    slow_site(server, delay=0.4)
    add_source(engine, f"{server.base}/slow.rss", name="slow")
    first = cli(engine, "ingest", "once")
    wait_for(engine, 3)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    before = stored(engine)
    assert 3 <= before < PAGES
    second = cli(engine, "ingest", "once", "--json")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    [stats] = json.loads(out)
    assert (stats["status"], stats["fetched"], stats["new"], stats["known"]) == (
        "ok", PAGES, PAGES - before, before)  # fmt: skip
    with Session(engine) as session:
        rows = session.exec(select(Article, FetchRecord).join(FetchRecord)).all()
        urls = [a.url for a, _ in rows]
        assert sorted(urls) == sorted(f"{server.base}/slow/{i}.html" for i in range(PAGES))
        assert all(r.purpose == "page" and r.status == 200 and r.url == a.url for a, r in rows)
        orphans = session.exec(
            select(func.count()).select_from(Article).where(col(Article.fetch_id).is_(None))
        ).one()
        assert orphans == 0
        assert session.exec(text("PRAGMA integrity_check")).one()[0] == "ok"  # type: ignore[call-overload]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # PRAGMA, subprocesses
def test_watch_stops_cleanly_on_sigterm(server: FixtureServer, engine: Engine) -> None:
    slow_site(server, delay=0.05)
    add_source(engine, f"{server.base}/slow.rss", name="slow")
    process = cli(engine, "ingest", "watch")
    wait_for(engine, PAGES)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "watching sources" in out
    assert out.rstrip().endswith("stopped")
    assert stored(engine) == PAGES
