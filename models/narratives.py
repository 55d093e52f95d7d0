"""Narratives: the taxonomy (built-in, user, discovered) and sentence-level assignments."""

from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class NarrativeKind(StrEnum):
    BUILTIN = "built-in"
    USER = "user"
    DISCOVERED = "discovered"


class Narrative(SQLModel, table=True):
    """One narrative of the taxonomy, or a discovered candidate not promoted yet."""

    id: str = Field(primary_key=True)  # e.g. etf-flows, user:my-theme, candidate:3f2a9c
    name: str
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    seeds: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    size: int | None = None  # discovered candidates: sentences in the cluster
    kind: str = Field(default=NarrativeKind.BUILTIN.value, index=True)


class NarrativeAssignment(SQLModel, table=True):
    """A sentence of an article speaks to a narrative, with the assignment score."""

    __table_args__ = (
        UniqueConstraint("article_id", "sentence_index", "narrative_id"),
        Index("ix_narrativeassignment_narrative_article", "narrative_id", "article_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    sentence_index: int
    narrative_id: str = Field(index=True)
    score: float
    model_version: str
