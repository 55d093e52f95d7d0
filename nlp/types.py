"""The typed result of `nlp.analyze`; its JSON form is the `analyze --json` format."""

from typing import Any

from pydantic import BaseModel, Field


class EntityMention(BaseModel):
    """A span naming an entity; `entity_id` is None for NER mentions the KB does not know."""

    start: int
    end: int
    text: str
    entity_id: str | None
    name: str
    type: str
    curated: bool | None = None  # True: a KB entity; False: an id derived from the name
    sentence_index: int | None = Field(default=None, exclude=True)
    nested_in: int | None = Field(default=None, exclude=True)  # index of the enclosing mention


class ClaimRecord(BaseModel):
    """A numeric claim: value, unit and what it is about."""

    start: int
    end: int
    text: str
    value: float | None
    unit: str | None
    metric: str | None
    subject: str | None
    subject_id: str | None
    direction: str | None  # up | down | none
    claim_type: str | None  # observation | forecast | historical | threshold_level | other
    time_start: str | None  # ISO date
    time_end: str | None
    time_text: str | None
    attributed_to: str | None
    qualifier: str | None  # about | over | below | low | range_lower | range_upper
    sentence_index: int
    stance: str | None = None  # bullish | bearish, for forecast claims
    unit_inferred: bool = False  # the text leaves the unit out; context fixed it (claims.units)
    # which named rule decided metric, claim_type and direction (`analyze --explain`); never in
    # the --json object unless asked for, never stored
    explanation: dict[str, Any] | None = Field(default=None, exclude=True)


class SentenceResult(BaseModel):
    """A sentence span with its sentiment (None until a sentiment backend runs)."""

    start: int
    end: int
    text: str
    label: str | None = None
    score: float | None = None
    probs: dict[str, float] | None = None


class EntitySentimentResult(BaseModel):
    """Sentiment of the article toward one entity."""

    entity_id: str
    name: str
    score: float
    n: int
    confidence: float | None = None


class DocumentSentiment(BaseModel):
    """Sentiment of the whole article, with confidence and a flag for mixed text."""

    label: str
    score: float
    confidence: float | None = None
    uncertainty: float | None = None
    mixed: bool | None = None


class NarrativeResult(BaseModel):
    """A narrative the document speaks to, and in which sentences."""

    id: str
    name: str
    score: float  # mean of its sentences' scores
    sentence_indexes: list[int]
    sentence_scores: list[float] = Field(default_factory=list, exclude=True)


class Analysis(BaseModel):
    """Everything `analyze` finds in one text."""

    entities: list[EntityMention] = Field(default_factory=list)
    claims: list[ClaimRecord] = Field(default_factory=list)
    sentences: list[SentenceResult] = Field(default_factory=list)
    entity_sentiment: list[EntitySentimentResult] = Field(default_factory=list)
    document: DocumentSentiment | None = None
    narratives: list[NarrativeResult] = Field(default_factory=list)
    model_versions: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)  # what was skipped, and why

    def to_json_dict(self) -> dict[str, Any]:
        """The `analyze --json` object ("notes" only when something was skipped)."""
        return self.model_dump(mode="json", exclude=None if self.notes else {"notes"})
