"""NLP results per article: sentences, linked entities, mentions, entity sentiment."""

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class ProcessingStatus(StrEnum):
    NEW = "new"
    DONE = "done"
    FAILED = "failed"


class Sentence(SQLModel, table=True):
    """A sentence of an article with its sentiment."""

    __table_args__ = (UniqueConstraint("article_id", "index"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    index: int
    start: int
    end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    label: str | None = None  # negative | neutral | positive
    score: float | None = None  # p(positive) - p(negative)
    probs: dict[str, float] | None = Field(default=None, sa_column=Column(JSON))


class Entity(SQLModel, table=True):
    """A canonical entity: from the built-in knowledge base or added by a user."""

    id: str = Field(primary_key=True)  # e.g. crypto:btc, etf:ibit, org:federal-reserve
    name: str
    type: str = Field(index=True)
    symbol: str | None = Field(default=None, index=True)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    extra: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    user_defined: bool = False
    curated: bool = Field(default=True, index=True)  # False: id derived from an unknown name
    mention_count: int = 0  # stored mentions; kept for uncurated entities


class Mention(SQLModel, table=True):
    """One mention of an entity (linked or not) in an article."""

    __table_args__ = (Index("ix_mention_entity_article", "entity_id", "article_id"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    sentence_index: int | None = None
    entity_id: str | None = Field(default=None, index=True)  # None: unlinked NER mention
    label: str  # entity type (KB type or spaCy label)
    start: int
    end: int
    text: str


class EntitySentiment(SQLModel, table=True):
    """How an article speaks of one entity."""

    __table_args__ = (
        UniqueConstraint("article_id", "entity_id"),
        Index("ix_entitysentiment_entity_article", "entity_id", "article_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    entity_id: str = Field(index=True)
    name: str
    score: float
    confidence: float
    n: int
