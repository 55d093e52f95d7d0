"""Entry point of the `tidings` console script."""

import importlib
import logging

from api.groups import app

_COMMAND_MODULES = (
    "ingest",
    "nlp",
    "claims",
    "checks",
    "forecasts",
    "evaluate",
    "sentiment",
    "run",
    "market",
)

for _name in _COMMAND_MODULES:
    try:
        importlib.import_module(f"api.commands.{_name}")
    except ModuleNotFoundError as exc:  # a command module not written yet
        if exc.name != f"api.commands.{_name}":
            raise


def main() -> None:
    """Run the CLI."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
