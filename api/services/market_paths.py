"""Daily market paths read once per series, for checks and forecast resolution.

A claim check or a forecast needs a few days of one series; a store holds many claims about few
series, so each series' points are read once and searched in memory.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from sqlalchemy import select
from sqlmodel import Session, col

from api.analytics.forecasts import PricePath
from api.services.market import series_for_entity
from models.market import MarketPoint, MarketSeries


@dataclass
class DailyPath:
    """One series as sorted days with low, high, close and value."""

    series: MarketSeries
    days: list[date] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    _prices: PricePath | None = field(default=None, repr=False)

    @classmethod
    def from_points(cls, series: MarketSeries, points: Iterable[PointRow]) -> DailyPath:
        """Points ordered by time, one per day (the last wins when a day repeats)."""
        path = cls(series)
        for ts, point_day, point_low, point_high, point_value in points:
            day = point_day or ts.date()
            value = float(point_value)
            low = float(point_low) if point_low is not None else value
            high = float(point_high) if point_high is not None else value
            if path.days and path.days[-1] == day:
                path.low[-1], path.high[-1], path.value[-1] = low, high, value
                continue
            path.days.append(day)
            path.low.append(low)
            path.high.append(high)
            path.value.append(value)
        return path

    def covers(self, start: date, end: date) -> bool:
        """Whether the data reach from `start` to `end`."""
        return bool(self.days) and self.days[0] <= start and end <= self.days[-1]

    def span(self, start: date, end: date) -> slice:
        """The index range of days within [start, end]."""
        return slice(bisect_left(self.days, start), bisect_right(self.days, end))

    def last_before(self, day: date) -> int | None:
        """Index of the last day before `day`."""
        i = bisect_left(self.days, day) - 1
        return i if i >= 0 else None

    def prices(self) -> PricePath:
        """The path as forecast resolution searches it (built once)."""
        if self._prices is None:
            self._prices = PricePath(
                list(self.days), np.array(self.low), np.array(self.high), np.array(self.value)
            )
        return self._prices


PointRow = tuple[datetime, date | None, float | None, float | None, float]


def point_rows(session: Session, series_id: int) -> Iterable[PointRow]:
    """(ts, day, low, high, value) of a series' points by time: the columns of load_points
    without building a MarketPoint per row."""
    stmt = (
        select(
            col(MarketPoint.ts),
            col(MarketPoint.day),
            col(MarketPoint.low),
            col(MarketPoint.high),
            col(MarketPoint.value),
        )
        .where(col(MarketPoint.series_id) == series_id)
        .order_by(col(MarketPoint.ts))
    )
    return [tuple(row) for row in session.execute(stmt)]  # type: ignore[misc]


class PathCache:
    """Series per entity and kind, and their daily paths, read on first use."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._series: dict[tuple[str, str], list[MarketSeries]] = {}
        self._paths: dict[int, DailyPath] = {}
        self._found: dict[tuple[str, str], list[DailyPath]] = {}

    def series(self, entity_id: str, kind: str) -> list[MarketSeries]:
        """Daily series of `kind` describing `entity_id`, the longest first."""
        key = (entity_id, kind)
        if key not in self._series:
            found = [
                s
                for s in series_for_entity(self.session, entity_id, kind=kind)
                if s.interval == "1d"
            ]
            self._series[key] = found
        return self._series[key]

    def path(self, series: MarketSeries) -> DailyPath:
        """The daily path of `series`."""
        assert series.id is not None
        if series.id not in self._paths:
            self._paths[series.id] = DailyPath.from_points(
                series, point_rows(self.session, series.id)
            )
        return self._paths[series.id]

    def paths(self, entity_id: str, kind: str) -> list[DailyPath]:
        """Every daily path of `kind` for the entity, the longest first."""
        key = (entity_id, kind)
        if key not in self._found:
            found = [self.path(s) for s in self.series(entity_id, kind)]
            found.sort(key=lambda p: -len(p.days))
            self._found[key] = found
        return self._found[key]
