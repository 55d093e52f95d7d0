"""Narratives in the store: the taxonomy as Narrative rows, assignments as NarrativeAssignment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from models.analysis import Sentence
from models.articles import Article
from models.db import session_scope, upsert_insert
from models.narratives import Narrative, NarrativeAssignment, NarrativeKind
from nlp.narratives.settings import get_narrative_settings
from nlp.narratives.stage import NarrativeStage
from nlp.narratives.taxonomy import NarrativeDef, Taxonomy
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


def taxonomy() -> Taxonomy:
    """The taxonomy in force: built-in narratives and TIDINGS_USER_NARRATIVES_FILE (NlpError when
    that file cannot be read)."""
    return Taxonomy.load(get_narrative_settings().user_narratives_file)


def assigned_counts(session: Session) -> dict[str, int]:
    """Stored sentence assignments per narrative id."""
    rows = session.exec(
        select(NarrativeAssignment.narrative_id, func.count()).group_by(
            col(NarrativeAssignment.narrative_id)
        )
    ).all()
    return {str(nid): int(n) for nid, n in rows}


def narrative_entries(engine: Engine) -> list[dict[str, Any]]:
    """The taxonomy in force, then stored discovered candidates, with stored sentence counts
    (`tidings narratives list --json`)."""
    with Session(engine) as session:
        counts = assigned_counts(session)
    out = [{"id": n.id, "kind": n.kind, "name": n.name, "keywords": list(n.keywords),
            "sentences": counts.get(n.id, 0)} for n in taxonomy().narratives]  # fmt: skip
    out += [{"id": n.id, "kind": n.kind, "name": n.name, "keywords": list(n.keywords),
             "sentences": n.size or 0}
            for n in stored_narratives(engine, kind=NarrativeKind.DISCOVERED.value)]  # fmt: skip
    return out


def narrative_info(session: Session, narrative_id: str) -> dict[str, Any] | None:
    """Id, kind, name, description, keywords and seeds of a narrative of the taxonomy or a stored
    candidate; None when there is none."""
    found = taxonomy().get(narrative_id)
    if found is not None:
        return {**found.to_dict(), "kind": found.kind}
    row = session.get(Narrative, narrative_id)
    if row is None:
        return None
    return {"id": row.id, "name": row.name, "description": row.description,
            "seeds": list(row.seeds or []), "keywords": list(row.keywords or []),
            "kind": row.kind}  # fmt: skip


def recent_sentences(session: Session, narrative_id: str, limit: int = 10) -> list[dict[str, Any]]:
    """The latest stored sentences assigned to a narrative, with score and article."""
    rows = session.execute(
        select(  # type: ignore[call-overload]
            col(NarrativeAssignment.article_id), col(NarrativeAssignment.sentence_index),
            col(Sentence.text), col(NarrativeAssignment.score), col(Article.url),
            col(Article.title), col(Article.published_at))
        .join(Sentence, (col(Sentence.article_id) == col(NarrativeAssignment.article_id))
              & (col(Sentence.index) == col(NarrativeAssignment.sentence_index)))
        .join(Article, col(Article.id) == col(NarrativeAssignment.article_id))
        .where(col(NarrativeAssignment.narrative_id) == narrative_id)
        .order_by(col(NarrativeAssignment.id).desc()).limit(limit)
    ).all()  # fmt: skip
    names = ("article_id", "sentence_index", "sentence", "score", "url", "title", "published_at")
    return [dict(zip(names, row, strict=True)) for row in rows]


def narrative_counts(session: Session, narrative_id: str) -> tuple[int, int]:
    """(sentences, distinct articles) assigned to a narrative."""
    sentences, articles = session.exec(
        select(func.count(), func.count(func.distinct(col(NarrativeAssignment.article_id)))).where(
            col(NarrativeAssignment.narrative_id) == narrative_id
        )
    ).one()
    return int(sentences), int(articles)
