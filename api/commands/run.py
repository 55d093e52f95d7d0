"""`tidings run`: the main job — crawl the sources, analyze what arrives and serve the API."""

import logging
import threading
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from api.context import get_engine
from api.groups import app
from api.http.server import make_server, serve_until
from api.http.settings import get_api_settings
from api.processing import ProcessStats, build_analyzer, process_articles
from ingest.poll import SourceStats
from ingest.service import install_stop_signals, watch
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
        stats: ProcessStats = process_articles(engine, analyzer=analyzer)
        if stats.done or stats.failed:
            console.print(f"analyzed {stats.done} article(s), {stats.failed} failed")


def _report_cycle(stats: list[SourceStats], wake: threading.Event) -> None:
    """One line per crawl cycle, then wake the analysis thread."""
    new = sum(s.new for s in stats)
    failing = sum(1 for s in stats if s.status == "failed")
    console.print(f"crawl cycle: {len(stats)} source(s), {new} new article(s), {failing} failing")
    wake.set()


def _crawl(engine: Engine, stop: threading.Event, wake: threading.Event) -> None:
    """The crawl loop in a thread beside the server: a crash is reported, serving goes on."""
    try:
        watch(engine, stop_event=stop, on_cycle=lambda stats: _report_cycle(stats, wake))
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
    engine = get_engine()
    stop = threading.Event()
    wake = threading.Event()
    install_stop_signals(stop)
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
    if serve:
        settings = get_api_settings()
        host = host or settings.api_host
        port = settings.api_port if port is None else port
        crawler = threading.Thread(
            target=_crawl, args=(engine, stop, wake), name="tidings-crawl", daemon=True
        )
        crawler.start()
        console.print(f"crawling and serving on http://{host}:{port}/; press Ctrl-C to stop")
        serve_until(make_server(settings, engine=engine, host=host, port=port), stop)
        crawler.join(timeout=120)
    else:
        console.print("crawling; press Ctrl-C to stop")
        watch(engine, stop_event=stop, on_cycle=lambda stats: _report_cycle(stats, wake))
    wake.set()
    if worker is not None:
        worker.join(timeout=120)
    console.print("stopped")
