"""Browse and extend the knowledge base: built-in data, the user KB file and user Entity rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from api.services.processing import user_entities
from models.analysis import Entity, Mention
from models.db import session_scope
from nlp.entities.kb import (
    KBEntity,
    KnowledgeBase,
    dump_user_entity,
    entity_from_dict,
    load_entities_file,
)
from nlp.errors import KnowledgeBaseError
from nlp.settings import get_nlp_settings


@dataclass(frozen=True)
class EntityEntry:
    """One entity with where its definition comes from."""

    entity: KBEntity
    origin: str  # builtin | user-file | database


def full_kb(engine: Engine) -> tuple[KnowledgeBase, dict[str, str]]:
    """The KB `process` would use, plus each id's origin."""
    user_file = get_nlp_settings().user_kb_file
    origins = {e.id: "builtin" for e in KnowledgeBase.builtin()}
    file_entities = load_entities_file(user_file) if user_file and user_file.exists() else []
    origins.update({e.id: "user-file" for e in file_entities})
    db_entities = user_entities(engine)
    origins.update({e.id: "database" for e in db_entities})
    kb = KnowledgeBase.load(extra=[*file_entities, *db_entities])
    return kb, origins


def _matches(entity: KBEntity, needle: str) -> bool:
    """Whether `needle` occurs in the id, name, an alias or a ticker (case-insensitive)."""
    hay = [entity.id, entity.name, *entity.aliases, *entity.tickers, *entity.ambiguous_tickers]
    hay.extend(entity.case_sensitive_aliases)
    return any(needle in h.casefold() for h in hay)


def list_entities(
    engine: Engine, *, entity_type: str | None = None, search: str | None = None
) -> list[EntityEntry]:
    """Entities filtered by type and by a search string, in KB order."""
    kb, origins = full_kb(engine)
    needle = search.casefold() if search else None
    return [
        EntityEntry(e, origins.get(e.id, "builtin"))
        for e in kb
        if (entity_type is None or e.type == entity_type)
        and (needle is None or _matches(e, needle))
    ]


def show_entity(engine: Engine, entity_id: str) -> tuple[EntityEntry, int] | None:
    """One entity and how many stored mentions link to it; None when unknown."""
    kb, origins = full_kb(engine)
    entity = kb.get(entity_id)
    if entity is None:
        return None
    with Session(engine) as session:
        count = session.exec(
            select(func.count()).select_from(Mention).where(col(Mention.entity_id) == entity_id)
        ).one()
    return EntityEntry(entity, origins.get(entity_id, "builtin")), int(count)


def make_entity(data: dict[str, Any]) -> KBEntity:
    """A validated entity from CLI fields (KnowledgeBaseError names what is wrong)."""
    return entity_from_dict(
        {k: v for k, v in data.items() if v not in (None, [], ())}, source="new"
    )


def add_entity(engine: Engine, entity: KBEntity, *, to_file: Path | None = None) -> str:
    """Store a user entity in the user KB file or the database; returns where it went."""
    if to_file is not None:
        dump_user_entity(to_file, entity)
        return str(to_file)
    extra: dict[str, Any] = {
        key: list(value)
        for key, value in (
            ("tickers", entity.tickers),
            ("ambiguous_tickers", entity.ambiguous_tickers),
            ("case_sensitive_aliases", entity.case_sensitive_aliases),
            ("tags", entity.tags),
        )
        if value
    }
    extra.update({k: v for k, v in (("description", entity.description),) if v})
    with session_scope(engine) as session:
        row = session.get(Entity, entity.id) or Entity(
            id=entity.id, name=entity.name, type=entity.type
        )
        row.name, row.type, row.user_defined = entity.name, entity.type, True
        row.aliases = list(entity.aliases)
        row.symbol = entity.tickers[0] if entity.tickers else None
        row.extra = extra or None
        session.add(row)
    return "database"


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
