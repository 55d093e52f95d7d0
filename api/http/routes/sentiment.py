"""GET /sentiment/series and GET /export/sentiment.{csv,parquet}: the series service's output.

Point in time: a bucket counts only articles known by its end (published, for archive imports;
first seen, for live crawls), and its z-score looks only at earlier buckets.
"""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import pyarrow as pa
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.http.deps import EngineDep, ReadAccess, SessionDep
from api.http.errors import ApiProblem
from api.http.schemas import UtcDatetime
from api.http.streaming import csv_response, parquet_response
from api.services.sentiment_export import (
    DEFAULT_MIN_MENTIONS,
    SentimentExport,
    bucket_row,
    export_batches,
    scope_name,
)
from api.services.series import BUCKETS, SentimentSeries, SeriesError, SeriesQuery
from api.services.series_cache import SeriesCache

router = APIRouter(tags=["sentiment"], dependencies=[ReadAccess])
MAX_BUCKETS = 50_000
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)
Bucket = Literal["1h", "1d"]
Moment = Annotated[
    datetime | None,
    Query(description="A date or an ISO 8601 time (UTC unless it carries an offset).",
          examples=["2025-11-01"]),
]  # fmt: skip
EXAMPLE_POINT = {
    "bucket_start": "2025-11-18T00:00:00Z", "bucket_end": "2025-11-19T00:00:00Z",
    "as_of": "2025-11-19T00:00:00Z", "articles": 3, "mentions": 7.0, "mean": -0.41,
    "weighted": -0.45, "bullish_share": 0.0, "bearish_share": 0.67, "neutral_share": 0.33,
    "dispersion": 0.22, "zscore": -1.8, "share_of_voice": 0.6,
    "sentiment_model": "embedded-minilm-l6-fin-4",
    "narratives_model": "narratives-3-minilm-l6-v2-int8-1-6b13867f71-e07a753c",
    "taxonomy_version": "6b13867f71", "pipeline_version": "1", "mixed_versions": False,
}  # fmt: skip


class SeriesPoint(BaseModel):
    """One bucket: [bucket_start, bucket_end), known as of `as_of` (= bucket_end)."""

    bucket_start: UtcDatetime
    bucket_end: UtcDatetime
    as_of: UtcDatetime
    articles: int
    mentions: float | None
    mean: float | None
    weighted: float | None
    bullish_share: float | None
    bearish_share: float | None
    neutral_share: float | None
    dispersion: float | None
    zscore: float | None
    share_of_voice: float | None
    sentiment_model: str | None
    narratives_model: str | None
    taxonomy_version: str | None
    pipeline_version: str | None
    mixed_versions: bool


class VersionSet(BaseModel):
    versions: dict[str, Any]
    articles: int


class SeriesOut(BaseModel):
    """A sentiment series on a complete grid of buckets (empty buckets have 0 articles)."""

    scope: str = Field(examples=["entity:crypto:btc"])
    bucket: Bucket
    model_versions: list[VersionSet]
    mixed_versions: bool
    items: list[SeriesPoint] = Field(examples=[[EXAMPLE_POINT]])


def _utc(moment: datetime | None, param: str) -> datetime | None:
    """`moment` in UTC (naive means UTC); a 422 naming `param` when UTC cannot hold it."""
    if moment is None or moment.tzinfo is None:
        return moment.replace(tzinfo=UTC) if moment else None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+00:01 is before year 1 in UTC
        raise ApiProblem(
            422, f"must lie between {EARLIEST:%Y} and {LATEST:%Y}", param=param
        ) from None


def series_params(
    *,
    entity: Annotated[str | None, Query(max_length=200, examples=["crypto:btc"])] = None,
    narrative: Annotated[str | None, Query(max_length=200, examples=["etf-flows"])] = None,
    source: Annotated[str | None, Query(max_length=200, description="Source id or name.")] = None,
    bucket: Annotated[Bucket, Query(description="Bucket width: 1h or 1d (UTC).")] = "1d",
    since: Moment = None,
    until: Moment = None,
) -> SeriesQuery:
    """The series filters: at most one scope, a bucket width and a bucket range (inclusive)."""
    given = [name for name, v in (("entity", entity), ("narrative", narrative),
                                  ("source", source)) if v]  # fmt: skip
    if len(given) > 1:
        raise ApiProblem(422, f"give at most one of entity, narrative and source, not "
                         f"{' and '.join(given)}", param=given[1])  # fmt: skip
    start, end = _utc(since, "since"), _utc(until, "until")
    for name, moment in (("since", start), ("until", end)):
        if moment is not None and not EARLIEST <= moment <= LATEST:
            raise ApiProblem(422, f"must lie between {EARLIEST:%Y} and {LATEST:%Y}", param=name)
    if start and end:
        if end < start:
            raise ApiProblem(422, f"until ({until}) is before since ({since})", param="until")
        if (end - start) / BUCKETS[bucket] > MAX_BUCKETS:
            raise ApiProblem(
                422, f"the range spans more than {MAX_BUCKETS} {bucket} buckets", param="since"
            )
    return SeriesQuery(entity=entity, narrative=narrative, source=source, bucket=bucket,
                       start=start, end=end)  # fmt: skip


SeriesParams = Annotated[SeriesQuery, Depends(series_params)]


@router.get("/sentiment/series", response_model=SeriesOut)
def get_series(request: Request, session: SessionDep, params: SeriesParams) -> Response:
    """Sentiment per bucket for an entity, a narrative, a source or (none given) every article,
    from the first to the last bucket with data (or `since` to `until`), point in time. Answered
    from memory while the store is unchanged (api/services/series_cache.py)."""
    for kind in ("entity", "narrative", "source"):
        wanted = getattr(params, kind)
        if wanted and scope_name(session, kind, wanted) is None:  # type: ignore[arg-type]
            raise ApiProblem(404, f"no {kind} {wanted!r} in the store", param=kind)
    try:
        cache: SeriesCache = request.app.state.series_cache
        series = cache.series(session, replace(params, max_buckets=MAX_BUCKETS))
    except SeriesError as exc:  # the only one left: too many buckets
        raise ApiProblem(422, f"{exc}: narrow since/until", param="since") from exc
    return Response(cache.rendered(series, _series_json), media_type="application/json")


def _series_json(series: SentimentSeries) -> bytes:
    """The SeriesOut body of a series."""
    return (
        SeriesOut(
            scope=series.scope,
            bucket=series.bucket,  # type: ignore[arg-type]
            model_versions=[VersionSet(**v) for v in series.model_versions],
            mixed_versions=series.mixed_versions,
            items=[SeriesPoint(**bucket_row(series, i)) for i in range(len(series.times))],
        )
        .model_dump_json()
        .encode("utf-8")
    )


def export_params(
    *,
    session: SessionDep,
    params: SeriesParams,
    by: Annotated[
        Literal["entity", "narrative", "source"] | None,
        Query(description="One row per bucket x this (default: entity, or the one given)."),
    ] = None,
    min_mentions: Annotated[
        int,
        Query(
            ge=1,
            le=10**9,
            description="Without entity/narrative/source: scopes with "
            "at least this many mentions (narratives: sentences; sources: articles).",
        ),
    ] = DEFAULT_MIN_MENTIONS,
) -> SentimentExport:
    """The export's scopes and range; 404 naming the parameter for an unknown scope."""
    chosen = {"entity": params.entity, "narrative": params.narrative, "source": params.source}
    given = next((kind for kind, value in chosen.items() if value), None)
    if given and by and by != given:
        raise ApiProblem(422, f"by={by} does not fit {given}={chosen[given]}", param="by")
    kind: Any = given or by or "entity"
    scope_id = chosen[given] if given else None
    if scope_id is not None and scope_name(session, kind, scope_id) is None:
        raise ApiProblem(404, f"no {kind} {scope_id!r} in the store", param=kind)
    return SentimentExport(by=kind, scope_id=scope_id, bucket=params.bucket, start=params.start,
                           end=params.end, min_mentions=min_mentions)  # fmt: skip


ExportParams = Annotated[SentimentExport, Depends(export_params)]
_TIME = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [("scope_kind", pa.string()), ("scope_id", pa.string()), ("scope_name", pa.string()),
     ("bucket", pa.string()), ("bucket_start", _TIME), ("bucket_end", _TIME), ("as_of", _TIME),
     ("articles", pa.int64())]
    + [(name, pa.float64()) for name in ("mentions", "mean", "weighted", "bullish_share",
       "bearish_share", "neutral_share", "dispersion", "zscore", "share_of_voice")]
    + [(name, pa.string()) for name in ("sentiment_model", "narratives_model",
       "taxonomy_version", "pipeline_version")]
    + [("mixed_versions", pa.bool_())]
)  # fmt: skip
COLUMNS = SCHEMA.names


def _csv_rows(batches: Any) -> Any:
    """Times as RFC 3339 text in the CSV."""
    for batch in batches:
        yield [
            {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
            for row in batch
        ]


@router.get("/export/sentiment.csv", response_class=StreamingResponse)
def export_sentiment_csv(engine: EngineDep, export: ExportParams) -> StreamingResponse:
    """One row per bucket x entity (or narrative, or source) with data, streamed as CSV."""
    return csv_response(_csv_rows(export_batches(engine, export)), COLUMNS, "sentiment.csv")


@router.get("/export/sentiment.parquet", response_class=StreamingResponse)
def export_sentiment_parquet(engine: EngineDep, export: ExportParams) -> StreamingResponse:
    """The CSV export's rows as Parquet (zstd), one row group per scope, streamed."""
    return parquet_response(export_batches(engine, export), SCHEMA, "sentiment.parquet")
