"""Prometheus metrics: request latency (middleware) and store gauges read at scrape time."""

import os
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, case, func
from sqlmodel import Session, col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.articles import Article
from models.sources import FetchRecord, Source

# Set (by `tidings serve --workers N`) before the worker processes import prometheus_client:
# their histograms then live in files there, and a scrape of any worker sums them all.
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def scrape_registry(registry: CollectorRegistry, store: Collector | None) -> CollectorRegistry:
    """What GET /metrics exposes: the app's own registry in one process; with several worker
    processes, every worker's latency histogram (summed) and the store's gauges."""
    folder = os.environ.get(METRICS_DIR)
    if not folder:
        return registry
    pooled = CollectorRegistry()
    multiprocess.MultiProcessCollector(pooled, path=folder)
    if store is not None:
        pooled.register(store)
    return pooled


class StoreCollector(Collector):
    """Articles by processing status and crawl failures per source, counted in the store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Any]:
        articles = GaugeMetricFamily(
            "tidings_articles", "Stored articles by processing status", labels=["status"]
        )
        failures = GaugeMetricFamily(
            "tidings_crawl_failures",
            "Failed fetches recorded per source (error or HTTP status >= 400)",
            labels=["source"],
        )
        streak = GaugeMetricFamily(
            "tidings_source_consecutive_failures",
            "Consecutive failed polls per source",
            labels=["source"],
        )
        failed = case(
            (col(FetchRecord.error).is_not(None) | (col(FetchRecord.status) >= 400), 1), else_=0
        )
        with Session(self.engine) as session:
            for status, n in session.exec(
                select(col(Article.status), func.count()).group_by(col(Article.status))
            ).all():
                articles.add_metric([status], n)
            for name, streak_n, n in session.exec(
                select(col(Source.name), col(Source.consecutive_failures), func.sum(failed))
                .join(FetchRecord, col(FetchRecord.source_id) == col(Source.id), isouter=True)
                .group_by(col(Source.id), col(Source.name), col(Source.consecutive_failures))
            ).all():
                failures.add_metric([name], float(n or 0))
                streak.add_metric([name], float(streak_n))
        yield articles
        yield failures
        yield streak


def make_registry() -> tuple[CollectorRegistry, Histogram]:
    """A registry private to one app (tests build many apps) and its latency histogram; the
    store's collector is registered by the app's lifespan, once the engine exists."""
    registry = CollectorRegistry()
    latency = Histogram(
        "tidings_http_request_duration_seconds",
        "HTTP request latency by route template, method and status",
        ["route", "method", "status"],
        registry=registry,
    )
    return registry, latency


class LatencyMiddleware:
    """Observes every HTTP request's latency under its route template (not its raw path)."""

    def __init__(self, app: ASGIApp, latency: Histogram) -> None:
        self.app = app
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            # FastAPI keeps an included router's routes unprefixed; the effective context has
            # the full template (/api/v1/articles/{article_id}).
            effective = (scope.get("fastapi") or {}).get("effective_route_context")
            effective = effective or scope.get("route")
            template = getattr(effective, "path_format", None) or "unmatched"
            self.latency.labels(template, scope["method"], str(status["code"])).observe(
                time.perf_counter() - started
            )
