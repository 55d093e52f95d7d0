"""The `entities` pipeline stage (named in nlp.pipeline.STAGES); it runs first, so later stages
can read `ctx.analysis.entities`."""

from nlp.entities.linker import EntityLinker
from nlp.stages import AnalysisContext, Stage, StageResources


class EntityStage:
    """Links entity mentions (KB, patterns, NER) into ctx.analysis.entities."""

    name = "entities"
    version = "entities-4"

    def __init__(self, resources: StageResources) -> None:
        """Compile the KB into matchers once."""
        self._linker = EntityLinker(resources.nlp, resources.kb)

    def __call__(self, ctx: AnalysisContext) -> None:
        """Find the mentions; NER runs only on English text."""
        ctx.analysis.entities = self._linker.link(
            ctx.doc, ctx.sentences, use_ner=ctx.language == "en", published=ctx.published_at
        )


def entity_stage(resources: StageResources) -> Stage:
    """Factory of the entity stage (named in STAGES)."""
    return EntityStage(resources)
