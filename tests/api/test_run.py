"""`tidings run` end to end: crawl a local feed, analyze what arrives, serve it, stop on SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))

from fixture_server import FixtureServer, Handler, Reply

from ingest.sources import add_source
from models.analysis import Mention, Sentence
from models.articles import Article
from models.db import init_engine
from models.sources import Source
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
STORIES = {
    "etf": (
        "Bitcoin ETFs bleed as outflows deepen",
        "US spot bitcoin ETFs saw net outflows of $802 million last week, according to Farside "
        "Investors. BlackRock's IBIT led the withdrawals while Fidelity's FBTC also lost assets. "
        "Bitcoin fell below $100,000 on Tuesday as traders cut risk ahead of the Fed meeting.",
    ),
    "eth": (
        "Ether rebounds after liquidations",
        "Ethereum climbed 6% to $3,400 after more than $1.2 billion of leveraged positions were "
        "liquidated across exchanges, CoinGlass data shows. Analysts at 10x Research expect "
        "volatility to stay elevated into the December FOMC decision.",
    ),
}


def _site(server: FixtureServer) -> None:
    items = "".join(
        f"<item><title>{title}</title><link>{server.base}/story/{key}.html</link>"
        f"<description>{body}</description><pubDate>Wed, 05 Nov 2025 08:00:00 GMT</pubDate></item>"
        for key, (title, body) in STORIES.items()
    )
    feed = f'<rss version="2.0"><channel><title>Local desk</title>{items}</channel></rss>'
    server.routes["/feed.rss"] = lambda _h: (
        200,
        {"Content-Type": "application/rss+xml"},
        feed.encode(),
    )

    def page(handler: Handler) -> Reply:
        title, body = STORIES[handler.path.rsplit("/", 1)[1].removesuffix(".html")]
        html = (
            "<html><body><nav>Home | Markets</nav>"
            f"<article><h1>{title}</h1><p>{body}</p></article></body></html>"
        )
        return 200, {"Content-Type": "text/html"}, html.encode()

    for key in STORIES:
        server.routes[f"/story/{key}.html"] = page


def _processed(engine_url: str) -> int:
    engine = init_engine(engine_url)
    with Session(engine) as session:
        return int(
            session.exec(
                select(func.count()).select_from(Article).where(col(Article.status) == "done")
            ).one()
        )


@pytest.mark.slow
def test_run_crawls_analyzes_and_stops_on_sigterm(tmp_path: Path) -> None:
    server = FixtureServer()
    server.start()
    try:
        _site(server)
        url = f"sqlite:///{tmp_path / 'run.db'}"
        add_source(init_engine(url), f"{server.base}/feed.rss", name="local desk")
        port = free_port()
        env = {
            **os.environ,
            "TIDINGS_API_PORT": str(port),
            "TIDINGS_DATABASE_URL": url,
            "TIDINGS_ALLOW_PRIVATE_ADDRESSES": "true",
            "TIDINGS_BUILTIN_SOURCES": "false",
            "TIDINGS_POLITENESS_DELAY_S": "0",
            "TIDINGS_MIN_PAGE_CHARS": "50",
        }
        process = subprocess.Popen(
            [sys.executable, "-c", "from api.cli import main; main()", "run"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 180
        while _processed(url) < len(STORIES):
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "articles were not analyzed in time"
            time.sleep(0.5)
        stats = httpx.get(f"http://127.0.0.1:{port}/api/v1/stats", timeout=10).json()
        assert stats["processed"] == len(STORIES)  # served by the same process
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    finally:
        server.stop()
    assert process.returncode == 0, err
    assert "stopped" in err
    engine = init_engine(url)
    with Session(engine) as session:
        linked = set(session.exec(select(Mention.entity_id)).all())
        sentences = session.exec(select(func.count()).select_from(Sentence)).one()
    assert {"crypto:btc", "crypto:eth"} <= linked
    assert sentences >= 5


def test_run_offline_says_once_why_a_source_fails(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'offline.db'}"
    engine = init_engine(url)
    source = add_source(engine, "http://desk.invalid/feed.xml", name="dark desk")
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": url,
        "TIDINGS_BUILTIN_SOURCES": "false",
        "TIDINGS_WATCH_TICK_S": "0.2",
        "TIDINGS_MAX_POLL_BACKOFF_S": "0",
        "TIDINGS_MAX_RETRIES": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "run", "--no-analyze"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:  # until the source has failed three times
        with Session(engine) as session:
            polled = session.get(Source, source.id)
            assert polled is not None
            failures = polled.consecutive_failures
            session.expire_all()
        if failures >= 3:
            break
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "the source was not polled three times"
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    said = [line for line in err.splitlines() if "desk.invalid" in line]
    assert len(said) == 1, err
    assert said[0].startswith("dark desk: failing: cannot resolve desk.invalid")
    assert sum("crawl cycle" in line for line in err.splitlines()) == 1, err
    assert err.count("run `tidings demo`") == 1, err  # the store is empty: the demo is offered
