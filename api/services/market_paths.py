"""Daily market paths read once per series, for checks and forecast resolution.

A claim check or a forecast needs a few days of one series; a store holds many claims about few
series, so each series' points are read once and searched in memory.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from api.analytics.forecasts import Bar
from api.services.market import load_points, series_for_entity
from models.market import MarketPoint, MarketSeries


@dataclass
class DailyPath:
    """One series as sorted days with low, high, close and value."""

    series: MarketSeries
    days: list[date] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    @classmethod
    def from_points(cls, series: MarketSeries, points: list[MarketPoint]) -> DailyPath:
        """Points ordered by time, one per day (the last wins when a day repeats)."""
        path = cls(series)
        for point in points:
            day = point.day or point.ts.date()
            value = float(point.value)
            low = float(point.low) if point.low is not None else value
            high = float(point.high) if point.high is not None else value
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

    def bars(self) -> list[Bar]:
        """The path as forecast-resolution bars."""
        return [
            Bar(d, lo, hi, v)
            for d, lo, hi, v in zip(self.days, self.low, self.high, self.value, strict=True)
        ]


class PathCache:
    """Series per entity and kind, and their daily paths, read on first use."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._series: dict[tuple[str, str], list[MarketSeries]] = {}
        self._paths: dict[int, DailyPath] = {}

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
            points = load_points(self.session, series.id)
            self._paths[series.id] = DailyPath.from_points(series, points)
        return self._paths[series.id]

    def paths(self, entity_id: str, kind: str) -> list[DailyPath]:
        """Every daily path of `kind` for the entity, the longest first."""
        found = [self.path(s) for s in self.series(entity_id, kind)]
        found.sort(key=lambda p: -len(p.days))
        return found
