"""The one way CLI commands report an error: a red `error:` line on stderr, then exit."""

import typer
from rich.console import Console

err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `error: message` on stderr and return the Exit to raise (`raise fail(...)`)."""
    err_console.print(f"[red]error:[/red] {message}", soft_wrap=True, highlight=False)
    return typer.Exit(code)
