"""The FastAPI application: `create_app(settings)`; the engine is made in the lifespan."""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine

from api.http import dashboard
from api.http.errors import install_error_handlers
from api.http.keys import RateLimiter
from api.http.limits import BodyLimitMiddleware
from api.http.metrics import LatencyMiddleware, StoreCollector, make_registry, scrape_registry
from api.http.routes import (
    admin,
    analytics,
    analyze,
    articles,
    claims,
    entities,
    export,
    market,
    narratives,
    sentiment,
    stream,
)
from api.http.schemas import Problem
from api.http.settings import ApiSettings, get_api_settings
from api.services.series_cache import SeriesCache

API_PREFIX = "/api/v1"
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "model": Problem,
        "description": "A problem (application/problem+json) naming the parameter at fault",
    }
}


def create_app(
    settings: ApiSettings | None = None,
    *,
    engine: Engine | None = None,
    database_url: str | None = None,
) -> FastAPI:
    """The API app. The store is opened (and migrated) when the app starts, not here:
    `engine` when given (the caller keeps it), else `database_url` or TIDINGS_DATABASE_URL."""
    settings = settings or get_api_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from models.db import init_engine

        own = engine is None
        app.state.engine = engine if engine is not None else init_engine(database_url)
        collector = StoreCollector(app.state.engine)
        registry.register(collector)
        app.state.store_collector = collector
        try:
            yield
        finally:
            app.state.closing.set()
            registry.unregister(collector)
            app.state.store_collector = None
            app.state.analyzer = None
            if own:
                app.state.engine.dispose()

    app = FastAPI(
        title="tidings",
        summary="News, entities, numeric claims and sentiment for crypto and macro markets",
        version="1",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.analyzer = None
    app.state.series_cache = SeriesCache()
    app.state.rate_limiter = RateLimiter(settings.api_rate_limit_per_minute)
    registry, latency = make_registry()
    app.state.registry = registry
    app.state.store_collector = None
    install_error_handlers(app)
    app.state.closing = threading.Event()  # set when the server stops: ends open streams
    # analytics before claims: /claims/checks must not reach /claims/{claim_id}
    routers = (articles, analytics, claims, entities, narratives, sentiment, market, export,
               stream, admin, analyze)  # fmt: skip
    for module in routers:
        app.include_router(module.router, prefix=API_PREFIX, responses=PROBLEM_RESPONSES)
    app.include_router(dashboard.router)
    app.add_api_route(f"{API_PREFIX}/metrics", _metrics, methods=["GET"], tags=["admin"],
                      response_class=Response)  # fmt: skip
    app.add_middleware(LatencyMiddleware, latency=latency)
    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api_cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes,
        uploads=(f"{API_PREFIX}/market/series/", settings.api_max_upload_bytes),
    )  # fmt: skip
    return app


def _metrics(request: Request) -> Response:
    """Prometheus metrics: request latency, articles by status, crawl failures per source."""
    state = request.app.state
    registry = scrape_registry(state.registry, state.store_collector)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
