"""Entry point of the `tidings` console script.

Ctrl-C, during start-up or a command, ends it with "interrupted" and status 130, no traceback; a
database that cannot be used is one error line.
"""

import sys

try:
    import importlib
    import logging

    from api.groups import app
    from models.errors import DatabaseUnavailableError

    _COMMAND_MODULES = ("ingest", "nlp", "claims", "evaluate", "sentiment", "run")

    for _name in _COMMAND_MODULES:
        try:
            importlib.import_module(f"api.commands.{_name}")
        except ModuleNotFoundError as exc:  # a command module not written yet
            if exc.name != f"api.commands.{_name}":
                raise
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


if __name__ == "__main__":
    main()
