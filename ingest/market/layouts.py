"""Telling market-data layouts apart from a file's header and first row."""

import re
from dataclasses import dataclass, field

from ingest.errors import ImportFormatError
from ingest.market.records import Layout

DATE_COLUMNS = ("open_time", "observation_date", "date", "datetime", "timestamp", "time", "day")
_SERIES_ID = re.compile(r"^[A-Z0-9][A-Z0-9_.]*$")
_EPOCH = re.compile(r"^\d{9,17}(\.\d+)?$")
_NUMBER = re.compile(r"^-?[\d.]+(e-?\d+)?$", re.IGNORECASE)
PRICE_FIELDS = ("open", "high", "low", "close", "volume")
# Binance /api/v3/klines rows: open time, open, high, low, close, volume, close time, ...
KLINE_POSITIONS = {"open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}


@dataclass
class Columns:
    """Where the date and the values are in a row."""

    date: int = 0
    prices: dict[str, int] = field(default_factory=dict)  # OHLCV field -> column
    values: list[tuple[str, int]] = field(default_factory=list)  # series column name -> column
    width: int = 0  # columns a row needs at least


def is_headerless_klines(first: list[str]) -> bool:
    """True for a raw Binance klines row: epoch open time and numbers only, at least 6 cells."""
    cells = [c.strip() for c in first]
    return (
        len(cells) >= 6
        and bool(_EPOCH.match(cells[0]))
        and all(_NUMBER.match(c) for c in cells[1:6])
    )


def detect_layout(header: list[str]) -> Layout:
    """The layout a header row announces; ImportFormatError when none fits (use --layout)."""
    names = [h.strip().lower() for h in header]
    if "open_time" in names or ("close_time" in names and "open" in names):
        return Layout.KLINES
    if {"open", "high", "low", "close"} <= set(names):
        return Layout.OHLCV
    if len(names) == 2:
        raw = header[1].strip()
        fred_date = names[0] in ("observation_date", "date") and header[0].strip() != "Date"
        if fred_date and _SERIES_ID.match(raw) and raw.lower() != "value":
            return Layout.FRED
        return Layout.VALUE
    if len(names) >= 3 and (names[0] in DATE_COLUMNS or names[0] == ""):
        return Layout.WIDE
    raise ImportFormatError(
        f"unknown layout (header {header!r}): pass --layout klines|ohlcv|fred|value|wide"
    )


def plan_columns(layout: Layout, header: list[str] | None) -> Columns:
    """Column positions for `layout` given the header (None: headerless Binance klines)."""
    if header is None:
        return Columns(date=0, prices=dict(KLINE_POSITIONS), width=6)
    names = [h.strip().lower() for h in header]
    date = next((i for i, n in enumerate(names) if n in DATE_COLUMNS), 0)
    if layout in (Layout.KLINES, Layout.OHLCV):
        prices = {f: names.index(f) for f in PRICE_FIELDS if f in names}
        if "volume" not in prices and "vol" in names:
            prices["volume"] = names.index("vol")
        if "close" not in prices:
            if layout is Layout.KLINES and len(names) >= 6:
                return Columns(date=0, prices=dict(KLINE_POSITIONS), width=6)
            raise ImportFormatError(f"no close column in header {header!r}")
        return Columns(date=date, prices=prices, width=max([date, *prices.values()]) + 1)
    values = [(header[i].strip(), i) for i in range(len(header)) if i != date]
    if layout in (Layout.FRED, Layout.VALUE):
        values = values[:1]
    if not values:
        raise ImportFormatError(f"no value column in header {header!r}")
    return Columns(date=date, values=values, width=max([date, *(i for _, i in values)]) + 1)
