"""A real HTTP server on 127.0.0.1 for crawler tests: fixture files plus scripted behaviours."""

import contextlib
import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
SHARED_FEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "crypto-rss-feeds"

Reply = tuple[int, dict[str, str], bytes]
Route = Callable[["Handler"], Reply]

_TYPES = {
    ".xml": "application/rss+xml",
    ".rdf": "application/rdf+xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain",
}


class Handler(BaseHTTPRequestHandler):
    """Serves routes registered on the server, else files under FIXTURES."""

    server: "FixtureServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """Answer one GET."""
        path = self.path.split("?", 1)[0]
        self.server.hits[path] += 1
        route = self.server.routes.get(path)
        status, headers, body = route(self) if route else self.server.static(path)
        if status == -1:  # a route that streams its own reply
            return
        self.send_response(status)
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


class FixtureServer(ThreadingHTTPServer):
    """A threaded server on an ephemeral port with per-path hit counts."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def start(self) -> "FixtureServer":
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()

    def fixture(self, relative: str) -> bytes:
        """A fixture file's bytes with {base} replaced by this server's address."""
        return (FIXTURES / relative).read_bytes().replace(b"{base}", self.base.encode())

    def static(self, path: str) -> Reply:
        """A fixture file (or a shared feed snapshot under /shared/), or 404."""
        if path.startswith("/shared/"):
            file = SHARED_FEEDS / path.removeprefix("/shared/")
        else:
            file = FIXTURES / path.lstrip("/")
        if ".." in path or not file.is_file():
            return 404, {"Content-Type": "text/html"}, b"<html><body>not found</body></html>"
        body = file.read_bytes()
        if not path.startswith("/shared/"):
            body = body.replace(b"{base}", self.base.encode())
        return 200, {"Content-Type": _TYPES.get(file.suffix, "application/octet-stream")}, body


def install_behaviours(server: FixtureServer) -> None:
    """Register the scripted routes: status codes, slowness, redirects, sizes, compression."""
    rss = server.fixture("feeds/rss20.xml")
    rss_type = {"Content-Type": "application/rss+xml"}

    def etag(handler: Handler) -> Reply:
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {**rss_type, "ETag": '"v1"'}, rss

    def rate_limited(handler: Handler) -> Reply:
        if server.hits["/ratelimited.xml"] == 1:
            return 429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"slow down"
        return 200, rss_type, server.fixture("feeds/atom.xml")

    def slow(handler: Handler) -> Reply:
        time.sleep(2.0)
        return 200, rss_type, rss

    def redirect_to(target: str) -> Route:
        return lambda handler: (302, {"Location": target}, b"")

    def oversized(handler: Handler) -> Reply:
        # No Content-Length: the cap must hold while streaming.
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Connection", "close")
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(40):
                handler.wfile.write(b"<!-- " + b"x" * 65536 + b" -->")
        handler.close_connection = True
        return -1, {}, b""

    def gzipped(handler: Handler) -> Reply:
        return 200, {**rss_type, "Content-Encoding": "gzip"}, gzip.compress(rss)

    def bomb(handler: Handler) -> Reply:
        return 200, {**rss_type, "Content-Encoding": "gzip"}, BOMB

    server.routes.update({
        "/etag.xml": etag,
        "/ratelimited.xml": rate_limited,
        "/error500.xml": lambda h: (500, {"Content-Type": "text/plain"}, b"boom"),
        "/slow.xml": slow,
        "/r/1": redirect_to("/r/2"),
        "/r/2": redirect_to("/r/3"),
        "/r/3": redirect_to("/feeds/rss20.xml"),
        "/loop/a": redirect_to("/loop/b"),
        "/loop/b": redirect_to("/loop/a"),
        "/oversized.xml": oversized,
        "/gzip.xml": gzipped,
        "/bomb.xml": bomb,
    })  # fmt: skip


# 20 MB of zeros compress to about 20 KB: harmless only if the crawler caps decompression.
BOMB = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
