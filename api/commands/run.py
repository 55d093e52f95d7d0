"""`tidings run`: the main job — crawl the sources continuously and analyze what arrives."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from api.context import get_engine
from api.groups import app
from api.processing import build_analyzer, process_articles

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


def _report_cycle(stats: list[SourceStats], wake: threading.Event) -> None:
    """One line per crawl cycle, then wake the analysis thread."""
    new = sum(s.new for s in stats)
    failing = sum(1 for s in stats if s.status == "failed")
    console.print(f"crawl cycle: {len(stats)} source(s), {new} new article(s), {failing} failing")
    wake.set()


@app.command("run")
def run_command(
    analyze: Annotated[
        bool, typer.Option("--analyze/--no-analyze", help="Analyze new articles as they arrive.")
    ] = True,
) -> None:
    """Crawl every enabled source until SIGINT/SIGTERM, analyzing new articles after each cycle."""
    from ingest.service import install_stop_signals, watch  # lazy: the crawler

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
    console.print("crawling; press Ctrl-C to stop")
    watch(engine, stop_event=stop, on_cycle=lambda stats: _report_cycle(stats, wake))
    wake.set()
    if worker is not None:
        worker.join(timeout=120)
    console.print("stopped")
