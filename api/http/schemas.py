"""Response bodies of the HTTP API."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from models.claims import ClaimBase
from models.sources import SourceCategory, SourceKind


def _utc(value: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back naive, so mark them (RFC 3339 needs it)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


NO_NUL = r"^[^\x00]*$"
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
SentimentLabel = Literal["negative", "neutral", "positive"]
ClaimType = Literal["observation", "forecast", "historical", "threshold_level", "other"]
Direction = Literal["up", "down", "none"]


class ArticleSummary(BaseModel):
    id: int
    url: str
    title: str
    source_id: int | None
    published_at: UtcDatetime | None
    status: str
    sentiment_label: str | None
    sentiment_score: float | None


class SentenceOut(BaseModel):
    index: int
    start: int
    end: int
    text: str
    label: str | None
    score: float | None


class MentionOut(BaseModel):
    sentence_index: int | None
    entity_id: str | None
    label: str
    start: int
    end: int
    text: str


class ClaimOut(ClaimBase):
    id: int
    article_id: int
    sentence_text: str


class ClaimHitOut(ClaimOut):
    title: str
    url: str
    published_at: UtcDatetime | None
    rank: float | None = None


class EntitySentimentOut(BaseModel):
    entity_id: str
    name: str
    score: float
    confidence: float
    n: int


class ArticleDetail(ArticleSummary):
    author: str | None
    language: str | None
    text: str
    sentiment_confidence: float | None
    model_versions: dict[str, Any] | None
    sentences: list[SentenceOut]
    mentions: list[MentionOut]
    claims: list[ClaimOut]
    entity_sentiment: list[EntitySentimentOut]


class ClaimDetail(ClaimOut):
    article: ArticleSummary
    sentence: SentenceOut | None


class EntityOut(BaseModel):
    id: str
    name: str
    type: str
    symbol: str | None
    aliases: list[str]
    user_defined: bool
    curated: bool = True  # False: an id derived from a name the knowledge base does not know
    mention_count: int = 0  # stored mentions (kept for uncurated entities)


class EntityDetail(EntityOut):
    mentions: int
    articles: int
    claims: int
    mean_sentiment: float | None
    recent_articles: list[ArticleSummary]


class StatsOut(BaseModel):
    sources: int
    articles: int
    duplicates: int
    processed: int
    failed: int
    pending: int
    sentences: int
    mentions: int
    claims: int
    entities: int
    first_published: UtcDatetime | None
    last_published: UtcDatetime | None


class SourceIn(BaseModel):
    url: str = Field(max_length=2000, pattern=NO_NUL, examples=["https://example.com/feed.xml"])
    name: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    category: SourceCategory = SourceCategory.CRYPTO
    language: str = Field(default="en", min_length=2, max_length=8, pattern=NO_NUL)


class SourceOut(BaseModel):
    id: int
    name: str
    url: str
    kind: SourceKind
    category: SourceCategory
    language: str
    enabled: bool
    builtin: bool
    last_status: int | None
    last_error: str | None
    last_polled_at: UtcDatetime | None
    consecutive_failures: int


class AnalyzeIn(BaseModel):
    text: str = Field(min_length=1, pattern=NO_NUL, examples=["Bitcoin fell 5% on Monday."])
    published: date | None = Field(default=None, examples=["2025-11-05"])


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    version: str


class Problem(BaseModel):
    """An error (RFC 9457 problem details, served as application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    param: str | None = None
    errors: list[dict[str, Any]] | None = None
