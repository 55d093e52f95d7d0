"""Sentiment series against a market series from the store: both on one time grid, the market
made stationary by its kind (returns for prices, levels for flows, changes for rates and
indexes), then the statistics of `api.analytics`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlmodel import Session, col

from api.analytics import CorrelateOptions, CorrelationReport, correlate, market_signal
from api.analytics.transforms import FloatArray
from api.services.market import get_series
from api.services.series import BUCKETS, SentimentSeries, SeriesQuery, sentiment_series
from models.market import MarketPoint, MarketSeries

SIGNALS: tuple[str, ...] = ("mean", "weighted", "zscore", "bullish_share", "bearish_share")
SIGNALS += ("articles", "share_of_voice", "dispersion")


class CorrelationRequestError(ValueError):
    """A correlation request the store cannot answer (unknown market, bucket mismatch...)."""


@dataclass(frozen=True)
class CorrelateRequest:
    """A sentiment series, a market series and what to compute."""

    series: SeriesQuery
    market: str  # market symbol, e.g. BTC-USD or US-SPOT-BTC-ETF-FLOW
    market_source: str | None = None
    signal: str = "mean"  # the sentiment column to correlate (SIGNALS)
    options: CorrelateOptions = field(default_factory=CorrelateOptions)


@dataclass
class CorrelationResult:
    """Everything `tidings correlate` prints or plots."""

    sentiment: SentimentSeries
    signal: str
    market: MarketSeries
    transform: str
    levels: FloatArray  # the market's values on the grid
    market_signal: FloatArray  # what was correlated: returns, flows or changes
    report: CorrelationReport
    horizon: int = 1  # buckets per market return

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the report plus what was compared and the model versions behind it."""
        times = self.sentiment.times
        return {
            "scope": self.sentiment.scope,
            "signal": self.signal,
            "market": {
                "symbol": self.market.symbol,
                "source": self.market.source,
                "kind": self.market.kind,
                "transform": self.transform,
                "horizon": self.horizon,
            },
            "bucket": self.sentiment.bucket,
            "start": times[0].isoformat() if times else None,
            "end": times[-1].isoformat() if times else None,
            "articles": int(np.nansum(self.sentiment.articles)),
            "model_versions": self.sentiment.model_versions,
            "mixed_versions": self.sentiment.mixed_versions,
            **self.report.to_dict(),
        }


@dataclass(frozen=True)
class Observation:
    """One market value at its bar start, with the calendar day a daily value means."""

    ts: datetime
    day: date | None
    value: float


def load_observations(
    session: Session, series_id: int, *, start: datetime | None, end: datetime | None
) -> list[Observation]:
    """(ts, day, value) of a series between start and end, by ts: three columns, no ORM
    objects (a two-year daily series loads in milliseconds)."""
    stmt = select(col(MarketPoint.ts), col(MarketPoint.day), col(MarketPoint.value)).where(
        col(MarketPoint.series_id) == series_id
    )
    if start is not None:
        stmt = stmt.where(col(MarketPoint.ts) >= start)
    if end is not None:
        stmt = stmt.where(col(MarketPoint.ts) <= end)
    return [Observation(*row) for row in session.execute(stmt.order_by(col(MarketPoint.ts)))]


def _slot_key(point: Observation | MarketPoint, bucket: str) -> datetime:
    """The bucket a market point belongs to: its calendar day, or the hour it starts in."""
    if bucket == "1d":
        day = point.day or point.ts.date()
        return datetime(day.year, day.month, day.day)
    return point.ts.replace(minute=0, second=0, microsecond=0)


def market_on_grid(
    points: Sequence[Observation | MarketPoint],
    times: list[datetime],
    *,
    bucket: str,
    kind: str,
    horizon: int = 1,
) -> tuple[FloatArray, FloatArray, str]:
    """(levels, signal, transform) of market points on the sentiment grid.

    The transform runs over consecutive observations (Friday to Monday for a series that skips
    weekends), then lands on the grid slot of the later observation."""
    if not times:
        return np.array([]), np.array([]), "none"
    by_slot = {_slot_key(p, bucket): p.value for p in points}
    observed = sorted(by_slot)
    signal, transform = market_signal([by_slot[t] for t in observed], kind, horizon=horizon)
    index = {t: i for i, t in enumerate(times)}
    levels = np.full(len(times), np.nan)
    out = np.full(len(times), np.nan)
    for t, value in zip(observed, signal, strict=True):
        if t in index:
            levels[index[t]] = by_slot[t]
            out[index[t]] = value
    return levels, out, transform


def run_correlation(session: Session, request: CorrelateRequest) -> CorrelationResult:
    """Load both series, align them and compute the report (InsufficientDataError when the
    overlap is too short; CorrelationRequestError for an unknown market or a bucket mismatch)."""
    if request.signal not in SIGNALS:
        raise CorrelationRequestError(f"unknown signal {request.signal!r}: {', '.join(SIGNALS)}")
    market = get_series(session, request.market, request.market_source)
    if market is None or market.id is None:
        raise CorrelationRequestError(
            f"no market series {request.market!r} in the store (see `tidings market list`)"
        )
    if market.interval == "1d" and request.series.bucket == "1h":
        raise CorrelationRequestError(
            f"{market.symbol} is a daily series: use --bucket 1d to compare it"
        )
    series = request.series
    if request.signal != "share_of_voice":  # the all-articles count is needed for nothing else
        series = replace(series, share_of_voice=False)
    sentiment = sentiment_series(session, series)
    start = sentiment.times[0] if sentiment.times else None
    margin = BUCKETS[request.series.bucket] * (request.options.horizon + 7)
    points = load_observations(
        session,
        market.id,
        start=start - margin if start else None,
        end=sentiment.times[-1] + BUCKETS[request.series.bucket] if start else None,
    )
    levels, signal, transform = market_on_grid(
        points,
        sentiment.times,
        bucket=request.series.bucket,
        kind=market.kind,
        horizon=request.options.horizon,
    )
    x = sentiment.zscore if request.signal == "zscore" else getattr(sentiment, request.signal)
    report = correlate(x, signal, request.options)
    return CorrelationResult(
        sentiment=sentiment,
        signal=request.signal,
        market=market,
        transform=transform,
        levels=levels,
        market_signal=signal,
        report=report,
        horizon=request.options.horizon,
    )
