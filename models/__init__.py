"""Data models: SQLModel tables, API schemas, engine and migrations (not ML models; see nlp/)."""

from models.analysis import Entity, EntitySentiment, Mention, ProcessingStatus, Sentence
from models.articles import Article, DedupeKind, PublishedFrom, TextSource
from models.checks import ClaimCheck, ForecastResolution
from models.claims import Claim
from models.keys import ApiKey, KeyScope
from models.market import DayClose, MarketPoint, MarketSeries, SeriesKind
from models.narratives import Narrative, NarrativeAssignment, NarrativeKind
from models.sources import FetchRecord, Source, SourceCategory, SourceKind

__all__ = [
    "ApiKey",
    "Article",
    "Claim",
    "ClaimCheck",
    "DayClose",
    "DedupeKind",
    "Entity",
    "EntitySentiment",
    "FetchRecord",
    "ForecastResolution",
    "KeyScope",
    "MarketPoint",
    "MarketSeries",
    "Mention",
    "Narrative",
    "NarrativeAssignment",
    "NarrativeKind",
    "ProcessingStatus",
    "PublishedFrom",
    "Sentence",
    "SeriesKind",
    "Source",
    "SourceCategory",
    "SourceKind",
    "TextSource",
]
