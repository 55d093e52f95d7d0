"""Articles: the raw text store that the NLP step reads."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel

from models._time import utcnow


class PublishedFrom(StrEnum):
    FEED = "feed"
    PAGE = "page"
    RECORD = "record"  # an imported file's own field or --published
    FIRST_SEEN = "first_seen"


class TextSource(StrEnum):
    PAGE = "page"
    FEED = "feed"
    FILE = "file"


class DedupeKind(StrEnum):
    URL = "url"
    HASH = "hash"
    NEAR = "near"


class ArticleBase(SQLModel):
    """Fields shared by stored and served articles."""

    url: str = Field(unique=True, index=True)  # canonical URL (or file:// URI for imports)
    title: str = ""
    author: str | None = None
    language: str | None = None
    published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True, index=True)
    )
    published_from: PublishedFrom = PublishedFrom.FIRST_SEEN


class Article(ArticleBase, table=True):
    """One article with its text, dedupe state and processing state."""

    __table_args__ = (
        Index("ix_article_published_id", "published_at", "id"),
        Index("ix_article_source_id_id", "source_id", "id"),
        Index("ix_article_processed_id", "processed_at", "id"),  # GET /stream
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    fetch_id: int | None = Field(default=None, foreign_key="fetchrecord.id")
    original_url: str | None = None
    first_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    text_source: TextSource = TextSource.PAGE
    content_hash: str = Field(index=True)
    minhash: bytes | None = None
    duplicate_of: int | None = Field(default=None, foreign_key="article.id", index=True)
    duplicate_kind: DedupeKind | None = None
    extraction_note: str | None = None
    # processing (filled by `tidings process`)
    status: str = Field(default="new", index=True)  # new | done | failed
    error: str | None = None
    processed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    model_versions: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # when `--enqueue` last put the article on the task queue (None: never queued)
    queued_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    # document sentiment (filled by `tidings process`)
    sentiment_label: str | None = Field(default=None, index=True)
    sentiment_score: float | None = None
    sentiment_confidence: float | None = None
    sentiment_mixed: bool | None = None
