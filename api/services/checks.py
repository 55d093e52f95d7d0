"""`tidings claims check`: observation claims held against the stored market series.

Mapping (claim -> series):
- flows (metric outflow, inflow or net_flow, in USD) of an ETF entity -> that entity's flow
  series, summed over the trading days of the claim's period; a USD flow of an asset (crypto:btc)
  in a sentence that speaks of ETFs -> the asset's ETF group (etf:us-spot-bitcoin-etfs), since
  news writes "bitcoin ETFs" and the subject is resolved to bitcoin;
- prices (price, record_price in USD) -> the asset's OHLCV series, the period's low-high range;
- rates and yields (rate in PERCENT) -> the rate series' values over the period (the last value
  before the period when it holds no business day); a rate move in basis points (rate_change)
  -> the period's last value minus the last value before the period.
Everything else has no series.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlmodel import Session, col

from api.analytics.verdicts import (
    Judgement,
    Reason,
    Tolerance,
    Verdict,
    judge_amount,
    judge_level,
    rounding_step,
    signed_flow,
    unverifiable,
)
from api.services.bulk import replace_rows
from api.services.market_paths import DailyPath, PathCache
from models.articles import Article
from models.checks import ClaimCheck
from models.claims import Claim
from nlp.entities.kb import KnowledgeBase

CHECKED_TYPES = ("observation", "historical")
FLOW_METRICS = {"outflow", "inflow", "net_flow"}
PRICE_METRICS = {"price", "record_price"}
RATE_METRICS = {"rate"}
RATE_CHANGE_METRICS = {"rate_change"}
RATE_GAP_DAYS = 4  # a rate holds over a weekend and a holiday


class ClaimRow(NamedTuple):
    """The columns a check reads (a tuple: a run builds hundreds of thousands)."""

    id: int
    text: str
    value: float
    unit: str | None
    metric: str | None
    subject_id: str | None
    direction: str | None
    qualifier: str | None
    time_start: date | None
    time_end: date | None
    mentions_etf: bool


class CheckResult(NamedTuple):
    """One claim's verdict and the series it was held against."""

    claim_id: int
    judgement: Judgement
    series: DailyPath | None = None

    def row(self, now: datetime) -> dict[str, Any]:
        """Insertable ClaimCheck values."""
        j = self.judgement
        return {
            "claim_id": self.claim_id,
            "verdict": j.verdict.value,
            "reference_value": j.reference_value,
            "reference_low": j.reference_low,
            "reference_high": j.reference_high,
            "series_id": self.series.series.id if self.series else None,
            "series_symbol": self.series.series.symbol if self.series else None,
            "relative_error": j.relative_error,
            "reason": j.reason,
            "checked_at": now,
        }


@lru_cache(maxsize=1)
def etf_groups() -> dict[str, str]:
    """Asset id -> the KB's ETF group entity for it (crypto:btc -> etf:us-spot-bitcoin-etfs)."""
    out: dict[str, str] = {}
    for entity in KnowledgeBase.builtin():
        if entity.type == "ETF" and "group" in entity.tags and entity.underlying:
            out.setdefault(entity.underlying, entity.id)
    return out


def flow_entity(claim: ClaimRow) -> str | None:
    """The entity whose flow series a flow claim speaks of."""
    subject = claim.subject_id or ""
    if subject.startswith("etf:"):
        return subject
    if claim.mentions_etf:
        return etf_groups().get(subject)
    return None


def _period(claim: ClaimRow) -> tuple[date, date] | None:
    if claim.time_start is None:
        return None
    return claim.time_start, claim.time_end or claim.time_start


def _covering(paths: list[DailyPath], start: date, end: date) -> DailyPath | None:
    return next((p for p in paths if p.covers(start, end)), None)


# What a claim is held against, once per (kind, entity, period): the series and the summed flow
# or low-high range, or why there is none. Many claims share one, so a run computes each once.
Reference = tuple[DailyPath | None, Reason | None, Any]


class References:
    """The references of one run, computed on first use from the paths in `cache`."""

    def __init__(self, cache: PathCache) -> None:
        self.cache = cache
        self._known: dict[tuple[Any, ...], Reference] = {}

    def flow(self, entity: str | None, period: tuple[date, date] | None) -> Reference:
        """The flow series of `entity` and its sum over the trading days of `period`."""
        key = ("flow", entity, period)
        if key not in self._known:
            self._known[key] = _flow_reference(self.cache, entity, period)
        return self._known[key]

    def level(self, subject: str | None, kind: str, period: tuple[date, date] | None) -> Reference:
        """The first series of `kind` for `subject` that holds `period`, and its (low, high)."""
        key = ("level", subject, kind, period)
        if key not in self._known:
            self._known[key] = _level_reference(self.cache, subject, period, kind=kind)
        return self._known[key]

    def rate_move(self, subject: str | None, period: tuple[date, date] | None) -> Reference:
        """The rate series of `subject` and its move over `period`, in basis points."""
        key = ("rate_move", subject, period)
        if key not in self._known:
            self._known[key] = _rate_move_reference(self.cache, subject, period)
        return self._known[key]


def _flow_reference(
    cache: PathCache, entity: str | None, period: tuple[date, date] | None
) -> Reference:
    paths = cache.paths(entity, "flow") if entity else []
    if not paths:
        return None, Reason.NO_SERIES, None
    if period is None:
        return None, Reason.PERIOD_UNRESOLVED, None
    path = _covering(paths, *period)
    span = path.span(*period) if path else None
    if path is None or span is None or span.start >= span.stop:
        return paths[0], Reason.PERIOD_OUTSIDE_DATA, None
    return path, None, sum(path.value[span])


def _level_reference(
    cache: PathCache, subject: str | None, period: tuple[date, date] | None, *, kind: str
) -> Reference:
    paths = cache.paths(subject, kind) if subject else []
    if not paths:
        return None, Reason.NO_SERIES, None
    if period is None:
        return None, Reason.PERIOD_UNRESOLVED, None
    for path in paths:
        if not path.days or period[1] > path.days[-1] or period[0] < path.days[0]:
            continue
        found = _level_range(path, *period, carry=kind == "rate")
        if found is not None:
            return path, None, found
    return paths[0], Reason.PERIOD_OUTSIDE_DATA, None


def _rate_move_reference(
    cache: PathCache, subject: str | None, period: tuple[date, date] | None
) -> Reference:
    """The period's last value minus the last value before the period."""
    paths = cache.paths(subject, "rate") if subject else []
    if not paths:
        return None, Reason.NO_SERIES, None
    if period is None:
        return None, Reason.PERIOD_UNRESOLVED, None
    path = paths[0]
    before = path.last_before(period[0])
    last = path.last_before(period[1] + timedelta(days=1))
    if before is None or last is None or last <= before or period[1] > path.days[-1]:
        return path, Reason.PERIOD_OUTSIDE_DATA, None
    return path, None, (path.value[last] - path.value[before]) * 100


def _level_range(
    path: DailyPath, start: date, end: date, *, carry: bool
) -> tuple[float, float] | None:
    span = path.span(start, end)
    if span.start < span.stop:
        return min(path.low[span]), max(path.high[span])
    before = path.last_before(start) if carry else None
    if before is not None and (start - path.days[before]).days <= RATE_GAP_DAYS:
        return path.low[before], path.high[before]
    return None


_UNVERIFIABLE = {reason: unverifiable(reason) for reason in Reason}


def _judge_flow(claim: ClaimRow, total: float, tol: Tolerance) -> Judgement:
    signed = signed_flow(claim.value, claim.metric, claim.direction)
    return judge_amount(
        claim.value if signed is None else signed,
        total,
        step=rounding_step(claim.text, claim.value),
        qualifier=claim.qualifier,
        sign_known=signed is not None,
        tol=tol,
    )


def _judge_level(claim: ClaimRow, found: tuple[float, float], tol: Tolerance) -> Judgement:
    return judge_level(
        claim.value,
        *found,
        step=rounding_step(claim.text, claim.value),
        qualifier=claim.qualifier,
        metric=claim.metric,
        tol=tol,
    )


def _judge_rate_move(claim: ClaimRow, move: float, tol: Tolerance) -> Judgement:
    sign = {"up": 1.0, "down": -1.0}.get(claim.direction or "")
    return judge_amount(
        abs(claim.value) * sign if sign else claim.value,
        move,
        step=rounding_step(claim.text, claim.value),
        qualifier=claim.qualifier,
        sign_known=sign is not None,
        tol=tol,
    )


def check_one(claim: ClaimRow, refs: References, tol: Tolerance) -> CheckResult:
    """The verdict on one observation claim."""
    unit = (claim.unit or "").upper()
    period = _period(claim)
    if claim.metric in FLOW_METRICS and unit == "USD":
        path, reason, total = refs.flow(flow_entity(claim), period)
        judge: Any = _judge_flow
    elif claim.metric in PRICE_METRICS and unit in {"USD", "USDT"}:
        path, reason, total = refs.level(claim.subject_id, "ohlcv", period)
        judge = _judge_level
    elif claim.metric in RATE_METRICS and unit == "PERCENT":
        path, reason, total = refs.level(claim.subject_id, "rate", period)
        judge = _judge_level
    elif claim.metric in RATE_CHANGE_METRICS and unit == "BASIS_POINTS":
        path, reason, total = refs.rate_move(claim.subject_id, period)
        judge = _judge_rate_move
    else:
        return CheckResult(claim.id, _UNVERIFIABLE[Reason.NO_SERIES])
    if reason is not None:
        return CheckResult(claim.id, _UNVERIFIABLE[reason], path)
    return CheckResult(claim.id, judge(claim, total, tol), path)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def published_filters(since: date | None, until: date | None) -> list[Any]:
    """WHERE clauses on the article's publication date."""
    where: list[Any] = []
    if since:
        where.append(col(Article.published_at) >= _day_start(since))
    if until:
        where.append(col(Article.published_at) < _day_start(until + timedelta(days=1)))
    return where


def observation_claims(
    session: Session,
    *,
    since: date | None = None,
    until: date | None = None,
    after_id: int | None = None,
    limit: int | None = None,
) -> Iterator[ClaimRow]:
    """Observation and historical claims with a value, by claim id (after `after_id`, at most
    `limit` of them when given)."""
    etf = col(Claim.sentence_text).ilike("%etf%") | col(Claim.sentence_text).ilike(
        "%exchange-traded%"
    )
    stmt = (
        select(
            col(Claim.id),
            col(Claim.text),
            col(Claim.value),
            col(Claim.unit),
            col(Claim.metric),
            col(Claim.subject_id),
            col(Claim.direction),
            col(Claim.qualifier),
            col(Claim.time_start),
            col(Claim.time_end),
            etf,
        )
        .join(Article, col(Article.id) == col(Claim.article_id))
        .where(col(Claim.claim_type).in_(CHECKED_TYPES), col(Claim.value).is_not(None))
        .order_by(col(Claim.id))
    )
    for clause in published_filters(since, until):
        stmt = stmt.where(clause)
    if after_id is not None:
        stmt = stmt.where(col(Claim.id) > after_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    # Core rather than ORM execution: the same values without the ORM's per-row work.
    for part in session.connection().execute(stmt).partitions(5000):
        for row in part:
            yield ClaimRow._make((*row[:10], bool(row[10])))


def check_claims(
    session: Session,
    *,
    since: date | None = None,
    until: date | None = None,
    tol: Tolerance | None = None,
) -> list[CheckResult]:
    """Check every matching claim and store the verdicts (replacing earlier ones)."""
    if tol is None:
        from api.analytics.settings import get_check_settings

        tol = get_check_settings().tolerance()
    refs = References(PathCache(session))
    results = [
        check_one(claim, refs, tol)
        for claim in observation_claims(session, since=since, until=until)
    ]
    store_checks(session, results)
    return results


def check_page(
    session: Session,
    *,
    since: date | None = None,
    until: date | None = None,
    verdict: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
    scan: int = 5000,
) -> tuple[list[CheckResult], int | None]:
    """Fresh verdicts (nothing stored) on the observation claims after `after_id`, by claim id:
    at most `limit` of them (only those with `verdict` when given), reading at most `scan`
    claims. Returns the results and the last claim id read, None when none is left to read."""
    from api.analytics.settings import get_check_settings

    tol, refs = get_check_settings().tolerance(), References(PathCache(session))
    results: list[CheckResult] = []
    last, read, batch_size = after_id, 0, min(scan, max(limit * 2, 200))
    while read < scan:
        batch = list(observation_claims(
            session, since=since, until=until, after_id=last, limit=batch_size
        ))  # fmt: skip
        for claim in batch:
            read, last = read + 1, claim.id
            result = check_one(claim, refs, tol)
            if verdict is None or result.judgement.verdict.value == verdict:
                results.append(result)
                if len(results) >= limit:
                    return results, last
        if len(batch) < batch_size:
            return results, None
    return results, last


def check_item(claim: Claim, result: CheckResult) -> dict[str, Any]:
    """Claim fields with the verdict (`tidings claims check --json` items, GET /claims/checks)."""
    row = claim.model_dump(mode="json")
    j = result.judgement
    row.update(
        verdict=j.verdict.value,
        reference_value=j.reference_value,
        reference_low=j.reference_low,
        reference_high=j.reference_high,
        series=result.series.series.symbol if result.series else None,
        relative_error=j.relative_error,
        reason=j.reason,
    )
    return row


def store_checks(session: Session, results: list[CheckResult]) -> None:
    """Replace the stored verdicts of these claims."""
    now = datetime.now(UTC)
    table = ClaimCheck.__table__  # type: ignore[attr-defined]
    replace_rows(session, table, [r.row(now) for r in results], key="claim_id")


def summary(results: list[CheckResult]) -> dict[str, int]:
    """Counts per verdict."""
    counts = {"checked": len(results)} | {v.value: 0 for v in Verdict}
    for result in results:
        counts[result.judgement.verdict.value] += 1
    return counts
