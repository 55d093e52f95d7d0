"""Entities the KB does not know: their stored mention counts (listing and promotion are in
kb_admin)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.analysis import Entity, Mention


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
