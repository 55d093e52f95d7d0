"""The `tidings` command line: typer commands by area, registered on the groups of `groups`.

Each module named in _COMMAND_MODULES adds its commands when imported; commands call
api.services (the processing job, claims search, KB admin) and nlp, and print errors through
`api.cli.errors.fail`.
"""

import importlib
import logging

from api.cli.groups import app

_COMMAND_MODULES = ("ingest", "analyze", "claims", "evaluate", "sentiment", "run", "market")

for _name in _COMMAND_MODULES:
    try:
        importlib.import_module(f"api.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command module not written yet
        if exc.name != f"api.cli.{_name}":
            raise


def main() -> None:
    """Run the CLI."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
