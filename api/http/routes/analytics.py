"""GET /claims/checks, GET /forecasts/scorecard and GET /correlate: the answers of `tidings claims
check`, `tidings forecasts score` and `tidings correlate --json`, computed on request (nothing is
stored by a GET)."""

import math
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlmodel import col, select

from api.analytics import CorrelateOptions, InsufficientDataError
from api.http.deps import ReadAccess, SessionDep, SettingsDep
from api.http.errors import ApiProblem
from api.http.pagination import Page, decode_cursor, encode_cursor
from api.http.routes.params import Cursor, Day, Limit, Since, Until, check_range, page_size
from api.http.schemas_analytics import CheckOut, CorrelationOut, ScorecardOut, Verdict
from api.services.checks import check_item, check_page
from api.services.correlation import (
    SIGNALS,
    CorrelateRequest,
    CorrelationRequestError,
    run_correlation,
)
from api.services.forecasts import resolve_forecasts, score_report
from api.services.series import SeriesError, SeriesQuery
from models.claims import Claim

router = APIRouter(tags=["analytics"], dependencies=[ReadAccess])
Signal = Literal[SIGNALS]  # type: ignore[valid-type]


@router.get("/claims/checks", response_model=Page[CheckOut])
def list_checks(
    *,
    session: SessionDep,
    settings: SettingsDep,
    verdict: Verdict | None = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CheckOut]:
    """Observation claims held against the stored market series, by claim id, each with its
    verdict, the reference value or range and the series (as `tidings claims check --json`).
    With `verdict` a page may hold fewer items than `limit` while `next_cursor` goes on."""
    check_range(since, until)
    size = page_size(limit, settings.api_max_page_size)
    key = decode_cursor(cursor, {"after_id": int})
    results, last = check_page(
        session, since=since, until=until, verdict=verdict,
        after_id=key["after_id"] if key else None, limit=size,
    )  # fmt: skip
    ids = [r.claim_id for r in results]
    claims = {c.id: c for c in session.exec(select(Claim).where(col(Claim.id).in_(ids))).all()}
    items = [CheckOut(**check_item(claims[r.claim_id], r)) for r in results if r.claim_id in claims]
    next_cursor = encode_cursor({"after_id": last}) if last is not None else None
    return Page(items=items, next_cursor=next_cursor)


@router.get("/forecasts/scorecard", response_model=ScorecardOut)
def forecasts_scorecard(
    *,
    session: SessionDep,
    by: Literal["source", "author", "outlet"] = "source",
    since: Since = None,
    until: Until = None,
) -> ScorecardOut:
    """Forecast and threshold claims resolved on the stored price paths (hit, missed, open) and
    the hit rate with its 95 % Wilson interval per source named in the text, author or outlet."""
    check_range(since, until)
    report = score_report(resolve_forecasts(session, since=since, until=until, store=False), by)
    report.pop("items")
    return ScorecardOut(**report)


def finite(value: Any) -> Any:
    """`value` with every NaN or infinity inside it replaced by None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def _scope(entity: str | None, narrative: str | None, source: str | None) -> None:
    given = [name for name, v in (("entity", entity), ("narrative", narrative),
                                  ("source", source)) if v]  # fmt: skip
    if len(given) > 1:
        raise ApiProblem(422, f"give at most one of entity, narrative and source, not "
                         f"{' and '.join(given)}", param=given[-1])  # fmt: skip


def _moment(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day) if day else None


@router.get("/correlate", response_model=CorrelationOut)
def correlate(  # noqa: PLR0913 (one argument per `tidings correlate` option)
    *,
    session: SessionDep,
    market: Annotated[str, Query(min_length=1, max_length=100, examples=["BTC-USD"])],
    entity: Annotated[str | None, Query(max_length=200, examples=["crypto:btc"])] = None,
    narrative: Annotated[str | None, Query(max_length=200, examples=["etf-flows"])] = None,
    source: Annotated[str | None, Query(max_length=200, description="Source name or id.")] = None,
    market_source: Annotated[str | None, Query(max_length=40, examples=["yahoo"])] = None,
    bucket: Literal["1d", "1h"] = "1d",
    max_lag: Annotated[int, Query(ge=0, le=60)] = 7,
    horizon: Annotated[int, Query(ge=1, le=60, description="Buckets per market return.")] = 1,
    signal: Signal = "mean",
    since: Day = None,
    until: Day = None,
    boot: Annotated[int, Query(ge=0, le=2000, description="Bootstrap resamples.")] = 1000,
) -> CorrelationOut:
    """Does the talk lead the market? A sentiment series (entity, narrative, source or all
    articles) against a market series: lag profile, Granger both ways, event study."""
    check_range(since, until)
    _scope(entity, narrative, source)
    request = CorrelateRequest(
        series=SeriesQuery(entity=entity, narrative=narrative, source=source, bucket=bucket,
                           start=_moment(since), end=_moment(until)),
        market=market, market_source=market_source, signal=signal,
        options=CorrelateOptions(max_lag=max_lag, horizon=horizon, n_boot=boot),
    )  # fmt: skip
    try:
        result = run_correlation(session, request)
    except CorrelationRequestError as exc:
        unknown = str(exc).startswith("no market series")
        raise ApiProblem(404 if unknown else 422, str(exc),
                         param="market" if unknown else "bucket") from exc  # fmt: skip
    except SeriesError as exc:
        raise ApiProblem(404 if str(exc).startswith("no source") else 422, str(exc),
                         param="source") from exc  # fmt: skip
    except InsufficientDataError as exc:
        raise ApiProblem(422, f"{exc} (widen since/until or pick a busier scope)",
                         param="since") from exc  # fmt: skip
    return CorrelationOut(**finite(result.to_dict()))
