"""The `claims` pipeline stage (named in nlp.pipeline.STAGES): scan every document for numbers,
parse the sentences around them in one batch, then extract the claims."""

import time
from bisect import bisect_right
from pathlib import Path

from spacy.language import Language

from nlp.claims.extract import CLAIMS_VERSION, ClaimContext, extract_claims
from nlp.claims.finetuned import decide_tuned, is_tuned
from nlp.claims.learned import (
    MODEL_DIR,
    ClaimView,
    claim_view,
    decide_claims,
    model_version,
)
from nlp.claims.numbers import Quantity, find_quantities
from nlp.claims.parse import claim_sentences, parse_spans
from nlp.claims.periods import find_time_expressions
from nlp.claims.tables import numeric_tables
from nlp.stages import AnalysisContext, StageResources


class ClaimStage:
    """Pipeline stage: fills ctx.analysis.claims from the parse, sentences and entities."""

    name = "claims"

    def __init__(
        self,
        nlp: Language | None = None,
        *,
        budget_s: float = 0.0,
        model_dir: Path | None = MODEL_DIR,
        encoder_threads: int | None = None,
    ) -> None:
        """Keep the spaCy pipeline to parse documents the shared pass left unparsed; each
        article's extraction stops with TimeBudgetError after `budget_s` (0: never). With a
        `model_dir`, the learned layer there decides type, direction and metric (None: rules
        only); its version joins the stage's, so a new model makes stored claims stale. The
        encoder runs with the narrative stage's options unless `encoder_threads` says otherwise."""
        self._nlp = nlp
        self._encoder_threads = encoder_threads
        self._budget_s = budget_s
        self._model_dir = model_dir
        self.version = (
            CLAIMS_VERSION if model_dir is None else f"{CLAIMS_VERSION}+{model_version(model_dir)}"
        )

    def _parse(self, ctxs: list[AnalysisContext], found: list[list[Quantity]]) -> None:
        """Parse, in place, the sentences around numbers (the shared pass skips the parser)."""
        if self._nlp is None:
            return
        jobs = []
        for ctx, quantities in zip(ctxs, found, strict=True):
            spans = [(s.start, s.end) for s in ctx.analysis.sentences]
            if quantities and spans:
                jobs.append((ctx.doc, claim_sentences(spans, [q.start for q in quantities])))
            elif quantities:
                jobs.append((ctx.doc, [(0, len(ctx.text))]))
        parse_spans(self._nlp, jobs)

    def run_batch(self, ctxs: list[AnalysisContext]) -> None:
        """Scan every document, parse those with numbers in one batch, then extract."""
        scans = []
        for ctx in ctxs:
            times = find_time_expressions(ctx.text, ctx.published_at)
            found = _outside_tables(ctx, find_quantities(ctx.text, ctx.published_at, times=times))
            scans.append((times, found))
        self._parse(ctxs, [found for _, found in scans])
        for ctx, (times, found) in zip(ctxs, scans, strict=True):
            budget = self._budget_s
            deadline = time.monotonic() + budget if budget > 0 else None
            ctx.analysis.claims = (
                extract_claims(
                    ClaimContext(
                        text=ctx.text,
                        published_at=ctx.published_at,
                        doc=ctx.doc,
                        sentences=ctx.analysis.sentences,
                        entities=ctx.analysis.entities,
                        deadline=deadline,
                        budget_s=budget,
                    ),
                    times=times,
                    found=found,
                )
                if found
                else []
            )
        if self._model_dir is not None:
            self._decide(ctxs)

    def _decide(self, ctxs: list[AnalysisContext]) -> None:
        """The learned layer over every claim of the batch at once (one encoder pass)."""
        claims = []
        views: list[ClaimView] = []
        for ctx in ctxs:
            spans = [(s.start, s.end) for s in ctx.analysis.sentences]
            for claim in ctx.analysis.claims:
                span = spans[claim.sentence_index] if claim.sentence_index < len(spans) else None
                views.append(claim_view(claim, ctx.text, span or (claim.start, claim.end)))
                claims.append(claim)
        if claims and self._model_dir is not None:
            if is_tuned(self._model_dir):  # claims-decider-3 on: a fine-tuned ONNX model
                decide_tuned(claims, views, self._model_dir, threads=self._encoder_threads)
            else:
                decide_claims(claims, views, self._model_dir, threads=self._encoder_threads)

    def __call__(self, ctx: AnalysisContext) -> None:
        """Extract the claims of one analyzed document."""
        self.run_batch([ctx])


def claims_stage(resources: StageResources) -> ClaimStage:
    """Factory of the claims stage (named in nlp.pipeline.STAGES): rules plus the learned layer,
    or the rules alone when TIDINGS_CLAIMS_DECIDER=rules."""
    if resources.settings.claims_decider == "rules":
        return rules_only_stage(resources)
    return ClaimStage(resources.nlp, budget_s=resources.settings.nlp_article_time_budget_s)


def rules_only_stage(resources: StageResources) -> ClaimStage:
    """The claims stage without the learned layer (what `tidings train claims` learns from)."""
    return ClaimStage(
        resources.nlp, budget_s=resources.settings.nlp_article_time_budget_s, model_dir=None
    )


def _outside_tables(ctx: AnalysisContext, found: list[Quantity]) -> list[Quantity]:
    """The quantities outside numeric tables; each skipped table gets a note."""
    tables = numeric_tables(ctx.text)
    if not tables:
        return found
    starts = [start for start, _ in tables]
    kept = []
    for q in found:
        i = bisect_right(starts, q.start) - 1
        if i < 0 or q.start >= tables[i][1]:
            kept.append(q)
    for start, end in tables:
        rows = ctx.text.count("\n", start, end) + 1
        ctx.analysis.notes.append(
            f"numeric table at characters {start}-{end} ({rows} rows): no claims read from it"
        )
    return kept
