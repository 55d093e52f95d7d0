"""Sentiment series from the store, point in time: per entity, narrative, source or everything,
in 1h or 1d buckets, aggregated in SQL (one GROUP BY per series).

An article counts from when it could first have been known: its publication time when it was
imported from an archive (the archive says when it appeared), its first-seen time when it was
crawled live (a feed's own date may be earlier than when we could have read it) — never
earlier. Duplicates (`duplicate_of`) are left out, so a story counts once, at its original.
Every series reports the model versions of the analyses it holds, so a partial reprocess with a
newer model is visible instead of silently mixing two models.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Float, String, and_, case, cast, func, literal_column, null, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from api.analytics.transforms import FloatArray, trailing_zscore
from models.analysis import EntitySentiment, Sentence
from models.articles import Article, PublishedFrom, TextSource
from models.narratives import NarrativeAssignment
from models.sources import Source

# |score| below this is neutral: the band document labels use (nlp.sentiment.aggregate)
BULLISH_THRESHOLD = 0.1
BUCKETS = {"1h": timedelta(hours=1), "1d": timedelta(days=1)}
# grouped by the output name: PostgreSQL does not match a repeated expression with bound values
_BY_BUCKET: ColumnElement[Any] = literal_column("bucket")
_BY_VERSIONS: ColumnElement[Any] = literal_column("versions")
_SUMS = ("articles", "mentions", "items", "s", "ss", "sw", "w", "bull", "bear")
_SQLITE_FORMAT = {"1h": "%Y-%m-%d %H:00:00", "1d": "%Y-%m-%d"}
_PG_FORMAT = {"1h": "YYYY-MM-DD HH24:00:00", "1d": "YYYY-MM-DD"}


class SeriesError(ValueError):
    """A series request that cannot be answered (unknown bucket or source, two scopes...)."""


@dataclass(frozen=True)
class SeriesQuery:
    """Which series: one of entity / narrative / source (none: all articles), bucket and range."""

    entity: str | None = None
    narrative: str | None = None
    source: str | None = None  # source name or numeric id
    bucket: str = "1d"
    start: datetime | None = None  # first bucket (UTC); default: the first with data
    end: datetime | None = None  # last bucket (UTC), inclusive; default: the last with data
    zscore_window: int = 30  # buckets of trailing history for the z-score
    share_of_voice: bool = True  # off: skip the all-articles count (share_of_voice stays NaN)
    max_buckets: int | None = None  # SeriesError when the grid would be longer

    @property
    def scope(self) -> str:
        """'entity:crypto:btc', 'narrative:etf-flows', 'source:CoinTelegraph' or 'all'."""
        options = {"entity": self.entity, "narrative": self.narrative, "source": self.source}
        given = [(k, v) for k, v in options.items() if v]
        if len(given) > 1:
            raise SeriesError("give at most one of entity, narrative and source")
        return f"{given[0][0]}:{given[0][1]}" if given else "all"


@dataclass
class SentimentSeries:
    """Per-bucket sentiment on a complete grid (every bucket from start to end; NaN where none)."""

    scope: str
    bucket: str
    times: list[datetime]
    articles: FloatArray  # distinct articles (0 where none)
    mentions: FloatArray  # entity mentions / narrative sentences (NaN for source and all)
    mean: FloatArray  # mean sentiment score in [-1, 1]
    weighted: FloatArray  # confidence-weighted mean (narratives: weighted by assignment score)
    bullish_share: FloatArray  # share of items with score >= BULLISH_THRESHOLD
    bearish_share: FloatArray
    dispersion: FloatArray  # standard deviation of the scores in the bucket
    zscore: FloatArray  # mean against the trailing zscore_window buckets (past only)
    share_of_voice: FloatArray  # articles of this scope / all articles in the bucket
    model_versions: list[dict[str, Any]] = field(default_factory=list)
    # per bucket: indexes into model_versions of the version sets its analyses were made with
    bucket_versions: list[tuple[int, ...]] = field(default_factory=list)

    @property
    def mixed_versions(self) -> bool:
        """True when the series holds analyses of more than one model-version set."""
        return len(self.model_versions) > 1

    def rows(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per bucket."""
        names = (*_FIELDS, "zscore")
        return [
            {"time": t.isoformat()} | {n: _num(getattr(self, n)[i]) for n in names}
            for i, t in enumerate(self.times)
        ]


def _num(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)


def known_at() -> ColumnElement[Any]:
    """When an article could first have been known (see the module docstring)."""
    archived = and_(
        col(Article.text_source) == TextSource.FILE,
        col(Article.published_from) == PublishedFrom.RECORD,
        col(Article.published_at).is_not(None),
    )
    return case((archived, col(Article.published_at)), else_=col(Article.first_seen_at))


def bucket_key(session: Session, bucket: str) -> ColumnElement[Any]:
    """The bucket of `known_at()` as text ('YYYY-MM-DD' or 'YYYY-MM-DD HH:00:00', UTC)."""
    if bucket not in BUCKETS:
        raise SeriesError(f"unknown bucket {bucket!r}: use 1h or 1d")
    if session.get_bind().dialect.name == "postgresql":
        utc = func.timezone("UTC", known_at())
        return func.to_char(utc, _PG_FORMAT[bucket])
    return func.strftime(_SQLITE_FORMAT[bucket], known_at())


def _parse_key(key: str) -> datetime:
    return datetime.fromisoformat(key)


def _floor(moment: datetime, bucket: str) -> datetime:
    moment = moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    if bucket == "1d":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(minute=0, second=0, microsecond=0)


def _key_text(moment: datetime, bucket: str) -> str:
    return moment.strftime("%Y-%m-%d" if bucket == "1d" else "%Y-%m-%d %H:00:00")


def _live_articles() -> ColumnElement[bool]:
    """Processed articles that are not duplicates of another."""
    return and_(col(Article.duplicate_of).is_(None), col(Article.status) == "done")


def _scored(score: Any, weight: Any, *, count: Any, mentions: Any) -> list[Any]:
    """The aggregate columns every scope computes, over items with a `score` and a `weight`."""
    bull = case((score >= BULLISH_THRESHOLD, 1), else_=0)
    bear = case((score <= -BULLISH_THRESHOLD, 1), else_=0)
    return [
        count.label("articles"),
        mentions.label("mentions"),
        func.count(score).label("items"),
        func.sum(score).label("s"),
        func.sum(score * score).label("ss"),
        func.sum(score * weight).label("sw"),
        func.sum(weight).label("w"),
        func.sum(bull).label("bull"),
        func.sum(bear).label("bear"),
    ]


def _scope_select(session: Session, query: SeriesQuery) -> Any:
    """SELECT bucket, versions, aggregates ... for the query's scope (not yet grouped or filtered
    by time); grouped by bucket and model-version set, so one scan also says which versions the
    series holds."""
    key = bucket_key(session, query.bucket).label("bucket")
    versions = cast(col(Article.model_versions), String).label("versions")
    live = _live_articles()
    if query.entity:
        es = EntitySentiment
        cols = _scored(
            col(es.score),
            col(es.confidence),
            count=func.count(),
            mentions=cast(func.sum(col(es.n)), Float),
        )
        stmt = select(key, versions, *cols).join(Article, col(Article.id) == col(es.article_id))
        return stmt.where(live, col(es.entity_id) == query.entity)
    if query.narrative:
        na = NarrativeAssignment
        cols = _scored(
            col(Sentence.score),
            col(na.score),
            count=func.count(func.distinct(col(na.article_id))),
            mentions=cast(func.count(), Float),
        )
        stmt = select(key, versions, *cols).join(Article, col(Article.id) == col(na.article_id))
        stmt = stmt.join(
            Sentence,
            and_(
                col(Sentence.article_id) == col(na.article_id),
                col(Sentence.index) == col(na.sentence_index),
            ),
        )
        return stmt.where(live, col(na.narrative_id) == query.narrative)
    cols = _scored(
        col(Article.sentiment_score),
        col(Article.sentiment_confidence),
        count=func.count(),
        mentions=cast(null(), Float),
    )
    stmt = select(key, versions, *cols).where(live, col(Article.sentiment_score).is_not(None))
    if query.source:
        stmt = stmt.where(col(Article.source_id) == _source_id(session, query.source))
    return stmt


def _source_id(session: Session, source: str) -> int:
    """The id of a source given by id or (case-insensitive) name; SeriesError if none."""
    if source.isdigit():
        found = session.get(Source, int(source))
    else:
        by_name = select(Source).where(func.lower(col(Source.name)) == source.lower())
        found = session.scalars(by_name).first()
    if found is None or found.id is None:
        raise SeriesError(f"no source {source!r} (see `tidings sources list`)")
    return found.id


def _in_range(stmt: Any, key: Any, query: SeriesQuery) -> Any:
    if query.start is not None:
        stmt = stmt.where(key >= _key_text(_floor(query.start, query.bucket), query.bucket))
    if query.end is not None:
        stmt = stmt.where(key <= _key_text(_floor(query.end, query.bucket), query.bucket))
    return stmt


def _grid(keys: Sequence[str], query: SeriesQuery) -> list[datetime]:
    """Every bucket from the start (or first key) to the end (or last key)."""
    first = _floor(query.start, query.bucket) if query.start else None
    last = _floor(query.end, query.bucket) if query.end else None
    if keys:
        first = first or _parse_key(min(keys))
        last = last or _parse_key(max(keys))
    if first is None or last is None or last < first:
        return []
    step = BUCKETS[query.bucket]
    count = int((last - first) / step) + 1
    if query.max_buckets is not None and count > query.max_buckets:
        raise SeriesError(
            f"the series would span {count} {query.bucket} buckets; at most {query.max_buckets}"
        )
    return [first + i * step for i in range(count)]


def _merge_versions(result: Any) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Rows grouped by (bucket, versions) summed per bucket (each with its version texts under
    "_versions"), and the version sets with their article counts (most first)."""
    rows: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for bucket, text, *values in result:  # columns: bucket, versions, then _SUMS in order
        merged = rows.setdefault(bucket, dict.fromkeys(_SUMS) | {"_versions": set()})
        merged["_versions"].add(text or "")
        for name, value in zip(_SUMS, values, strict=True):
            if value is not None:
                merged[name] = (merged[name] or 0) + value
        counts[text or ""] = counts.get(text or "", 0) + int(values[0])
    ordered = sorted(counts.items(), key=lambda item: -item[1])
    versions = [
        {"versions": json.loads(text) if text else {}, "articles": n, "_text": text}
        for text, n in ordered
    ]
    return rows, versions


def _bucket_versions(
    rows: dict[str, dict[str, Any]], versions: list[dict[str, Any]], keys: list[str]
) -> list[tuple[int, ...]]:
    """For each bucket key, the indexes into `versions` of its version sets (popping "_text")."""
    index = {v.pop("_text"): i for i, v in enumerate(versions)}
    return [
        tuple(sorted(index[t] for t in rows[key]["_versions"])) if key in rows else ()
        for key in keys
    ]


def _totals(session: Session, query: SeriesQuery) -> dict[str, int]:
    """Processed, non-duplicate articles per bucket: the denominator of share of voice."""
    key = bucket_key(session, query.bucket).label("bucket")
    stmt = select(key, func.count()).where(_live_articles()).group_by(_BY_BUCKET)
    return {k: int(n) for k, n in session.execute(_in_range(stmt, key, query))}


def sentiment_series(
    session: Session, query: SeriesQuery, *, totals_cache: dict[Any, dict[str, int]] | None = None
) -> SentimentSeries:
    """The sentiment series of the query's scope, aggregated in SQL, on a complete grid.
    `totals_cache`: articles per bucket (the same for every scope) kept by the caller, keyed by
    bucket and range; the caller empties it whenever the store changes."""
    scope = query.scope
    key = bucket_key(session, query.bucket).label("bucket")
    stmt = _in_range(_scope_select(session, query), key, query)
    rows, versions = _merge_versions(session.execute(stmt.group_by(_BY_BUCKET, _BY_VERSIONS)))
    times = _grid(list(rows), query)
    totals: dict[str, int] = {}
    if times and query.share_of_voice:
        span = (query.bucket, query.start, query.end)
        cached = totals_cache.get(span) if totals_cache is not None else None
        totals = cached if cached is not None else _totals(session, query)
        if totals_cache is not None:
            totals_cache[span] = totals
    keys = [_key_text(t, query.bucket) for t in times]
    bucket_versions = _bucket_versions(rows, versions, keys)
    n = len(times)
    out = {name: np.full(n, np.nan) for name in _FIELDS}
    out["articles"] = np.zeros(n)
    for i, key_text in enumerate(keys):
        row = rows.get(key_text)
        if row is not None:
            _fill(out, i, row, total=totals.get(key_text, 0))
        elif totals.get(key_text):
            out["share_of_voice"][i] = 0.0  # articles that day, none of this scope
    return SentimentSeries(
        scope=scope,
        bucket=query.bucket,
        times=times,
        zscore=trailing_zscore(out["mean"], query.zscore_window),
        model_versions=versions,
        bucket_versions=bucket_versions,
        **out,
    )


_FIELDS = (
    "articles",
    "mentions",
    "mean",
    "weighted",
    "bullish_share",
    "bearish_share",
    "dispersion",
    "share_of_voice",
)


def _fill(out: dict[str, FloatArray], i: int, row: dict[str, Any], *, total: int) -> None:
    """Write one bucket's aggregates (sums over its version groups) into slot i."""
    items = int(row["items"] or 0)
    out["articles"][i] = row["articles"]
    out["mentions"][i] = np.nan if row["mentions"] is None else row["mentions"]
    out["share_of_voice"][i] = row["articles"] / total if total else np.nan  # total 0: not asked
    if items == 0:
        return
    mean = row["s"] / items
    out["mean"][i] = mean
    out["weighted"][i] = row["sw"] / row["w"] if row["w"] else mean
    out["bullish_share"][i] = row["bull"] / items
    out["bearish_share"][i] = row["bear"] / items
    out["dispersion"][i] = float(np.sqrt(max(0.0, row["ss"] / items - mean * mean)))
