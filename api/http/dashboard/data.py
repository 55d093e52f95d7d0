"""The numbers behind the dashboard's charts and tables, read through api/services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal_column, select
from sqlmodel import Session, col

from api.services.correlation import load_observations, market_on_grid
from api.services.market import get_series, list_series, series_for_entity
from api.services.series import SentimentSeries, SeriesQuery, bucket_key, sentiment_series
from models.analysis import Mention
from models.articles import Article
from models.checks import ClaimCheck, ForecastResolution
from models.claims import Claim
from models.market import MarketSeries
from models.narratives import Narrative, NarrativeAssignment

VOICE_WINDOW_DAYS = 7  # share of voice: the week up to the last day with data, the week before
_BY_BUCKET: Any = literal_column("bucket")


def series_chart(series: SentimentSeries) -> dict[str, Any]:
    """A sentiment series as chart data on its complete grid (NaN: a gap, not a line)."""
    return {
        "x": [_stamp(t, series.bucket) for t in series.times],
        "mean": series.mean.tolist(),
        "articles": series.articles.tolist(),
        "share_of_voice": series.share_of_voice.tolist(),
        "zscore": series.zscore.tolist(),
    }


def _stamp(moment: datetime, bucket: str) -> str:
    return moment.date().isoformat() if bucket == "1d" else moment.isoformat()


def market_choices(session: Session) -> list[dict[str, Any]]:
    """Stored market series with points, for the pickers."""
    return [s.to_dict() for s in list_series(session) if s.count]


def default_market(choices: list[dict[str, Any]]) -> str | None:
    """BTC-USD when stored, else the first price series, else the first series."""
    symbols = [c["symbol"] for c in choices]
    if "BTC-USD" in symbols:
        return "BTC-USD"
    prices = [c["symbol"] for c in choices if c["kind"] == "ohlcv"]
    return (prices or symbols or [None])[0]


def market_line(
    session: Session, symbol: str | None, times: list[datetime]
) -> dict[str, Any] | None:
    """A market series' values on a sentiment grid (daily), or None when it is not stored."""
    market = get_series(session, symbol) if symbol else None
    if market is None or market.id is None or not times:
        return None
    points = load_observations(
        session, market.id, start=times[0] - timedelta(days=7), end=times[-1] + timedelta(days=1)
    )
    levels, _, _ = market_on_grid(points, times, bucket="1d", kind=market.kind)
    return {"symbol": market.symbol, "kind": market.kind, "unit": market.unit,
            "source": market.source, "y": levels.tolist()}  # fmt: skip


def entity_markets(session: Session, entity_id: str) -> list[MarketSeries]:
    """Market series that describe an entity (prices first)."""
    rows = series_for_entity(session, entity_id)
    return sorted(rows, key=lambda s: (s.kind != "ohlcv", s.symbol))


def overall_series(session: Session) -> SentimentSeries:
    """The sentiment index: every processed article, by day."""
    return sentiment_series(session, SeriesQuery(bucket="1d"))


def top_entities(session: Session, limit: int = 15) -> list[dict[str, Any]]:
    """The entities mentioned in the most articles."""
    articles = func.count(func.distinct(col(Mention.article_id)))
    rows = session.execute(
        select(col(Mention.entity_id), articles)
        .where(col(Mention.entity_id).is_not(None))
        .group_by(col(Mention.entity_id))
        .order_by(articles.desc(), col(Mention.entity_id))
        .limit(limit)
    ).all()
    return [{"id": r[0], "articles": int(r[1])} for r in rows]


@dataclass(frozen=True)
class Voice:
    """A narrative's share of voice in the last window and the window before it."""

    id: str
    name: str
    recent: float
    prior: float
    articles: int

    @property
    def change(self) -> float:
        return self.recent - self.prior


def _live() -> Any:
    return and_(col(Article.duplicate_of).is_(None), col(Article.status) == "done")


def narrative_voice(session: Session, window: int = VOICE_WINDOW_DAYS) -> list[Voice]:
    """Narratives by the change of their share of voice (articles that speak to them / all
    articles) between the `window` days ending on the last day with data and the `window` days
    before, largest moves (up or down) first."""
    key = bucket_key(session, "1d").label("bucket")
    last = session.execute(select(func.max(key)).where(_live())).scalar()
    if last is None:
        return []
    end = datetime.fromisoformat(str(last))
    split = (end - timedelta(days=window - 1)).date().isoformat()
    start = (end - timedelta(days=2 * window - 1)).date().isoformat()
    na = NarrativeAssignment
    counts = session.execute(
        select(key, col(na.narrative_id), func.count(func.distinct(col(na.article_id))))
        .select_from(na)
        .join(Article, col(Article.id) == col(na.article_id))
        .where(_live(), key >= start)
        .group_by(_BY_BUCKET, col(na.narrative_id))
    ).all()
    totals: dict[str, int] = {
        str(k): int(n)
        for k, n in session.execute(
            select(key, func.count()).where(_live(), key >= start).group_by(_BY_BUCKET)
        )
    }
    recent_total = sum(n for k, n in totals.items() if k >= split) or 1
    prior_total = sum(n for k, n in totals.items() if k < split) or 1
    by_id: dict[str, list[int]] = {}
    for bucket, narrative, n in counts:
        slot = by_id.setdefault(narrative, [0, 0])
        slot[0 if bucket >= split else 1] += int(n)
    names = {
        str(i): str(n) for i, n in session.execute(select(col(Narrative.id), col(Narrative.name)))
    }
    voices = [
        Voice(nid, names.get(nid, nid), r / recent_total, p / prior_total, r + p)
        for nid, (r, p) in by_id.items()
    ]
    return sorted(voices, key=lambda v: (-abs(v.change), v.id))


def verdicts(session: Session, claim_ids: list[int]) -> dict[int, str]:
    """The stored check verdict or forecast status of each claim that has one."""
    if not claim_ids:
        return {}
    checks = session.execute(
        select(col(ClaimCheck.claim_id), col(ClaimCheck.verdict)).where(
            col(ClaimCheck.claim_id).in_(claim_ids)
        )
    ).all()
    forecasts = session.execute(
        select(col(ForecastResolution.claim_id), col(ForecastResolution.status)).where(
            col(ForecastResolution.claim_id).in_(claim_ids)
        )
    ).all()
    return {int(cid): str(v) for cid, v in [*checks, *forecasts]}


def forecast_scorecard(session: Session) -> list[dict[str, Any]]:
    """Stored forecast resolutions by who made the call: hits, misses, open, hit rate."""
    fr = ForecastResolution
    who = func.coalesce(col(Claim.attributed_to), "(none)")
    rows = session.execute(
        select(who, col(fr.status), func.count())
        .join(Claim, col(Claim.id) == col(fr.claim_id))
        .group_by(who, col(fr.status))
    ).all()
    card: dict[str, dict[str, Any]] = {}
    for name, status, n in rows:
        entry = card.setdefault(name, {"who": name, "hit": 0, "missed": 0, "open": 0,
                                       "unresolvable": 0})  # fmt: skip
        entry[status] = entry.get(status, 0) + int(n)
    for entry in card.values():
        decided = entry["hit"] + entry["missed"]
        entry["hit_rate"] = entry["hit"] / decided if decided else None
    return sorted(card.values(), key=lambda e: (-(e["hit"] + e["missed"]), e["who"]))
