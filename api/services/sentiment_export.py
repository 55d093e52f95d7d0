"""Sentiment series as rows for models: one row per bucket x entity, narrative or source.

Each row is one bucket of `sentiment_series` (api/services/series.py) for one scope, with its
point-in-time columns: the bucket's start and end, and `as_of` = the end — every article it
counts was known (published, for archive imports; first seen, for live crawls) before then, and
the z-score looks only at earlier buckets, so a row never uses what was unknown at `as_of`. The
model versions of the analyses behind each bucket are columns too (a bucket mixing two version
sets says so). Scopes are exported one after another, so memory holds one series at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from api.services.series import BUCKETS, SentimentSeries, SeriesQuery, sentiment_series
from models.analysis import Entity, EntitySentiment
from models.articles import Article
from models.narratives import Narrative, NarrativeAssignment
from models.sources import Source

ScopeKind = Literal["entity", "narrative", "source"]
DEFAULT_MIN_MENTIONS = 20
NUMBERS = (
    "mentions", "mean", "weighted", "bullish_share", "bearish_share", "neutral_share",
    "dispersion", "zscore", "share_of_voice",
)  # fmt: skip
VERSION_COLUMNS = ("sentiment_model", "narratives_model", "taxonomy_version", "pipeline_version")


@dataclass(frozen=True)
class SentimentExport:
    """Which rows: every scope of kind `by` with at least `min_mentions` (entity mentions,
    narrative sentences or scored articles) in processed articles, or only `scope_id`."""

    by: ScopeKind = "entity"
    scope_id: str | None = None
    bucket: str = "1d"
    start: datetime | None = None
    end: datetime | None = None
    min_mentions: int = DEFAULT_MIN_MENTIONS

    def series_query(self, scope_id: str) -> SeriesQuery:
        """The series query of one scope."""
        scope = {"entity": None, "narrative": None, "source": None} | {self.by: scope_id}
        return SeriesQuery(
            entity=scope["entity"],
            narrative=scope["narrative"],
            source=scope["source"],
            bucket=self.bucket,
            start=self.start,
            end=self.end,
        )


def _live() -> Any:
    return (col(Article.duplicate_of).is_(None)) & (col(Article.status) == "done")


def _ranked_scopes(session: Session, by: ScopeKind, min_mentions: int) -> Any:
    """(id, name) of every scope of kind `by` with at least `min_mentions`, by id."""
    stmt: Any
    if by == "entity":
        es = EntitySentiment
        stmt = (
            select(col(es.entity_id), func.coalesce(col(Entity.name), col(es.entity_id)))
            .join(Article, col(Article.id) == col(es.article_id))
            .outerjoin(Entity, col(Entity.id) == col(es.entity_id))
            .where(_live())
            .group_by(col(es.entity_id), col(Entity.name))
            .having(func.sum(col(es.n)) >= min_mentions)
            .order_by(col(es.entity_id))
        )
    elif by == "narrative":
        na = NarrativeAssignment
        stmt = (
            select(col(na.narrative_id), func.coalesce(col(Narrative.name), col(na.narrative_id)))
            .join(Article, col(Article.id) == col(na.article_id))
            .outerjoin(Narrative, col(Narrative.id) == col(na.narrative_id))
            .where(_live())
            .group_by(col(na.narrative_id), col(Narrative.name))
            .having(func.count() >= min_mentions)
            .order_by(col(na.narrative_id))
        )
    else:
        stmt = (
            select(col(Source.id), col(Source.name))
            .join(Article, col(Article.source_id) == col(Source.id))
            .where(_live(), col(Article.sentiment_score).is_not(None))
            .group_by(col(Source.id), col(Source.name))
            .having(func.count() >= min_mentions)
            .order_by(col(Source.id))
        )
    return [(str(scope), str(name)) for scope, name in session.execute(stmt)]


def scope_name(session: Session, by: ScopeKind, scope_id: str) -> str | None:
    """The display name of one scope, or None when the store has no such entity, narrative or
    source (a source may be given by id or name)."""
    if by == "entity":
        entity = session.get(Entity, scope_id)
        return entity.name if entity else None
    if by == "narrative":
        narrative = session.get(Narrative, scope_id)
        return narrative.name if narrative else None
    if scope_id.isdigit():
        source = session.get(Source, int(scope_id))
    else:
        named = select(Source).where(func.lower(col(Source.name)) == scope_id.lower())
        source = session.scalars(named).first()
    return source.name if source else None


def export_scopes(session: Session, export: SentimentExport) -> list[tuple[str, str]]:
    """(id, name) of the scopes the export covers, in id order."""
    if export.scope_id is not None:
        name = scope_name(session, export.by, export.scope_id)
        return [(export.scope_id, name)] if name is not None else []
    return _ranked_scopes(session, export.by, export.min_mentions)


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _versions(series: SentimentSeries, i: int) -> dict[str, Any]:
    """The version columns of bucket i (values of a mixed bucket joined by ';')."""
    sets = [series.model_versions[j]["versions"] for j in series.bucket_versions[i]]

    def joined(key: str) -> str | None:
        values = sorted({str(v[key]) for v in sets if v.get(key)})
        return ";".join(values) or None

    narratives = joined("narratives")
    taxonomy = ";".join(sorted({n.rsplit("-", 1)[-1] for n in (narratives or "").split(";") if n}))
    return {
        "sentiment_model": joined("sentiment"),
        "narratives_model": narratives,
        "taxonomy_version": taxonomy or None,
        "pipeline_version": joined("pipeline"),
        "mixed_versions": len(sets) > 1,
    }


def bucket_row(series: SentimentSeries, i: int) -> dict[str, Any]:
    """Bucket i of `series` as a row: start, end, as_of, counts, sentiment, model versions."""
    start = series.times[i].replace(tzinfo=UTC)
    end = start + BUCKETS[series.bucket]
    bull, bear = series.bullish_share[i], series.bearish_share[i]
    row: dict[str, Any] = {
        "bucket_start": start,
        "bucket_end": end,
        "as_of": end,
        "articles": int(series.articles[i]),
    }
    values = {name: getattr(series, name)[i] for name in NUMBERS if name != "neutral_share"}
    values["neutral_share"] = 1.0 - bull - bear
    row.update({name: _number(values[name]) for name in NUMBERS})
    return row | _versions(series, i)


def export_batches(engine: Engine, export: SentimentExport) -> Iterator[list[dict[str, Any]]]:
    """The export's rows, one batch per scope (buckets without articles left out)."""
    with Session(engine) as session:
        scopes = export_scopes(session, export)
    for scope_id, name in scopes:
        # a session per scope: no connection or snapshot is held while the client reads
        with Session(engine) as session:
            series = sentiment_series(session, export.series_query(scope_id))
        head = {"scope_kind": export.by, "scope_id": scope_id, "scope_name": name,
                "bucket": export.bucket}  # fmt: skip
        rows = [
            head | bucket_row(series, i) for i in range(len(series.times)) if series.articles[i]
        ]
        if rows:
            yield rows
