"""`tidings forecasts score`: forecast and threshold claims resolved on stored price paths.

A claim is resolvable when it is a forecast or a threshold level, names a price (price_target,
price_threshold, price) in USD for an asset with a daily OHLCV series, and its article has a
publication date. Its horizon is the end of the claim's period when that lies after
publication, else publication + TIDINGS_FORECAST_DEFAULT_HORIZON_DAYS. The direction is the one
the claim states, else up when the level is above the publication day's close, down when below.
A call whose level the publication-day close already reached on the called side ("could rise to
$20,000" said at $29,000, mostly a level's direction misread) is left unresolved with that reason.
"""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlmodel import Session, col

from api.analytics.forecasts import (
    Resolution,
    ScoreRow,
    Status,
    already_reached,
    infer_direction,
    moves_after,
    resolve,
    scorecard,
)
from api.services.bulk import replace_rows
from api.services.checks import published_filters
from api.services.market_paths import DailyPath, PathCache
from models.articles import Article
from models.checks import ForecastResolution
from models.claims import Claim
from models.sources import Source

FORECAST_TYPES = ("forecast", "threshold_level")
LEVEL_METRICS = ("price_target", "price_threshold", "price")
GROUP_BY = ("source", "author", "outlet")
UNRESOLVABLE = "unresolvable"


class ForecastRow(NamedTuple):
    """The columns resolution reads, with the article's author and outlet (a tuple: a run builds
    hundreds of thousands)."""

    id: int
    article_id: int
    text: str
    value: float
    metric: str
    subject: str | None
    subject_id: str | None
    direction: str | None
    claim_type: str
    time_end: date | None
    attributed_to: str | None
    sentence_text: str
    published_at: datetime | None
    author: str | None
    outlet: str | None

    def key(self, by: str) -> str:
        """The scorecard key: the source named in the text, the author or the outlet."""
        value = {"source": self.attributed_to, "author": self.author, "outlet": self.outlet}[by]
        return value or "(none)"


class Resolved(NamedTuple):
    """One forecast with what became of it (resolution None: unresolvable, see reason)."""

    claim: ForecastRow
    resolution: Resolution | None
    reason: str | None = None
    level: float | None = None
    path: DailyPath | None = None
    distance: float | None = None  # level / publication-day close - 1: how far the call reached

    @property
    def status(self) -> str:
        return self.resolution.status.value if self.resolution else UNRESOLVABLE

    def row(self, now: datetime) -> dict[str, Any]:
        """Insertable ForecastResolution values."""
        r = self.resolution
        moves = r.moves if r else {}
        published = self.claim.published_at
        return {
            "claim_id": self.claim.id,
            "status": self.status,
            "reason": self.reason,
            "level": self.level,
            "direction": r.direction if r else None,
            "published_on": published.date() if published else None,
            "horizon_end": r.horizon_end if r else None,
            "hit_date": r.hit_date if r else None,
            "days_to_hit": r.days_to_hit if r else None,
            "series_id": self.path.series.id if self.path else None,
            "series_symbol": self.path.series.symbol if self.path else None,
            "move_7d": moves.get(7),
            "move_30d": moves.get(30),
            "move_90d": moves.get(90),
            "resolved_at": now,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready item: claim fields and the resolution."""
        c = self.claim
        item = {k: v for k, v in c._asdict().items() if k != "published_at"}
        item["time_end"] = c.time_end.isoformat() if c.time_end else None
        item["published_at"] = c.published_at.isoformat() if c.published_at else None
        row = self.row(datetime.now(UTC))
        for name in ("status", "reason", "level", "direction", "horizon_end", "hit_date"):
            value = row[name]
            item[name] = value.isoformat() if isinstance(value, date) else value
        item["days_to_hit"] = row["days_to_hit"]
        item["series"] = row["series_symbol"]
        item["distance"] = self.distance
        item["moves"] = {"7d": row["move_7d"], "30d": row["move_30d"], "90d": row["move_90d"]}
        return item


def forecast_claims(
    session: Session, *, since: date | None = None, until: date | None = None
) -> list[ForecastRow]:
    """Forecast and threshold claims with a USD price level, with their article's details."""
    stmt = (
        select(
            col(Claim.id),
            col(Claim.article_id),
            col(Claim.text),
            col(Claim.value),
            col(Claim.metric),
            col(Claim.subject),
            col(Claim.subject_id),
            col(Claim.direction),
            col(Claim.claim_type),
            col(Claim.time_end),
            col(Claim.attributed_to),
            col(Claim.sentence_text),
            col(Article.published_at),
            col(Article.author),
            col(Source.name),
        )
        .join(Article, col(Article.id) == col(Claim.article_id))
        .outerjoin(Source, col(Source.id) == col(Article.source_id))
        .where(
            col(Claim.claim_type).in_(FORECAST_TYPES),
            col(Claim.metric).in_(LEVEL_METRICS),
            col(Claim.unit) == "USD",
            col(Claim.value) > 0,
        )
        .order_by(col(Claim.id))
    )
    for clause in published_filters(since, until):
        stmt = stmt.where(clause)
    # Core rather than ORM execution: the same values without the ORM's per-row work.
    return [ForecastRow(*row) for row in session.connection().execute(stmt).all()]


def _publication_day(value: datetime) -> date:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.date()


class Resolver:
    """Resolves the forecasts of one run; what many forecasts share (the series that covers a
    publication day, its close that day, the moves after it) is looked up once."""

    def __init__(self, cache: PathCache, default_days: int) -> None:
        self.cache = cache
        self.default_days = default_days
        self._on: dict[tuple[str, date], tuple[DailyPath | None, float | None]] = {}
        self._moves: dict[tuple[int, date, str], dict[int, float | None]] = {}
        self._resolved: dict[tuple[int, float, str, tuple[date, date]], Resolution] = {}

    def path_on(self, subject_id: str, published: date) -> tuple[DailyPath | None, float | None]:
        """The series that covers `published` and runs furthest past it, and that day's close."""
        key = (subject_id, published)
        if key not in self._on:
            paths = self.cache.paths(subject_id, "ohlcv")
            covering = [p for p in paths if p.days and p.days[0] <= published <= p.days[-1]]
            # the series that runs furthest past publication resolves the most
            path = max(covering, key=lambda p: (p.days[-1], len(p.days))) if covering else None
            base = path.prices().close_on_or_before(published) if path else None
            self._on[key] = path, base
        return self._on[key]

    def moves(self, path: DailyPath, published: date, direction: str) -> dict[int, float | None]:
        """The signed moves after publication on `path`."""
        key = (id(path), published, direction)
        if key not in self._moves:
            self._moves[key] = moves_after(path.prices(), published, direction=direction)
        return self._moves[key]

    def one(self, claim: ForecastRow) -> Resolved:
        """What became of one forecast claim."""
        paths = self.cache.paths(claim.subject_id, "ohlcv") if claim.subject_id else []
        if not paths:
            return Resolved(claim, None, "no series", claim.value)
        if claim.published_at is None:
            return Resolved(claim, None, "no publication date", claim.value, paths[0])
        published = _publication_day(claim.published_at)
        path, base = self.path_on(claim.subject_id or "", published)
        if path is None:
            return Resolved(claim, None, "period outside data", claim.value, paths[0])
        horizon = claim.time_end if claim.time_end and claim.time_end > published else None
        horizon = horizon or published + timedelta(days=self.default_days)
        direction = claim.direction if claim.direction in {"up", "down"} else None
        direction = direction or infer_direction(claim.value, base)
        distance = claim.value / base - 1 if base else None
        if direction is None:
            return Resolved(claim, None, "no direction", claim.value, path, distance)
        if already_reached(claim.value, direction, base):
            return Resolved(claim, None, "level already reached", claim.value, path, distance)
        return Resolved(
            claim,
            self.resolution(path, claim.value, direction=direction, window=(published, horizon)),
            None,
            claim.value,
            path,
            distance,
        )

    def resolution(
        self, path: DailyPath, level: float, *, direction: str, window: tuple[date, date]
    ) -> Resolution:
        """The call of `level` in `direction` from publication to horizon (`window`) on `path`;
        the same call reported again (syndicated copies, round levels) is looked up."""
        key = (id(path), level, direction, window)
        if key not in self._resolved:
            published, horizon = window
            self._resolved[key] = resolve(
                level,
                direction,
                published=published,
                horizon_end=horizon,
                path=path.prices(),
                moves=self.moves(path, published, direction),
            )
        return self._resolved[key]


def resolve_forecasts(
    session: Session,
    *,
    since: date | None = None,
    until: date | None = None,
    default_days: int | None = None,
    store: bool = True,
) -> list[Resolved]:
    """Resolve every matching forecast claim and (with `store`) store the resolutions."""
    if default_days is None:
        from api.analytics.settings import get_check_settings

        default_days = get_check_settings().forecast_default_horizon_days
    resolver = Resolver(PathCache(session), default_days)
    out = [resolver.one(c) for c in forecast_claims(session, since=since, until=until)]
    if not store:
        return out
    table = ForecastResolution.__table__  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    replace_rows(session, table, [r.row(now) for r in out], key="claim_id")
    return out


def score_report(resolved: list[Resolved], by: str = "source") -> dict[str, Any]:
    """The JSON of `tidings forecasts score`: counts, items and the scorecard."""
    usable = [r for r in resolved if r.resolution is not None]
    counts = {
        s.value: sum(r.resolution.status is s for r in usable if r.resolution) for s in Status
    }
    days = [
        r.resolution.days_to_hit
        for r in usable
        if r.resolution and r.resolution.days_to_hit is not None
    ]
    card: list[ScoreRow] = scorecard(
        (r.claim.key(by), r.resolution) for r in usable if r.resolution
    )
    return {
        "forecasts": len(resolved),
        "resolvable": len(usable),
        "resolved": counts["hit"] + counts["missed"],
        "hit": counts["hit"],
        "missed": counts["missed"],
        "open": counts["open"],
        "unresolvable": len(resolved) - len(usable),
        "median_days_to_hit": statistics.median(days) if days else None,
        "by": by,
        "items": [r.to_dict() for r in resolved],
        "scorecard": [row.to_dict() for row in card],
    }
