"""GET /market/series, GET /market/series/{symbol} and POST /market/series/{symbol} (CSV upload
through the importer of `tidings market import`)."""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session

from api.http.deps import EngineDep, ReadAccess, SessionDep, SettingsDep, WriteAccess
from api.http.errors import ApiProblem
from api.http.pagination import Page, decode_cursor, encode_cursor
from api.http.routes.params import Cursor, Day, Limit, check_range, page_size
from api.http.schemas_analytics import ImportOut, PointOut, RowProblem, SeriesOut, SeriesPoints
from api.services.market import get_series, series_page, summarize
from api.services.market_points import (
    IntervalError,
    after,
    align,
    check_interval,
    series_bars,
)
from ingest.errors import ImportFormatError
from ingest.market.records import Layout, Overrides, RowIssue
from ingest.market.store import ImportReport, import_text
from models.market import DayClose, MarketSeries, SeriesKind

router = APIRouter(tags=["market"])
Symbol = Annotated[str, Path(min_length=1, max_length=100, examples=["BTCUSDT"])]
MarketSource = Annotated[
    str | None, Query(max_length=40, description="Which source's series (binance, fred...).")
]
Interval = Literal[
    "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "1w", "1M"
]
MAX_LISTED = 1000
CSV_EXAMPLE = "date,open,high,low,close,volume\n2025-11-17,94200,96000,91800,92100,31245.7\n"


@router.get("/market/series", response_model=Page[SeriesOut], dependencies=[ReadAccess])
def list_market_series(
    *,
    session: SessionDep,
    settings: SettingsDep,
    kind: SeriesKind | None = None,
    entity: Annotated[str | None, Query(max_length=200, examples=["crypto:btc"])] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[SeriesOut]:
    """Stored market series by id, with first/last point and count; filters: kind, entity."""
    size = page_size(limit, settings.api_max_page_size)
    key = decode_cursor(cursor, {"after_id": int})
    found = series_page(
        session, kind=kind.value if kind else None, entity_id=entity,
        after_id=key["after_id"] if key else None, limit=size + 1,
    )  # fmt: skip
    items = [SeriesOut(**s.to_dict()) for s in found[:size]]
    more = len(found) > size
    next_cursor = encode_cursor({"after_id": items[-1].id}) if more else None
    return Page(items=items, next_cursor=next_cursor)


def _series(session: Session, symbol: str, source: str | None) -> MarketSeries:
    series = get_series(session, symbol, source)
    if series is None:
        where = f" from {source}" if source else ""
        raise ApiProblem(404, f"no market series {symbol!r}{where}; GET /market/series lists them",
                         param="symbol")  # fmt: skip
    return series


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


@router.get("/market/series/{symbol}", response_model=SeriesPoints, dependencies=[ReadAccess])
def get_market_series(
    *,
    session: SessionDep,
    symbol: Symbol,
    source: MarketSource = None,
    since: Day = None,
    until: Day = None,
    interval: Annotated[
        Interval | None, Query(description="Resample to this bar length (default: the series').")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="Points per page.")] = 1000,
    cursor: Cursor = None,
) -> SeriesPoints:
    """Points of one series, oldest first, in a date range, at its interval or a longer one."""
    check_range(since, until)
    series = _series(session, symbol, source)
    try:
        shown = check_interval(series, interval)
    except IntervalError as exc:
        raise ApiProblem(422, str(exc), param="interval") from exc
    key = decode_cursor(cursor, {"from": str})
    start = _day_start(since) if since else None
    if start is not None and shown != series.interval:
        start = align(start, shown)
    if key:
        try:
            start = datetime.fromisoformat(key["from"])
            if start.tzinfo is not None:  # cursors are naive UTC; a forged one may not be
                start = start.astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError) as exc:
            raise ApiProblem(422, "not a cursor returned by this route", param="cursor") from exc
    end = _day_start(until) + timedelta(days=1) if until else None
    bars = series_bars(session, series, interval=shown, start=start, end=end, limit=limit + 1)
    items = [PointOut(**bar.to_dict()) for bar in bars[:limit]]
    next_cursor = None
    if len(bars) > limit:
        resume = after(bars[limit - 1], shown, resampled=shown != series.interval)
        next_cursor = encode_cursor({"from": resume.replace(tzinfo=None).isoformat()})
    summary = summarize(session, [series])[0]
    return SeriesPoints(
        items=items, next_cursor=next_cursor, series=SeriesOut(**summary.to_dict()), interval=shown
    )


def _problems(issues: list[RowIssue]) -> list[RowProblem]:
    return [RowProblem(line=i.line, reason=i.reason) for i in issues[:MAX_LISTED]]


def _import_out(report: ImportReport) -> ImportOut:
    return ImportOut(
        rows=report.rows, points=report.points, new=report.new,
        series=[vars(s) for s in report.series], errors=_problems(report.errors),
        set_aside=_problems(report.notes), bad_rows=len(report.errors),
        set_aside_rows=len(report.notes),
    )  # fmt: skip


def _overrides(symbol: str, params: dict[str, Any]) -> Overrides:
    return Overrides(symbol=symbol, **{k: v for k, v in params.items() if v is not None})


@router.post(
    "/market/series/{symbol}",
    response_model=ImportOut,
    dependencies=[WriteAccess],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
        }
    },
)
async def upload_market_series(  # noqa: PLR0913 (one argument per import flag)
    *,
    request: Request,
    engine: EngineDep,
    symbol: Symbol,
    kind: SeriesKind | None = None,
    entity: Annotated[str | None, Query(max_length=200, examples=["crypto:btc"])] = None,
    unit: Annotated[str | None, Query(max_length=40, examples=["USD"])] = None,
    source: MarketSource = None,
    interval: Interval | None = None,
    layout: Layout | None = None,
    day_close: DayClose | None = None,
    scale: Annotated[float | None, Query(gt=0, le=1e12, allow_inf_nan=False)] = None,
    tz: Annotated[str | None, Query(max_length=60, examples=["America/New_York"])] = None,
    keep_partial: bool = False,
    calendar: Literal["nyse", "none"] | None = None,
    filename: Annotated[
        str | None,
        Query(
            max_length=200,
            examples=["farside_btc_etf_total_daily_clean.csv"],
            description="The file's name, read for source, kind, unit and scale as the CLI "
            "reads it (default: SYMBOL.csv).",
        ),
    ] = None,
) -> ImportOut:
    """Load one series from a CSV body (the layouts of `tidings market import`; flags as query
    parameters). Bad rows are reported by line and the rest is stored; a body that cannot be
    read at all is a 422 and stores nothing. Needs a write key."""
    body = await request.body()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiProblem(422, f"the body is not UTF-8 text ({exc.reason})", param="body") from exc
    flags = _overrides(symbol, {
        "kind": kind.value if kind else None, "entity": entity, "unit": unit, "source": source,
        "interval": interval, "layout": layout, "day_close": day_close.value if day_close else None,
        "scale": scale, "tz": tz, "keep_partial": keep_partial or None, "calendar": calendar,
    })  # fmt: skip
    name = re.sub(r"[^A-Za-z0-9._-]", "_", filename or f"{symbol}.csv")
    try:
        report = await to_thread.run_sync(
            lambda: import_text(engine, text, name=name, flags=flags, one_series=True)
        )
    except (ImportFormatError, ValueError) as exc:
        raise ApiProblem(422, str(exc), param="body") from exc
    return _import_out(report)
