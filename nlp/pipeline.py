"""The analysis pipeline: spaCy once per process, sentences, then a list of pluggable stages.

Stages run in STAGES order (the protocol and the per-document context are in nlp.stages); the
entity stage runs first, so later stages can read `ctx.analysis.entities`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import lru_cache

import py3langid
from spacy.tokens import Doc

from nlp.entities.kb import KnowledgeBase
from nlp.errors import NlpError, TextTooLongError
from nlp.loading import load_spacy, model_version
from nlp.sentences import split_sentences
from nlp.settings import NlpSettings, get_nlp_settings
from nlp.stages import AnalysisContext, Stage, StageFactory, StageResources
from nlp.types import Analysis, SentenceResult

PIPELINE_VERSION = "1"

# Run order. Each entry names a stage factory `module:function(StageResources) -> Stage`.
STAGES: tuple[str, ...] = (
    "nlp.entities.stage:entity_stage",
    "nlp.claims.stage:claims_stage",
    "nlp.sentiment.stage:sentiment_stage",
    "nlp.narratives.stage:narrative_stage",
)


def resolve_stage(reference: str) -> StageFactory:
    """The factory named by `module:function`."""
    module_name, _, attr = reference.partition(":")
    factory: StageFactory = getattr(importlib.import_module(module_name), attr)
    return factory


def detect_language(text: str) -> str:
    """ISO code of the text's language; short texts count as English."""
    sample = text[:3000]
    if sum(c.isalpha() for c in sample) < 40:
        return "en"
    lang, _score = py3langid.classify(sample)
    return str(lang)


def chunk_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut after line breaks where possible, that join to
    `text` exactly."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind("\n"), window.rfind(" "), window.rfind("\t"))
        end = start + (cut + 1 if cut > 0 else limit)
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def _names(listing: str) -> tuple[str, ...]:
    """The names of a comma-separated setting."""
    return tuple(p.strip() for p in listing.split(",") if p.strip())


class Analyzer:
    """Loads the models once and analyzes texts one by one or in batches."""

    def __init__(
        self,
        settings: NlpSettings | None = None,
        *,
        kb: KnowledgeBase | None = None,
        stages: Sequence[str] | None = None,
    ) -> None:
        """Load spaCy and the KB (built-in + user file unless `kb` is given); build stages."""
        self.settings = settings or get_nlp_settings()
        self.nlp = load_spacy(
            self.settings.spacy_model,
            disable=_names(self.settings.spacy_disable),
            exclude=_names(self.settings.spacy_exclude),
        )
        # A chunk may exceed the limit by one line; keep spaCy's own guard above it.
        self.nlp.max_length = max(self.nlp.max_length, 2 * self.settings.nlp_max_chunk_chars)
        self.kb = kb if kb is not None else KnowledgeBase.load(user_file=self.settings.user_kb_file)
        resources = StageResources(nlp=self.nlp, kb=self.kb, settings=self.settings)
        self.stages: list[Stage] = [resolve_stage(ref)(resources) for ref in stages or STAGES]

    @property
    def model_versions(self) -> dict[str, str]:
        """Versions of everything that shaped the output, stored per article."""
        versions = {
            "spacy": model_version(self.nlp),
            "kb": self.kb.version,
            "pipeline": PIPELINE_VERSION,
        }
        versions.update({stage.name: stage.version for stage in self.stages})
        return versions

    def analyze(self, text: str, published_at: date | None = None) -> Analysis:
        """Analyze one text (pure: no database, no network)."""
        return next(self.pipe([(text, published_at)], batch_size=1, n_process=1))

    def pipe(
        self,
        items: Iterable[tuple[str, date | None]],
        *,
        batch_size: int | None = None,
        n_process: int | None = None,
    ) -> Iterator[Analysis]:
        """Analyze many (text, published_at) pairs, streaming results in input order."""
        size = batch_size or self.settings.nlp_batch_size
        procs = n_process or self.settings.nlp_n_process
        batch: list[tuple[str, date | None]] = []
        for item in items:
            batch.append(item)
            if len(batch) >= size * max(procs, 1):
                yield from self._run_batch(batch, batch_size=size, n_process=procs)
                batch = []
        if batch:
            yield from self._run_batch(batch, batch_size=size, n_process=procs)

    def _run_batch(
        self, batch: list[tuple[str, date | None]], *, batch_size: int, n_process: int
    ) -> list[Analysis]:
        """spaCy over every chunk of the batch at once, then the stages per document."""
        for text, _ in batch:
            self._check(text)
        docs = self._docs([text for text, _ in batch], batch_size=batch_size, n_process=n_process)
        contexts = [
            self._context(text, published_at, doc)
            for (text, published_at), doc in zip(batch, docs, strict=True)
        ]
        for stage in self.stages:
            run_batch = getattr(stage, "run_batch", None)
            if callable(run_batch):
                run_batch(contexts)
            else:
                for ctx in contexts:
                    stage(ctx)
        versions = self.model_versions
        for ctx in contexts:
            ctx.analysis.model_versions = dict(versions)
        return [ctx.analysis for ctx in contexts]

    def _check(self, text: str) -> None:
        """Refuse what the pipeline cannot analyze, with a message saying why."""
        if not isinstance(text, str):
            raise NlpError(f"text must be a str, got {type(text).__name__}")
        limit = self.settings.nlp_max_text_chars
        if len(text) > limit:
            raise TextTooLongError(
                f"text has {len(text):,} characters; the limit is {limit:,} "
                "(raise TIDINGS_NLP_MAX_TEXT_CHARS to analyze longer texts)"
            )

    def _docs(self, texts: list[str], *, batch_size: int, n_process: int) -> list[Doc]:
        """One Doc per text; long texts run as chunks and are joined back."""
        limit = self.settings.nlp_max_chunk_chars
        owners: list[int] = []
        pieces: list[str] = []
        for i, text in enumerate(texts):
            for piece in chunk_text(text, limit):
                owners.append(i)
                pieces.append(piece)
        parts: list[list[Doc]] = [[] for _ in texts]
        stream = self.nlp.pipe(pieces, batch_size=batch_size, n_process=n_process)
        for owner, doc in zip(owners, stream, strict=True):
            parts[owner].append(doc)
        return [p[0] if len(p) == 1 else Doc.from_docs(p, ensure_whitespace=False) for p in parts]

    def _context(self, text: str, published_at: date | None, doc: Doc) -> AnalysisContext:
        """The per-document context with sentences already split."""
        sentences = split_sentences(text)
        analysis = Analysis(
            sentences=[
                SentenceResult(start=s.start, end=s.end, text=text[s.start : s.end])
                for s in sentences
            ]
        )
        return AnalysisContext(
            text=text,
            published_at=published_at,
            doc=doc,
            sentences=sentences,
            kb=self.kb,
            analysis=analysis,
            language=detect_language(text),
        )


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """The process-wide Analyzer with the configured settings (built on first use)."""
    return Analyzer()


def analyze(text: str, published_at: date | None = None) -> Analysis:
    """Analyze one text with the default Analyzer."""
    return default_analyzer().analyze(text, published_at)


def pipe(
    items: Iterable[tuple[str, date | None]], *, batch_size: int | None = None
) -> Iterator[Analysis]:
    """Analyze many (text, published_at) pairs with the default Analyzer."""
    return default_analyzer().pipe(items, batch_size=batch_size)
