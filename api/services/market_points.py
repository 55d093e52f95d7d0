"""Points of one market series over a time range, at its own interval or resampled to a longer
one: OHLCV bars merge (first open, highest high, lowest low, last close, summed volume); a flow's
value is summed over the bucket, any other kind's value is the bucket's last."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models.market import MarketPoint, MarketSeries, SeriesKind

SECONDS = {"1m": 60, "3m": 180, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "2h": 7200,
           "4h": 14400, "6h": 21600, "8h": 28800, "12h": 43200, "1d": 86400, "1w": 604800,
           "1M": 2592000}  # fmt: skip
CALENDAR = frozenset({"1d", "1w", "1M"})
BATCH = 2000


class IntervalError(ValueError):
    """An interval this series cannot be shown at (unknown, or shorter than its bars)."""


@dataclass
class Bar:
    """One output point: a stored point or a bucket of them."""

    ts: datetime
    day: date | None
    value: float
    open: float | None = None
    high: float | None = None
    low: float | None = None
    close: float | None = None
    volume: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"ts": self.ts.replace(tzinfo=UTC).isoformat(), "day": self.day,
                "open": self.open, "high": self.high, "low": self.low, "close": self.close,
                "volume": self.volume, "value": self.value}  # fmt: skip


def check_interval(series: MarketSeries, interval: str | None) -> str:
    """The interval to show `series` at: its own when None; IntervalError when unknown or
    shorter than the series' bars."""
    if interval is None:
        return series.interval
    if interval not in SECONDS:
        raise IntervalError(f"unknown interval {interval!r}: one of {', '.join(SECONDS)}")
    own = SECONDS.get(series.interval)
    if own is not None and SECONDS[interval] < own:
        raise IntervalError(f"{series.symbol} holds {series.interval} bars: ask {series.interval} "
                            f"or longer, not {interval}")  # fmt: skip
    return interval


def bucket_start(point: MarketPoint, interval: str) -> datetime:
    """The (naive UTC) start of the bucket `point` falls in; calendar buckets by its day."""
    if interval in CALENDAR:
        day = point.day or point.ts.date()
        if interval == "1w":
            day -= timedelta(days=day.weekday())
        elif interval == "1M":
            day = day.replace(day=1)
        return datetime(day.year, day.month, day.day)
    seconds = int(point.ts.replace(tzinfo=UTC).timestamp())
    step = SECONDS[interval]
    return datetime.fromtimestamp(seconds - seconds % step, UTC).replace(tzinfo=None)


def _merge(bar: Bar, p: MarketPoint, *, flow: bool) -> None:
    if p.high is not None:
        bar.high = p.high if bar.high is None else max(bar.high, p.high)
    if p.low is not None:
        bar.low = p.low if bar.low is None else min(bar.low, p.low)
    if bar.open is None:
        bar.open = p.open
    bar.close = p.close if p.close is not None else bar.close
    if p.volume is not None:
        bar.volume = (bar.volume or 0.0) + p.volume
    bar.value = bar.value + p.value if flow else p.value


def resample(points: Iterable[MarketPoint], interval: str, *, kind: str) -> Iterator[Bar]:
    """Bars of `interval` from points ordered by time (each bar once it is complete)."""
    flow = kind == SeriesKind.FLOW.value
    bar: Bar | None = None
    for p in points:
        start = bucket_start(p, interval)
        if bar is None or start != bar.ts:
            if bar is not None:
                yield bar
            day = start.date() if interval in CALENDAR else None
            bar = Bar(ts=start, day=day, value=0.0 if flow else p.value)
        _merge(bar, p, flow=flow)
    if bar is not None:
        yield bar


def _stored(
    session: Session, series_id: int, *, start: datetime | None, end: datetime | None
) -> Iterator[MarketPoint]:
    query = select(MarketPoint).where(col(MarketPoint.series_id) == series_id)
    if start is not None:
        query = query.where(col(MarketPoint.ts) >= start)
    if end is not None:
        query = query.where(col(MarketPoint.ts) < end)
    yield from session.exec(query.order_by(col(MarketPoint.ts)).execution_options(yield_per=BATCH))


def series_bars(
    session: Session,
    series: MarketSeries,
    *,
    interval: str,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 1000,
) -> list[Bar]:
    """At most `limit` bars of `series` at `interval` with start <= bucket < end (naive UTC),
    oldest first; reading stops as soon as the page is full."""
    assert series.id is not None
    points = _stored(session, series.id, start=start, end=end)
    if interval == series.interval:
        bars: Iterable[Bar] = (
            Bar(ts=p.ts, day=p.day, value=p.value, open=p.open, high=p.high, low=p.low,
                close=p.close, volume=p.volume) for p in points
        )  # fmt: skip
    else:
        bars = resample(points, interval, kind=series.kind)
    out: list[Bar] = []
    for bar in bars:
        out.append(bar)
        if len(out) >= limit:
            break
    return out


def align(moment: datetime, interval: str) -> datetime:
    """The start of the bucket of `interval` that holds `moment` (naive UTC)."""
    if interval in CALENDAR:
        day = moment.date()
        if interval == "1w":
            day -= timedelta(days=day.weekday())
        elif interval == "1M":
            day = day.replace(day=1)
        return datetime(day.year, day.month, day.day)
    seconds = int(moment.replace(tzinfo=UTC).timestamp())
    return datetime.fromtimestamp(seconds - seconds % SECONDS[interval], UTC).replace(tzinfo=None)


def after(bar: Bar, interval: str, *, resampled: bool) -> datetime:
    """Where the page after `bar` starts: the next bucket, or just past a stored point."""
    if not resampled:
        return bar.ts + timedelta(microseconds=1)
    if interval == "1M":
        year, month = divmod(bar.ts.month, 12)
        return bar.ts.replace(year=bar.ts.year + year, month=month + 1, day=1)
    if interval in CALENDAR:
        return bar.ts + timedelta(days=7 if interval == "1w" else 1)
    return bar.ts + timedelta(seconds=SECONDS[interval])
