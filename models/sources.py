"""Feed sources and every HTTP fetch made for them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime, LargeBinary
from sqlmodel import Field, SQLModel

from models._time import utcnow


class SourceKind(StrEnum):
    RSS = "rss"
    ATOM = "atom"
    FILE = "file"
    MARKET = "market"


class SourceCategory(StrEnum):
    CRYPTO = "crypto"
    MACRO = "macro"
    EQUITIES = "equities"


class SourceBase(SQLModel):
    """Fields a user gives when adding a source (CLI, API)."""

    name: str = Field(index=True)
    url: str = Field(unique=True, index=True)
    kind: SourceKind = SourceKind.RSS
    category: SourceCategory = SourceCategory.CRYPTO
    language: str = "en"
    enabled: bool = True
    poll_interval_s: int = 900


class Source(SourceBase, table=True):
    """A feed or file origin with its polling state and health."""

    id: int | None = Field(default=None, primary_key=True)
    builtin: bool = False
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    last_polled_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    next_poll_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True, index=True)
    )
    consecutive_failures: int = 0
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class FetchRecord(SQLModel, table=True):
    """One HTTP fetch (feed, page or robots.txt) with its compressed raw body."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    url: str = Field(index=True)
    final_url: str | None = None
    purpose: str = "feed"  # feed | page | robots
    status: int | None = None
    error: str | None = None
    fetched_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    elapsed_ms: int | None = None
    content_type: str | None = None
    size_bytes: int = 0
    body_gz: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
