"""`tidings serve` (API and dashboard) and `tidings keys` (API keys)."""

import os
import threading
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.errors import fail
from api.cli.groups import app
from api.context import get_engine
from api.http.keys import create_key, list_keys, revoke_key
from api.http.server import make_server, serve_until, serve_workers
from api.http.settings import get_api_settings
from ingest.service import install_stop_signals
from models.keys import KeyScope

console = Console(stderr=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

Host = Annotated[str | None, typer.Option(help="Address to listen on [TIDINGS_API_HOST].")]
Port = Annotated[
    int | None, typer.Option(min=0, max=65535, help="Port to listen on [TIDINGS_API_PORT].")
]

# A worker holds about 0.7 GB (bench/api.py), so "one per CPU" stops here.
AUTO_WORKERS_MAX = 4


def auto_workers(cpus: int | None) -> int:
    """Worker processes for `--workers 0`: one per CPU, at least 1, at most AUTO_WORKERS_MAX."""
    return max(1, min(cpus or 1, AUTO_WORKERS_MAX))


Workers = Annotated[
    int | None,
    typer.Option(
        min=0,
        help="Server processes sharing the port; 0: one per CPU, at most 4 [TIDINGS_API_WORKERS].",
    ),
]


@app.command("serve")
def serve_command(host: Host = None, port: Port = None, workers: Workers = None) -> None:
    """Serve the HTTP API (/api/v1, docs at /docs) until SIGINT/SIGTERM."""
    settings = get_api_settings()
    host = host or settings.api_host
    port = settings.api_port if port is None else port
    workers = settings.api_workers if workers is None else workers
    workers = workers or auto_workers(os.cpu_count())
    engine = get_engine()  # migrates the store once, before any worker opens it
    if workers > 1:
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        console.print(
            f"serving on http://{host}:{port}/ with {workers} worker processes "
            "(API docs at /docs); press Ctrl-C to stop"
        )
        serve_workers(host=host, port=port, workers=workers, database_url=url)
        console.print("stopped")
        return
    stop = threading.Event()
    install_stop_signals(stop)
    console.print(f"serving on http://{host}:{port}/ (API docs at /docs); press Ctrl-C to stop")
    serve_until(make_server(settings, engine=engine, host=host, port=port), stop)
    console.print("stopped")


@keys_app.command("create")
def keys_create(
    scope: Annotated[KeyScope, typer.Option(help="read, write (also reads) or admin.")] = (
        KeyScope.READ
    ),
    name: Annotated[str, typer.Option(help="A label to recognise the key by.")] = "",
) -> None:
    """Create an API key; it is printed once (only its hash is stored)."""
    row, key = create_key(get_engine(), scope, name)
    console.print(f"key {row.id} ({scope.value}) created; it is shown only now:")
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """Every key: id, prefix, scope, name, created, revoked."""
    table = Table("id", "prefix", "scope", "name", "created", "revoked")
    for row in list_keys(get_engine()):
        created = row.created_at.isoformat(timespec="seconds")
        revoked = "yes" if row.revoked else ""
        table.add_row(str(row.id), row.prefix + "...", row.scope.value, row.name, created, revoked)
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="Id shown by `keys list`.")]) -> None:
    """Revoke a key (requests with it get 401 from then on)."""
    if not revoke_key(get_engine(), key_id):
        raise fail(f"no key with id {key_id}")
    console.print(f"revoked key {key_id}")
