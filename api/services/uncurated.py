"""Entities the KB does not know: their mention counts, listing, and promotion into the KB."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from api.services.kb_admin import add_entity, make_entity
from models.analysis import Entity, Mention
from models.db import session_scope
from nlp.errors import KnowledgeBaseError


def refresh_mention_counts(session: Session, entity_ids: Iterable[str]) -> None:
    """Recount the stored mentions of these uncurated entities (after their articles' rows)."""
    ids = sorted(set(entity_ids))
    if not ids:
        return
    session.flush()
    counts = dict(
        session.exec(
            select(Mention.entity_id, func.count())
            .where(col(Mention.entity_id).in_(ids))
            .group_by(col(Mention.entity_id))
        ).all()
    )
    rows = session.exec(select(Entity).where(col(Entity.id).in_(ids)).order_by(col(Entity.id)))
    for entity in rows.all():
        if not entity.curated and entity.mention_count != counts.get(entity.id, 0):
            entity.mention_count = int(counts.get(entity.id, 0))
            session.add(entity)


def list_uncurated(engine: Engine, *, search: str | None = None, limit: int = 100) -> list[Entity]:
    """Uncurated entities, most mentioned first (then by id)."""
    with Session(engine) as session:
        query = select(Entity).where(col(Entity.curated).is_(False))
        if search:
            needle = f"%{search.lower()}%"
            query = query.where(
                func.lower(Entity.name).like(needle) | func.lower(Entity.id).like(needle)
            )
        query = query.order_by(col(Entity.mention_count).desc(), col(Entity.id)).limit(limit)
        return list(session.exec(query).all())


@dataclass(frozen=True)
class Promotion:
    """What `promote` did: the KB entity it wrote and where."""

    entity_id: str
    entity_type: str
    name: str
    aliases: list[str]
    where: str


def promote(
    engine: Engine, entity_id: str, *, entity_type: str | None, user_file: Path | None
) -> Promotion:
    """Add an uncurated entity to the KB (the user KB file when given, else the database),
    with the surface forms seen in stored mentions as aliases; it is curated from then on."""
    with Session(engine) as session:
        row = session.get(Entity, entity_id)
        if row is None:
            raise KnowledgeBaseError(
                f"no stored entity {entity_id!r} (see `tidings entities list --uncurated`)"
            )
        if row.curated:
            raise KnowledgeBaseError(f"{entity_id} is already in the knowledge base")
        forms = session.exec(
            select(Mention.text).where(col(Mention.entity_id) == entity_id).distinct()
        ).all()
    kind = entity_type or row.type
    aliases = sorted({f.strip() for f in forms if f.strip() and f.strip() != row.name})
    # One-word forms ("Lopez") stay out: a bare surname would link every Lopez in every article.
    aliases = [a for a in aliases if len(a.split()) > 1 and not a.startswith("@")]
    entity = make_entity({"id": entity_id, "name": row.name, "type": kind, "aliases": aliases})
    where = add_entity(engine, entity, to_file=user_file)
    with session_scope(engine) as session:
        stored = session.get(Entity, entity_id)
        if stored is not None:
            stored.curated, stored.type = True, kind
            session.add(stored)
    return Promotion(entity_id, kind, row.name, aliases, where)
