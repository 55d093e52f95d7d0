"""Data models: SQLModel tables, API schemas, engine and migrations (not ML models; see nlp/)."""

from models.articles import Article, DedupeKind, PublishedFrom, TextSource
from models.claims import Claim
from models.narratives import Narrative, NarrativeAssignment, NarrativeKind
from models.nlp import Entity, EntitySentiment, Mention, ProcessingStatus, Sentence
from models.sources import FetchRecord, Source, SourceCategory, SourceKind

__all__ = [
    "Article",
    "Claim",
    "DedupeKind",
    "Entity",
    "EntitySentiment",
    "FetchRecord",
    "Mention",
    "Narrative",
    "NarrativeAssignment",
    "NarrativeKind",
    "ProcessingStatus",
    "PublishedFrom",
    "Sentence",
    "Source",
    "SourceCategory",
    "SourceKind",
    "TextSource",
]
