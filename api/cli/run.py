"""`tidings run`: the main job — crawl the sources, analyze what arrives and serve the API."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from api.cli.groups import app
from api.context import get_engine
from api.services.processing import build_analyzer, process_articles

if TYPE_CHECKING:
    from ingest.poll import SourceStats
    from nlp.pipeline import Analyzer

log = logging.getLogger(__name__)
console = Console(stderr=True)


def _process_loop(
    engine: Engine, analyzer: Analyzer, *, wake: threading.Event, stop: threading.Event
) -> None:
    """Analyze pending articles whenever a crawl cycle ends, until `stop` is set."""
    while not stop.is_set():
        wake.wait(timeout=60)
        wake.clear()
        if stop.is_set():
            break
        stats = process_articles(engine, analyzer=analyzer)
        if stats.done or stats.failed:
            console.print(f"analyzed {stats.done} article(s), {stats.failed} failed")


EMPTY_HINT = (
    "the store holds no articles yet: they arrive as the feeds are crawled. Offline, or to see "
    "every view populated first, stop this and run `tidings demo` (synthetic demo text and "
    "market data, about a minute) on an empty store, then `tidings serve`."
)


def _store_is_empty(engine: Engine) -> bool:
    from sqlmodel import Session, select

    from models.articles import Article

    with Session(engine) as session:
        return session.exec(select(Article.id).limit(1)).first() is None


class _Reporter:
    """Says what changes, once: a source's failure and its reason when it starts failing (or
    the reason changes), its recovery, and a cycle line only when articles arrive or the number
    of failing sources changes. An offline machine hears about each source once, then quiet."""

    def __init__(self, wake: threading.Event) -> None:
        self.wake = wake
        self.failing: dict[int, str] = {}  # source id -> the error last reported
        self.last_cycle: tuple[int, int] | None = None

    def source(self, s: SourceStats) -> None:
        """After each source's poll."""
        if s.status == "failed":
            error = s.error or "failed"
            if self.failing.get(s.source_id) != error:
                console.print(f"{s.name}: failing: {error}", highlight=False, soft_wrap=True)
            self.failing[s.source_id] = error
        elif s.status in {"ok", "not_modified"} and s.source_id in self.failing:
            del self.failing[s.source_id]
            console.print(f"{s.name}: ok again", highlight=False)

    def cycle(self, stats: list[SourceStats]) -> None:
        """After each crawl cycle; wakes the analysis thread."""
        new = sum(s.new for s in stats)
        failing = sum(1 for s in stats if s.status == "failed")
        if new or (len(stats), failing) != self.last_cycle:
            console.print(f"crawl cycle: {len(stats)} source(s), {new} new article(s), "
                          f"{failing} failing")  # fmt: skip
        self.last_cycle = (len(stats), failing)
        self.wake.set()


def _crawl(engine: Engine, stop: threading.Event, reporter: _Reporter) -> None:
    """The crawl loop in a thread beside the server: a crash is reported, serving goes on."""
    from ingest.service import watch  # lazy: the crawler

    try:
        watch(engine, stop_event=stop, on_source=reporter.source, on_cycle=reporter.cycle)
    except Exception as exc:
        log.exception("crawler stopped")
        console.print(f"crawler stopped ({type(exc).__name__}: {exc}); still serving")


@app.command("run")
def run_command(
    *,
    analyze: Annotated[
        bool, typer.Option("--analyze/--no-analyze", help="Analyze new articles as they arrive.")
    ] = True,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API while crawling.")
    ] = True,
    host: Annotated[str | None, typer.Option(help="Address to serve on [TIDINGS_API_HOST]")] = None,
    port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="Port to serve on [TIDINGS_API_PORT].")
    ] = None,
) -> None:
    """Crawl every enabled source, analyze new articles after each cycle and serve the API, until
    SIGINT/SIGTERM."""
    from ingest.service import install_stop_signals  # lazy: the crawler

    engine = get_engine()
    stop = threading.Event()
    wake = threading.Event()
    install_stop_signals(stop)
    if _store_is_empty(engine):
        console.print(EMPTY_HINT, highlight=False, soft_wrap=True)
    worker: threading.Thread | None = None
    if analyze:
        console.print("loading NLP models ...")
        analyzer = build_analyzer(engine)
        worker = threading.Thread(
            target=_process_loop,
            args=(engine, analyzer),
            kwargs={"wake": wake, "stop": stop},
            name="tidings-process",
            daemon=True,
        )
        worker.start()
        wake.set()  # analyze anything already pending
    reporter = _Reporter(wake)
    if serve:
        from api.http.server import make_server, serve_until  # lazy: uvicorn and the app
        from api.http.settings import get_api_settings

        settings = get_api_settings()
        host = host or settings.api_host
        port = settings.api_port if port is None else port
        crawler = threading.Thread(
            target=_crawl, args=(engine, stop, reporter), name="tidings-crawl", daemon=True
        )
        crawler.start()
        console.print(f"crawling and serving on http://{host}:{port}/; press Ctrl-C to stop")
        serve_until(make_server(settings, engine=engine, host=host, port=port), stop)
        crawler.join(timeout=120)
    else:
        from ingest.service import watch  # lazy: the crawler

        console.print("crawling; press Ctrl-C to stop")
        watch(engine, stop_event=stop, on_source=reporter.source, on_cycle=reporter.cycle)
    wake.set()
    if worker is not None:
        worker.join(timeout=120)
    console.print("stopped")
