"""What pipeline stages share with the Analyzer: the per-document context, the stage protocol
and the resources a stage factory receives. Stages import this module, never nlp.pipeline, so
the pipeline can name its stages without an import cycle.

A stage is built once per Analyzer by a factory named in nlp.pipeline.STAGES
("module:function"); the factory receives StageResources (the spaCy pipeline, the KB, the
settings) and returns an object with a `name`, a `version` (recorded in model_versions) and
`__call__(ctx)` that fills its part of `ctx.analysis`. A stage may also offer `run_batch(ctxs)`,
which `Analyzer.pipe` prefers (e.g. to batch a transformer over many documents).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from nlp.entities.kb import KnowledgeBase
from nlp.sentences import SentenceIndex, SentenceSpan
from nlp.settings import NlpSettings
from nlp.types import Analysis


@dataclass
class AnalysisContext:
    """Everything a stage sees for one document; stages write into `analysis`."""

    text: str
    published_at: date | None
    doc: Doc
    sentences: list[SentenceSpan]
    kb: KnowledgeBase
    analysis: Analysis
    language: str = "en"
    sentence_vectors: np.ndarray | None = None
    """The sentiment model's pooled vector of each of `analysis.sentences` (rows in order), left
    by the sentiment stage when TIDINGS_NARRATIVES_ENCODER=sentiment, for the narrative stage."""

    def sentence_of(self, offset: int) -> int | None:
        """Index of the sentence holding character `offset` (None between sentences)."""
        return SentenceIndex(self.sentences).of(offset)


@runtime_checkable
class Stage(Protocol):
    """One analysis step; `version` changes whenever its output may change."""

    name: str
    version: str

    def __call__(self, ctx: AnalysisContext) -> None:
        """Fill this stage's part of ctx.analysis."""


@dataclass(frozen=True)
class StageResources:
    """What a stage factory may use: shared, loaded once per Analyzer."""

    nlp: Language
    kb: KnowledgeBase
    settings: NlpSettings


StageFactory = Callable[[StageResources], Stage]
