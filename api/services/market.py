"""Read helpers over market series and points (the tables of models/market.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
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


def load_days(session: Session, series_id: int, *, first: date, last: date) -> list[MarketPoint]:
    """Daily points whose calendar day is within [first, last], by day (e.g. a claim's period:
    summed, a flow series gives the period's net flow over its trading days)."""
    query = (
        select(MarketPoint)
        .where(MarketPoint.series_id == series_id)
        .where(col(MarketPoint.day) >= first, col(MarketPoint.day) <= last)
        .order_by(col(MarketPoint.ts))
    )
    return list(session.exec(query))


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


def series_page(
    session: Session,
    *,
    kind: str | None = None,
    entity_id: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[SeriesSummary]:
    """Series by id (keyset after `after_id`), filtered by kind and entity, each with its
    first/last point and count (computed for these series only)."""
    query = select(MarketSeries)
    if kind is not None:
        query = query.where(col(MarketSeries.kind) == kind)
    if entity_id is not None:
        query = query.where(col(MarketSeries.entity_id) == entity_id)
    if after_id is not None:
        query = query.where(col(MarketSeries.id) > after_id)
    return summarize(session, list(session.exec(query.order_by(col(MarketSeries.id)).limit(limit))))


def summarize(session: Session, found: list[MarketSeries]) -> list[SeriesSummary]:
    """`found` with each series' first/last point and count."""
    ids = [s.id for s in found]
    stats = {
        sid: (first, last, n)
        for sid, first, last, n in session.exec(
            select(
                col(MarketPoint.series_id),
                func.min(MarketPoint.ts),
                func.max(MarketPoint.ts),
                func.count(),
            )
            .where(col(MarketPoint.series_id).in_(ids))
            .group_by(col(MarketPoint.series_id))
        ).all()
    }
    return [
        SeriesSummary(s, *stats.get(s.id, (None, None, 0)))  # type: ignore[arg-type]
        for s in found
    ]
