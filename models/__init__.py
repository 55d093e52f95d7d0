"""Data models: SQLModel tables, API schemas, engine and migrations (not ML models; see nlp/)."""

from models.articles import Article, DedupeKind, PublishedFrom, TextSource
from models.claims import Claim
from models.keys import ApiKey, KeyScope
from models.nlp import Entity, EntitySentiment, Mention, ProcessingStatus, Sentence
from models.sources import FetchRecord, Source, SourceCategory, SourceKind

__all__ = [
    "ApiKey",
    "Article",
    "Claim",
    "DedupeKind",
    "Entity",
    "EntitySentiment",
    "FetchRecord",
    "KeyScope",
    "Mention",
    "ProcessingStatus",
    "PublishedFrom",
    "Sentence",
    "Source",
    "SourceCategory",
    "SourceKind",
    "TextSource",
]
