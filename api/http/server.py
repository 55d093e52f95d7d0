"""Running the app under uvicorn, stoppable from another thread (used by serve and run)."""

import threading
from collections.abc import Generator
from contextlib import contextmanager

import uvicorn
from sqlalchemy import Engine

from api.http.app import create_app
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
