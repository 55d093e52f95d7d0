"""The `sentiment` pipeline stage (named in nlp.pipeline.STAGES)."""

from collections.abc import Sequence

from nlp.sentiment.aggregate import apply_sentiment
from nlp.sentiment.backend import SentimentBackend
from nlp.sentiment.registry import create_backend
from nlp.sentiment.settings import get_sentiment_settings
from nlp.stages import AnalysisContext, StageResources


class SentimentStage:
    """Sentence, entity and document sentiment plus forecast stance for analyzed documents."""

    name = "sentiment"

    def __init__(self, backend: SentimentBackend) -> None:
        self.backend = backend
        self.version = backend.version

    def __call__(self, ctx: AnalysisContext) -> None:
        """Score one document (English only: the models are English)."""
        self.run_batch([ctx])

    def run_batch(self, ctxs: Sequence[AnalysisContext]) -> None:
        """Score all English documents' sentences in one length-sorted pass, then aggregate."""
        todo = [c for c in ctxs if c.language == "en" and c.analysis.sentences]
        texts = [s.text for c in todo for s in c.analysis.sentences]
        probs = iter(self.backend.predict(texts))
        for ctx in todo:
            mine = [next(probs) for _ in ctx.analysis.sentences]
            apply_sentiment(ctx.analysis, self.backend, sentence_probs=mine)


def sentiment_stage(resources: StageResources) -> SentimentStage:
    """Factory of the sentiment stage: the backend chosen by TIDINGS_SENTIMENT_BACKEND."""
    del resources  # the sentiment models need nothing from spaCy or the KB
    return SentimentStage(create_backend(get_sentiment_settings()))
