"""The `claims` pipeline stage (named in nlp.pipeline.STAGES): scan every document for numbers,
parse the sentences around them in one batch, then extract the claims."""

from spacy.language import Language

from nlp.claims.extract import CLAIMS_VERSION, ClaimContext, extract_claims
from nlp.claims.numbers import Quantity, find_quantities
from nlp.claims.parse import claim_sentences, parse_spans
from nlp.claims.periods import find_time_expressions
from nlp.stages import AnalysisContext, StageResources


class ClaimStage:
    """Pipeline stage: fills ctx.analysis.claims from the parse, sentences and entities."""

    name = "claims"
    version = CLAIMS_VERSION

    def __init__(self, nlp: Language | None = None) -> None:
        """Keep the spaCy pipeline to parse documents the shared pass left unparsed."""
        self._nlp = nlp

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
            scans.append((times, find_quantities(ctx.text, ctx.published_at, times=times)))
        self._parse(ctxs, [found for _, found in scans])
        for ctx, (times, found) in zip(ctxs, scans, strict=True):
            ctx.analysis.claims = (
                extract_claims(
                    ClaimContext(
                        text=ctx.text,
                        published_at=ctx.published_at,
                        doc=ctx.doc,
                        sentences=ctx.analysis.sentences,
                        entities=ctx.analysis.entities,
                    ),
                    times=times,
                    found=found,
                )
                if found
                else []
            )

    def __call__(self, ctx: AnalysisContext) -> None:
        """Extract the claims of one analyzed document."""
        self.run_batch([ctx])


def claims_stage(resources: StageResources) -> ClaimStage:
    """Factory of the claims stage (named in nlp.pipeline.STAGES)."""
    return ClaimStage(resources.nlp)
