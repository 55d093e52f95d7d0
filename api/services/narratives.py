"""Narratives in the store: the taxonomy as Narrative rows, assignments as NarrativeAssignment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.db import session_scope, upsert_insert
from models.narratives import Narrative, NarrativeAssignment, NarrativeKind
from nlp.narratives.stage import NarrativeStage
from nlp.narratives.taxonomy import NarrativeDef
from nlp.types import Analysis

if TYPE_CHECKING:
    from nlp.pipeline import Analyzer

_TAXONOMY_FIELDS = ("name", "description", "keywords", "seeds", "kind")


def _row(n: NarrativeDef) -> dict[str, object]:
    return {"id": n.id, "name": n.name, "description": n.description,
            "keywords": list(n.keywords), "seeds": list(n.seeds), "kind": n.kind}  # fmt: skip


def sync_taxonomy(engine: Engine, analyzer: Analyzer) -> int:
    """Upsert the analyzer's taxonomy (built-in and user narratives) as Narrative rows; discovered
    candidates stay. Returns the number of narratives written."""
    stage = next((s for s in analyzer.stages if isinstance(s, NarrativeStage)), None)
    if stage is None:
        return 0
    narratives = stage.model.taxonomy.narratives
    if not narratives:
        return 0
    with session_scope(engine) as session:  # an upsert: concurrent `process` runs never collide
        insert = upsert_insert(session, Narrative).values([_row(n) for n in narratives])
        session.execute(insert.on_conflict_do_update(
            index_elements=["id"], set_={f: insert.excluded[f] for f in _TAXONOMY_FIELDS}
        ))  # fmt: skip
    return len(narratives)


def narrative_rows(session: Session, article_id: int, analysis: Analysis) -> list[object]:
    """NarrativeAssignment rows of one analysis (and a Narrative row for an id not stored yet)."""
    version = analysis.model_versions.get("narratives", "")
    rows: list[object] = []
    known = [{"id": n.id, "name": n.name, "description": "", "keywords": [], "seeds": [],
              "kind": NarrativeKind.BUILTIN.value} for n in analysis.narratives]  # fmt: skip
    if known:  # ids not synced yet (a taxonomy changed mid-run) are added, never raced
        insert = upsert_insert(session, Narrative).values(known)
        session.execute(insert.on_conflict_do_nothing(index_elements=["id"]))
    for n in analysis.narratives:
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
