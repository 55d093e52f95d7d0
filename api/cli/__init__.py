"""The `tidings` command line: typer commands by area, registered on the groups of `groups`.

Each module named in _COMMAND_MODULES adds its commands when imported; commands call
api.services (the processing job, claims search, KB admin) and nlp, and print errors through
`api.cli.errors.fail`. Ctrl-C, during start-up or a command, ends it with "interrupted" and
status 130, no traceback; a database that cannot be used is one error line.
"""

import sys

try:
    import importlib
    import logging

    from api.cli.groups import app
    from models.errors import DatabaseUnavailableError

    _COMMAND_MODULES = (
        "ingest",
        "analyze",
        "claims",
        "evaluate",
        "sentiment",
        "run",
        "market",
        "serve",
        "narratives",
        "correlate",
        "checks",
        "forecasts",
        "claims_eval",
        "demo",
        "queue",
    )

    for _name in _COMMAND_MODULES:
        importlib.import_module(f"api.cli.{_name}")
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    raise SystemExit(130) from None


def main() -> None:
    """Run the CLI."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except DatabaseUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
