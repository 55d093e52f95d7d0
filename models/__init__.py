"""Data models: SQLModel tables, API schemas, engine and migrations (not ML models; see nlp/)."""

from models.articles import Article, DedupeKind, PublishedFrom, TextSource
from models.checks import ClaimCheck, ForecastResolution
from models.claims import Claim
from models.market import DayClose, MarketPoint, MarketSeries, SeriesKind
from models.nlp import Entity, EntitySentiment, Mention, ProcessingStatus, Sentence
from models.sources import FetchRecord, Source, SourceCategory, SourceKind

__all__ = [
    "Article",
    "Claim",
    "ClaimCheck",
    "DayClose",
    "DedupeKind",
    "Entity",
    "EntitySentiment",
    "FetchRecord",
    "ForecastResolution",
    "MarketPoint",
    "MarketSeries",
    "Mention",
    "ProcessingStatus",
    "PublishedFrom",
    "Sentence",
    "SeriesKind",
    "Source",
    "SourceCategory",
    "SourceKind",
    "TextSource",
]
