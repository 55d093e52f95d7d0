"""Narratives in the store: the taxonomy as Narrative rows, assignments as NarrativeAssignment."""

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.narratives import Narrative, NarrativeAssignment, NarrativeKind
from nlp.narratives.stage import NarrativeStage
from nlp.narratives.taxonomy import NarrativeDef
from nlp.pipeline import Analyzer
from nlp.types import Analysis


def _row(n: NarrativeDef) -> Narrative:
    return Narrative(id=n.id, name=n.name, description=n.description,
                     keywords=list(n.keywords), seeds=list(n.seeds), kind=n.kind)  # fmt: skip


def sync_taxonomy(engine: Engine, analyzer: Analyzer) -> int:
    """Upsert the analyzer's taxonomy (built-in and user narratives) as Narrative rows; discovered
    candidates stay. Returns the number of narratives written."""
    stage = next((s for s in analyzer.stages if isinstance(s, NarrativeStage)), None)
    if stage is None:
        return 0
    with session_scope(engine) as session:
        for n in stage.model.taxonomy.narratives:
            session.merge(_row(n))
    return len(stage.model.taxonomy.narratives)


def narrative_rows(session: Session, article_id: int, analysis: Analysis) -> list[object]:
    """NarrativeAssignment rows of one analysis (and a Narrative row for an id not stored yet)."""
    version = analysis.model_versions.get("narratives", "")
    rows: list[object] = []
    for n in analysis.narratives:
        if session.get(Narrative, n.id) is None:
            session.add(Narrative(id=n.id, name=n.name, kind=NarrativeKind.BUILTIN.value))
            session.flush()
        for index, score in zip(n.sentence_indexes, n.sentence_scores, strict=True):
            rows.append(NarrativeAssignment(article_id=article_id, sentence_index=index,
                                            narrative_id=n.id, score=score,
                                            model_version=version))  # fmt: skip
    return rows


def stored_narratives(engine: Engine, *, kind: str | None = None) -> list[Narrative]:
    """Narrative rows, by kind then id."""
    with Session(engine) as session:
        query = select(Narrative)
        if kind:
            query = query.where(col(Narrative.kind) == kind)
        return list(session.exec(query.order_by(col(Narrative.kind), col(Narrative.id))).all())
