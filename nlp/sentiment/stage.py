"""The `sentiment` pipeline stage (named in nlp.pipeline.STAGES).

A batch of documents costs two model calls: every distinct sentence, then every distinct clause
that entity sentiment or forecast stance needs and that is not itself a sentence (a clause equal
to its sentence is the same model input, so the sentence's result is reused). The backends sort
each call by length, so one call over many documents pads far less than one call per document.
"""

from collections.abc import Sequence

from nlp.narratives.settings import get_narrative_settings
from nlp.sentiment.aggregate import apply_sentiment, targeted_texts
from nlp.sentiment.backend import Probs, SentimentBackend
from nlp.sentiment.embedded import EmbeddedBackend, shared_backend
from nlp.sentiment.registry import create_backend
from nlp.sentiment.settings import get_sentiment_settings
from nlp.stages import AnalysisContext, StageResources


class SentimentStage:
    """Sentence, entity and document sentiment plus forecast stance for analyzed documents."""

    name = "sentiment"

    def __init__(
        self, backend: SentimentBackend, *, vectors: EmbeddedBackend | None = None
    ) -> None:
        """With `vectors` (the same model opened with its embedding output), sentences are
        scored by it in one pass that also leaves each sentence's pooled vector in
        `ctx.sentence_vectors` for the narrative stage (sentences then bypass the result cache;
        clauses still use `backend`)."""
        self.backend = backend
        self.vectors = vectors
        self.version = backend.version

    def __call__(self, ctx: AnalysisContext) -> None:
        """Score one document (English only: the models are English)."""
        self.run_batch([ctx])

    def run_batch(self, ctxs: Sequence[AnalysisContext]) -> None:
        """Score all English documents' sentences, then their targeted clauses, then aggregate."""
        todo_ctxs = [c for c in ctxs if c.language == "en" and c.analysis.sentences]
        todo = [c.analysis for c in todo_ctxs]
        if not todo:
            return
        sentences = dict.fromkeys(s.text for a in todo for s in a.sentences)
        if self.vectors is not None:
            keys = list(sentences)
            probs, vectors = self.vectors.predict_with_embeddings(keys)
            scored = dict(zip(keys, probs, strict=True))
            row = {text: i for i, text in enumerate(keys)}
            for ctx in todo_ctxs:
                ctx.sentence_vectors = vectors[[row[s.text] for s in ctx.analysis.sentences]]
        else:
            scored = self._score(sentences)
        targets = dict.fromkeys(t for a in todo for t in targeted_texts(a) if t not in scored)
        scored.update(self._score(targets))
        for analysis in todo:
            probs = [dict(scored[s.text]) for s in analysis.sentences]
            apply_sentiment(analysis, self.backend, sentence_probs=probs, clause_probs=scored)

    def _score(self, texts: dict[str, None]) -> dict[str, Probs]:
        """Text -> probabilities, in one backend call for the distinct texts given."""
        keys = list(texts)
        return dict(zip(keys, self.backend.predict(keys), strict=True)) if keys else {}


def sentiment_stage(resources: StageResources) -> SentimentStage:
    """Factory of the sentiment stage: the backend chosen by TIDINGS_SENTIMENT_BACKEND."""
    del resources  # the sentiment models need nothing from spaCy or the KB
    settings = get_sentiment_settings()
    share = (
        get_narrative_settings().narratives_encoder == "sentiment"
        and settings.sentiment_backend == "embedded"
    )
    return SentimentStage(
        create_backend(settings), vectors=shared_backend(settings) if share else None
    )
