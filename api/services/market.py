"""Read helpers over market series and points (the tables of models/market.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.market import MarketPoint, MarketSeries


@dataclass(frozen=True)
class SeriesSummary:
    """A series with its first and last point and how many points it holds."""

    series: MarketSeries
    first_ts: datetime | None
    last_ts: datetime | None
    count: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`tidings market list --json`)."""
        s = self.series
        return {
            "id": s.id,
            "symbol": s.symbol,
            "source": s.source,
            "kind": s.kind,
            "unit": s.unit,
            "interval": s.interval,
            "entity_id": s.entity_id,
            "day_close": s.day_close,
            "first": self.first_ts.isoformat() if self.first_ts else None,
            "last": self.last_ts.isoformat() if self.last_ts else None,
            "count": self.count,
        }


def get_series(session: Session, symbol: str, source: str | None = None) -> MarketSeries | None:
    """The series named `symbol` (of `source` when given; else the first by id), or None."""
    query = select(MarketSeries).where(MarketSeries.symbol == symbol)
    if source is not None:
        query = query.where(MarketSeries.source == source)
    return session.exec(query.order_by(col(MarketSeries.id))).first()


def series_for_entity(
    session: Session, entity_id: str, kind: str | None = None
) -> list[MarketSeries]:
    """Every series describing the KB entity `entity_id` (of `kind` when given), by id."""
    query = select(MarketSeries).where(MarketSeries.entity_id == entity_id)
    if kind is not None:
        query = query.where(MarketSeries.kind == kind)
    return list(session.exec(query.order_by(col(MarketSeries.id))))


def load_points(
    session: Session,
    series_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[MarketPoint]:
    """Points of a series with start <= ts <= end (naive UTC; aware values are converted), by ts."""
    query = select(MarketPoint).where(MarketPoint.series_id == series_id)
    if start is not None:
        query = query.where(col(MarketPoint.ts) >= _naive_utc(start))
    if end is not None:
        query = query.where(col(MarketPoint.ts) <= _naive_utc(end))
    return list(session.exec(query.order_by(col(MarketPoint.ts))))


def list_series(session: Session) -> list[SeriesSummary]:
    """Every series with its first/last point and count, by symbol then source."""
    stats = (
        select(
            col(MarketPoint.series_id),
            func.min(MarketPoint.ts),
            func.max(MarketPoint.ts),
            func.count(),
        )
        .group_by(col(MarketPoint.series_id))
        .subquery()
    )
    rows = session.exec(
        select(MarketSeries, stats.c[1], stats.c[2], stats.c[3])
        .outerjoin(stats, stats.c.series_id == MarketSeries.id)
        .order_by(col(MarketSeries.symbol), col(MarketSeries.source))
    ).all()
    return [
        SeriesSummary(series=s, first_ts=first, last_ts=last, count=int(n or 0))
        for s, first, last, n in rows
    ]


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
