"""Forecast resolution on a daily price path, and scorecard statistics.

A forecast names a level and a direction. It is *hit* on the first day after publication whose
high (direction up) or low (direction down) reaches the level, *missed* when the path passes the
horizon without touching it, and *open* while the data end before the horizon. The publication
day itself is left out: the statement may come after that day's move. Moves are close-to-close
returns from the publication day to 7, 30 and 90 days later, signed so that a positive move went
the way the forecast called.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
from scipy.stats import binomtest

MOVE_DAYS = (7, 30, 90)


class Status(StrEnum):
    HIT = "hit"
    MISSED = "missed"
    OPEN = "open"


@dataclass(frozen=True)
class Bar:
    """One day of a price series."""

    day: date
    low: float
    high: float
    close: float


@dataclass(frozen=True)
class Resolution:
    """What became of one forecast."""

    status: Status
    direction: str
    horizon_end: date
    hit_date: date | None = None
    days_to_hit: int | None = None
    moves: dict[int, float | None] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class PricePath:
    """A daily price series as sorted days and low/high/close arrays (searched many times)."""

    days: list[date]
    low: np.ndarray
    high: np.ndarray
    close: np.ndarray

    @classmethod
    def from_bars(cls, bars: Sequence[Bar]) -> PricePath:
        """From bars sorted by day."""
        return cls(
            [b.day for b in bars],
            np.array([b.low for b in bars], dtype=float),
            np.array([b.high for b in bars], dtype=float),
            np.array([b.close for b in bars], dtype=float),
        )

    def close_on_or_before(self, day: date) -> float | None:
        """The close of `day`, or of the last day before it within a week (gaps)."""
        i = bisect_right(self.days, day) - 1
        if i < 0 or (day - self.days[i]).days > 7:
            return None
        return float(self.close[i])


def infer_direction(level: float, base_close: float | None) -> str | None:
    """A level above the price at publication calls for a rise, below it for a fall."""
    if base_close is None or level == base_close:
        return None
    return "up" if level > base_close else "down"


def already_reached(level: float, direction: str, base_close: float | None) -> bool:
    """Whether the publication-day close already lies at or beyond the level on the called side
    ("rise to $20,000" said at $29,000): such a call foretells no move and is not scored."""
    if base_close is None:
        return False
    return base_close >= level if direction == "up" else base_close <= level


def moves_after(
    path: PricePath,
    published: date,
    *,
    direction: str,
    horizons: Iterable[int] = MOVE_DAYS,
) -> dict[int, float | None]:
    """Signed close-to-close returns from publication to each horizon (None past the data)."""
    base = path.close_on_or_before(published)
    sign = 1.0 if direction == "up" else -1.0
    out: dict[int, float | None] = {}
    last = path.days[-1] if path.days else None
    for n in horizons:
        target = published + timedelta(days=n)
        later = path.close_on_or_before(target) if last and target <= last else None
        out[n] = None if base is None or later is None else sign * (later / base - 1)
    return out


def resolve(
    level: float,
    direction: str,
    *,
    published: date,
    horizon_end: date,
    path: PricePath,
    moves: dict[int, float | None] | None = None,
) -> Resolution:
    """Hit, missed or open for a forecast of `level` in `direction` ("up" or "down"); `moves`:
    the moves after publication when the caller already has them (`moves_after`)."""
    if moves is None:
        moves = moves_after(path, published, direction=direction)
    first = bisect_right(path.days, published)
    stop = bisect_right(path.days, horizon_end)
    if first < stop:
        window = (
            path.high[first:stop] >= level if direction == "up" else path.low[first:stop] <= level
        )
        k = int(window.argmax())
        if window[k]:
            day = path.days[first + k]
            return Resolution(
                Status.HIT, direction, horizon_end, day, (day - published).days, moves
            )
    if path.days and path.days[-1] >= horizon_end:
        return Resolution(Status.MISSED, direction, horizon_end, moves=moves)
    return Resolution(Status.OPEN, direction, horizon_end, moves=moves)


def wilson_interval(hits: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval of a hit rate (None without resolved forecasts)."""
    if n <= 0:
        return None
    ci = binomtest(hits, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class ScoreRow:
    """One scorecard line: forecasts of one source, author or outlet."""

    key: str
    n: int  # resolved forecasts (hit + missed)
    hit: int
    missed: int
    open: int
    hit_rate: float | None
    ci_low: float | None
    ci_high: float | None
    median_days_to_hit: float | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return dict(self.__dict__)


def scorecard(rows: Iterable[tuple[str, Resolution]]) -> list[ScoreRow]:
    """Per key: resolved count, hits, hit rate with its Wilson interval and median days to hit;
    most resolved forecasts first."""
    grouped: dict[str, list[Resolution]] = {}
    for key, resolution in rows:
        grouped.setdefault(key, []).append(resolution)
    out = []
    for key, items in grouped.items():
        hit = sum(r.status is Status.HIT for r in items)
        missed = sum(r.status is Status.MISSED for r in items)
        n = hit + missed
        ci = wilson_interval(hit, n)
        days = [r.days_to_hit for r in items if r.days_to_hit is not None]
        out.append(
            ScoreRow(
                key=key,
                n=n,
                hit=hit,
                missed=missed,
                open=len(items) - n,
                hit_rate=hit / n if n else None,
                ci_low=ci[0] if ci else None,
                ci_high=ci[1] if ci else None,
                median_days_to_hit=statistics.median(days) if days else None,
            )
        )
    out.sort(key=lambda row: (-row.n, -row.hit, row.key))
    return out
