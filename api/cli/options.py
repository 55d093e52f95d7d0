"""Option parsing and value formatting shared by the CLI commands."""

from datetime import date

import typer


def parse_day(value: str | None, *, option: str) -> date | None:
    """A YYYY-MM-DD option value, or a clear error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option} takes a date as YYYY-MM-DD, got {value!r}") from None


def short_value(value: float | None) -> str:
    """A compact human form of a claim value (1.63e9 -> 1.63B)."""
    if value is None:
        return ""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= scale:
            return f"{value / scale:,.3g}{suffix}"
    return f"{value:,.4g}"
