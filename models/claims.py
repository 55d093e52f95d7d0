"""Numeric claims extracted from articles."""

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel


class ClaimBase(SQLModel):
    """A structured numeric claim, as served by search."""

    start: int
    end: int
    text: str
    value: float | None = Field(default=None, index=True)
    unit: str | None = Field(default=None, index=True)
    unit_inferred: bool = False  # the text leaves the unit out; context fixed it
    metric: str | None = Field(default=None, index=True)
    subject: str | None = None
    subject_id: str | None = Field(default=None, index=True)
    direction: str | None = Field(default=None, index=True)
    claim_type: str | None = Field(default=None, index=True)
    time_start: date | None = Field(default=None, index=True)
    time_end: date | None = None
    time_text: str | None = None
    attributed_to: str | None = Field(default=None, index=True)
    qualifier: str | None = None
    sentence_index: int | None = None
    stance: str | None = None  # bullish | bearish, for forecasts


class Claim(ClaimBase, table=True):
    """A claim row tied to its article and sentence."""

    __table_args__ = (
        Index("ix_claim_article_sentence", "article_id", "sentence_index"),
        Index("ix_claim_subject_id_value", "subject_id", "value"),
        Index("ix_claim_metric_value", "metric", "value"),
        # claim search: filters and newest-first order on the article's date (0014)
        # covering the entity filter's columns: walking it newest first tests them in the index
        Index("ix_claim_published_id", "article_published_at", "id", "subject_id", "subject"),
        Index("ix_claim_metric_published", "metric", "article_published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    sentence_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # A copy of the article's published_at (triggers keep it in step; not part of any output).
    article_published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True), exclude=True
    )
