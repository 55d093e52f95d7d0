"""What the market-data readers produce: series descriptions, points, row problems, overrides."""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Layout(StrEnum):
    """File layouts the importer recognises (`--layout` names)."""

    KLINES = "klines"  # Binance klines: open_time ... close_time (headed), or the raw API rows
    OHLCV = "ohlcv"  # Yahoo-style: date, open, high, low, close[, adj close][, volume]
    FRED = "fred"  # FRED download: observation_date (or DATE), <SERIES_ID>; "." is missing
    VALUE = "value"  # generic two columns: date, value
    WIDE = "wide"  # date + one numeric column per series (per-fund ETF flow tables)


@dataclass(frozen=True)
class Overrides:
    """Command-line flags that replace what the importer infers; None keeps the inference."""

    symbol: str | None = None
    kind: str | None = None
    entity: str | None = None
    unit: str | None = None
    source: str | None = None
    interval: str | None = None
    layout: Layout | None = None
    day_close: str | None = None
    scale: float | None = None  # multiply every value (e.g. 1e6 for "USD millions")
    tz: str | None = None  # zone of naive timestamps with a time of day (default UTC)
    keep_last: bool = False  # keep an exchange export's last (in-progress) candle
    calendar: str | None = None  # "nyse" or "none": drop non-trading days of US dailies


@dataclass
class SeriesSpec:
    """How a series is described in the store (see models.market.MarketSeries)."""

    symbol: str
    kind: str
    unit: str
    interval: str = "1d"
    source: str = "file"
    entity_id: str | None = None
    day_close: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Point:
    """One parsed observation: `ts` naive UTC start of the bar, `day` for daily points."""

    ts: datetime
    value: float
    day: date | None = None
    open: float | None = None
    high: float | None = None
    low: float | None = None
    close: float | None = None
    volume: float | None = None
    line: int = 0  # the file line it came from (1 = header)


@dataclass(frozen=True)
class RowIssue:
    """A row that was not loaded (error) or was set aside on purpose (note), with where and why."""

    file: str
    line: int
    reason: str
    error: bool = True

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class ParsedSeries:
    """A series and the points read for it from one file."""

    spec: SeriesSpec
    points: list[Point] = field(default_factory=list)


@dataclass
class ParsedFile:
    """Everything read from one file: its layout, series, bad rows and rows set aside."""

    path: str
    layout: Layout
    series: list[ParsedSeries] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    rows: int = 0  # data rows read (header and blank lines excluded)

    @property
    def errors(self) -> list[RowIssue]:
        """Rows that could not be read."""
        return [i for i in self.issues if i.error]

    @property
    def notes(self) -> list[RowIssue]:
        """Rows left out on purpose (missing values, placeholders, non-trading days, ...)."""
        return [i for i in self.issues if not i.error]
