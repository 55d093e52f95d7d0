"""Running the app under uvicorn: in this process, stoppable from another thread (serve and run),
or in several worker processes sharing one socket (`tidings serve --workers N`)."""

import os
import tempfile
import threading
from collections.abc import Generator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from uvicorn.supervisors import Multiprocess

from api.http.app import create_app
from api.http.metrics import METRICS_DIR
from api.http.settings import ApiSettings


class _Server(uvicorn.Server):
    """A uvicorn server whose signals the caller handles (it sets `stop`); `closing` is the
    app's event that ends open event streams, which would otherwise hold the shutdown."""

    def __init__(self, config: uvicorn.Config, closing: threading.Event) -> None:
        super().__init__(config)
        self.closing = closing

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def make_server(
    settings: ApiSettings, *, engine: Engine | None = None, host: str, port: int
) -> uvicorn.Server:
    """A uvicorn server for the app on host:port (engine: shared with the caller, if given)."""
    app = create_app(settings, engine=engine)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="on", access_log=False,
        timeout_graceful_shutdown=30,
    )  # fmt: skip
    return _Server(config, app.state.closing)


def serve_until(server: uvicorn.Server, stop: threading.Event) -> None:
    """Run `server` in this thread until `stop` is set (then it finishes open requests)."""

    def watcher() -> None:
        stop.wait()
        if isinstance(server, _Server):
            server.closing.set()
        server.should_exit = True

    threading.Thread(target=watcher, name="tidings-serve-stop", daemon=True).start()
    server.run()
    stop.set()


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn's factory): it opens the store and loads its models
    in its own lifespan, from the environment's settings (TIDINGS_DATABASE_URL, ...)."""
    return create_app()


def serve_workers(*, host: str, port: int, workers: int, database_url: str) -> None:
    """Serve with `workers` processes on one socket until SIGINT/SIGTERM (uvicorn's supervisor
    handles the signals and restarts a worker that dies). Latency metrics are pooled across the
    workers through prometheus_client's multiprocess directory (a temporary folder). On a stop,
    open event streams are cut after 10 s (in one process they end at once)."""
    with tempfile.TemporaryDirectory(prefix="tidings-metrics-") as folder:
        saved = {name: os.environ.get(name) for name in (METRICS_DIR, "TIDINGS_DATABASE_URL")}
        os.environ[METRICS_DIR] = folder
        os.environ["TIDINGS_DATABASE_URL"] = database_url
        try:
            config = uvicorn.Config(
                "api.http.server:worker_app", factory=True, host=host, port=port,
                workers=workers, log_level="warning", lifespan="on", access_log=False,
                timeout_graceful_shutdown=10,
            )  # fmt: skip
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
