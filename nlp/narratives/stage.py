"""The `narratives` pipeline stage (named in nlp.pipeline.STAGES)."""

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from nlp.narratives.assign import (
    SHARED_CLASSIFIER_FILE,
    SHARED_CONFIG,
    AssignConfig,
    Assignment,
    NarrativeModel,
    SentenceClassifier,
)
from nlp.narratives.encoder import SentimentEncoder, load_encoder, load_sentiment_encoder
from nlp.narratives.settings import get_narrative_settings
from nlp.narratives.taxonomy import Taxonomy
from nlp.types import NarrativeResult

if TYPE_CHECKING:
    from nlp.narratives.encoder import SentenceEncoder
    from nlp.stages import AnalysisContext, StageResources


def document_narratives(
    model: NarrativeModel, per_sentence: Sequence[Sequence[Assignment]]
) -> list[NarrativeResult]:
    """An article's narratives from its sentences' assignments; most sentences first."""
    found: dict[str, list[tuple[int, float]]] = {}
    for index, assignments in enumerate(per_sentence):
        for a in assignments:
            found.setdefault(a.narrative_id, []).append((index, a.score))
    names = {n.id: n.name for n in model.narratives}
    results = [
        NarrativeResult(
            id=nid,
            name=names[nid],
            score=round(sum(s for _, s in hits) / len(hits), 4),
            sentence_indexes=[i for i, _ in hits],
            sentence_scores=[s for _, s in hits],
        )
        for nid, hits in found.items()
    ]
    return sorted(results, key=lambda r: (-len(r.sentence_indexes), -r.score, r.id))


class NarrativeStage:
    """Sentence-level narratives of English documents (the encoder is English)."""

    name = "narratives"

    def __init__(self, model: NarrativeModel) -> None:
        self.model = model
        self.version = model.version

    def __call__(self, ctx: "AnalysisContext") -> None:
        """Assign one document's sentences."""
        self.run_batch([ctx])

    def run_batch(self, ctxs: Sequence["AnalysisContext"]) -> None:
        """All English documents' sentences through the model in one pass."""
        todo = [c for c in ctxs if c.language == "en" and c.analysis.sentences]
        documents = [[s.text for s in c.analysis.sentences] for c in todo]
        vectors = None
        shared = isinstance(self.model.encoder, SentimentEncoder)
        if shared and todo and all(c.sentence_vectors is not None for c in todo):
            vectors = np.concatenate([c.sentence_vectors for c in todo])  # type: ignore[misc]
        assigned_docs = self.model.assign_documents(documents, vectors=vectors)
        for ctx, assigned in zip(todo, assigned_docs, strict=True):
            ctx.analysis.narratives = document_narratives(self.model, assigned)


def narrative_stage(resources: "StageResources") -> NarrativeStage:
    """Factory of the narrative stage: built-in taxonomy plus TIDINGS_USER_NARRATIVES_FILE, the
    encoder named by TIDINGS_NARRATIVES_ENCODER (the narrative encoder's own pass run as
    TIDINGS_NARRATIVE_THREADS and TIDINGS_NARRATIVE_BATCH_SIZE say)."""
    del resources  # the encoder needs nothing from spaCy or the KB
    settings = get_narrative_settings()
    taxonomy = Taxonomy.load(settings.user_narratives_file)
    if settings.narratives_encoder == "sentiment":
        config = replace(SHARED_CONFIG, gate=settings.narratives_gate)
        classifier = SentenceClassifier.load(SHARED_CLASSIFIER_FILE)
        encoder: SentimentEncoder | SentenceEncoder = load_sentiment_encoder()
    else:
        config = AssignConfig(gate=settings.narratives_gate)
        classifier = SentenceClassifier.load()
        encoder = load_encoder(
            threads=settings.narrative_threads, batch_size=settings.narrative_batch_size
        )
    return NarrativeStage(NarrativeModel(taxonomy, encoder, config=config, classifier=classifier))
