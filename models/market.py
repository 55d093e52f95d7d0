"""Market data: a series (price, flow, rate, index or value) and its points in time.

Timestamps are naive UTC (`DateTime` without time zone, the same on SQLite and PostgreSQL) and
mark the start of the bar. A daily point also carries `day`, the calendar day it means, and its
series says which close ends that day (`day_close`: "utc-00:00" for exchanges that roll at
midnight UTC, "us-close" for US market/FRED dailies). Values are in base units: USD (not USD
millions), PERCENT for rates and yields.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._time import utcnow


class SeriesKind(StrEnum):
    OHLCV = "ohlcv"
    FLOW = "flow"
    RATE = "rate"
    INDEX = "index"
    VALUE = "value"


class DayClose(StrEnum):
    UTC_MIDNIGHT = "utc-00:00"  # exchange day 00:00-24:00 UTC (Binance, Yahoo crypto)
    US_CLOSE = "us-close"  # US market close of that calendar day (NYSE, FRED dailies, Farside)


class MarketSeries(SQLModel, table=True):
    """One time series of a source (symbol unique per source) and the KB entity it describes."""

    __tablename__ = "marketseries"
    __table_args__ = (UniqueConstraint("symbol", "source", name="uq_marketseries_symbol_source"),)

    id: int | None = Field(default=None, primary_key=True)
    symbol: str = Field(index=True)
    kind: str = Field(index=True)  # a SeriesKind value
    unit: str  # the claims' unit names: USD, PERCENT, COUNT, ...
    interval: str = "1d"
    source: str = "file"  # binance | yahoo | fred | farside | file
    entity_id: str | None = Field(default=None, index=True)
    day_close: str | None = None  # a DayClose value, for daily series
    description: str | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class MarketPoint(SQLModel, table=True):
    """One observation: a bar (OHLCV) or a single value, keyed by series and bar start (UTC)."""

    __tablename__ = "marketpoint"

    series_id: int = Field(foreign_key="marketseries.id", primary_key=True)
    ts: datetime = Field(sa_column=Column(DateTime(timezone=False), primary_key=True))
    day: date | None = Field(default=None, index=True)
    open: float | None = None
    high: float | None = None
    low: float | None = None
    close: float | None = None
    volume: float | None = None
    value: float
