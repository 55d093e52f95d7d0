"""Reading numbers and timestamps out of market-data cells."""

import math
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Cells that mean "no value" (FRED writes ".", Yahoo "null", pandas "NaN"): missing, never zero.
MISSING = frozenset({"", ".", "-", "—", "null", "none", "nan", "n/a", "na", "#n/a"})
_PARENS = re.compile(r"^\((.*)\)$")
_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y")


class CellError(ValueError):
    """A cell that cannot be read as what its column holds."""


def parse_number(cell: str) -> float | None:
    """A float from a cell ("1,045.00", "(12.5)" = -12.5, "-3"), None when the cell is missing."""
    text = cell.strip().replace("\u2212", "-")
    if text.lower() in MISSING:
        return None
    match = _PARENS.match(text)
    negative = match is not None
    if match:
        text = match.group(1)
    text = text.replace(",", "").replace("$", "").replace("_", "").strip()
    try:
        value = float(text)
    except ValueError:
        raise CellError(f"not a number: {cell.strip()!r}") from None
    if not math.isfinite(value):
        return None
    return -value if negative else value


def _epoch(value: float) -> datetime:
    """Epoch seconds, milliseconds or microseconds (told apart by size) as aware UTC."""
    if value > 1e14:  # microseconds (Binance data dumps since 2025)
        value /= 1e6
    elif value > 1e11:  # milliseconds (Binance API)
        value /= 1e3
    return datetime.fromtimestamp(value, UTC)


def parse_moment(cell: str, *, tz: ZoneInfo | None = None) -> tuple[datetime, date, bool]:
    """(aware moment, the calendar date as written, whether a time of day was given).

    ISO dates and date-times (any UTC offset), epoch seconds/ms/µs, and "11 Jan 2024"-style
    dates. A naive date-time is read in `tz` (default UTC)."""
    text = cell.strip()
    if not text:
        raise CellError("empty date")
    if re.fullmatch(r"\d{9,17}(\.\d+)?", text):
        moment = _epoch(float(text))
        return moment, moment.date(), True
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        has_time = len(text) > 10
    except ValueError:
        parsed = _parse_date_words(text)
        has_time = False
    written = parsed.date()
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz or UTC)
    return parsed, written, has_time


def _parse_date_words(text: str) -> datetime:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise CellError(f"not a date: {text!r}")


def naive_utc(moment: datetime) -> datetime:
    """The naive UTC form the tables store."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def utc_midnight(day: date) -> datetime:
    """00:00 UTC of `day`, naive."""
    return datetime.combine(day, time())
