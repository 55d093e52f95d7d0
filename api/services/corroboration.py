"""Corroboration groups and conflicts read from the store (see api/analytics/corroboration.py).

An article's outlet is its source's name; a story's copies are the articles whose duplicate_of
points at it (syndicated and near-duplicate copies are not analysed, so their outlets are added
to the story's claims here).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session, col

from api.analytics.corroboration import (
    NOT_ONE_FIGURE,
    ClaimRef,
    Conflict,
    Group,
    conflicts,
    figure_key,
    group_claims,
)
from api.analytics.verdicts import rounding_step
from api.services.checks import CHECKED_TYPES
from models.articles import Article
from models.claims import Claim
from models.sources import Source


def _copies(session: Session) -> dict[int, list[str]]:
    """Story id -> outlets of its duplicates."""
    stmt = (
        select(col(Article.duplicate_of), col(Source.name))
        .join(Source, col(Source.id) == col(Article.source_id))
        .where(col(Article.duplicate_of).is_not(None))
    )
    out: dict[int, list[str]] = {}
    for story, outlet in session.execute(stmt):
        out.setdefault(story, []).append(outlet)
    return out


def claim_refs(session: Session, *, starts: Iterable[date] | None = None) -> list[ClaimRef]:
    """Observation claims that state one figure for a subject and a period."""
    stmt = (
        select(
            col(Claim.id),
            col(Claim.subject_id),
            col(Claim.subject),
            col(Claim.metric),
            col(Claim.unit),
            col(Claim.value),
            col(Claim.direction),
            col(Claim.time_start),
            col(Claim.time_end),
            col(Claim.text),
            col(Claim.article_id),
            col(Article.duplicate_of),
            col(Article.published_at),
            col(Source.name),
        )
        .join(Article, col(Article.id) == col(Claim.article_id))
        .outerjoin(Source, col(Source.id) == col(Article.source_id))
        .where(
            col(Claim.claim_type).in_(CHECKED_TYPES),
            col(Claim.value).is_not(None),
            col(Claim.time_start).is_not(None),
            or_(col(Claim.qualifier).is_(None), col(Claim.qualifier).not_in(NOT_ONE_FIGURE)),
        )
    )
    if starts is not None:
        stmt = stmt.where(col(Claim.time_start).in_(sorted(set(starts))))
    copies = _copies(session)
    refs = []
    for row in session.execute(stmt):
        (
            cid,
            sid,
            subject,
            metric,
            unit,
            value,
            direction,
            start,
            end,
            text,
            aid,
            dup,
            pub,
            outlet,
        ) = row
        figure = figure_key(metric, value, direction)
        subject_key = sid or (subject or "").strip().lower()
        if figure is None or not subject_key:
            continue
        story = dup or aid
        outlets = ((outlet,) if outlet else ()) + tuple(copies.get(story, ()))
        refs.append(
            ClaimRef(
                claim_id=cid,
                subject=subject_key,
                metric=figure[0],
                unit=(unit or "").upper(),
                period=(start, end or start),
                value=figure[1],
                step=rounding_step(text, abs(value)),
                canonical_id=story,
                outlets=outlets,
                published_at=pub,
                linked=sid is not None,
            )
        )
    return refs


@dataclass(frozen=True)
class Corroboration:
    """What search shows beside one claim."""

    group_size: int
    independent_sources: int
    outlets: list[str]
    conflict: bool


def all_conflicts(session: Session, band: float = 0.05) -> list[Conflict]:
    """Every conflict in the store, the most reported first."""
    found = conflicts(group_claims(claim_refs(session), band))
    found.sort(key=lambda c: (-sum(len(s.claims) for s in c.sides), c.key[3]))
    return found


def corroboration_for(
    session: Session, claims: Iterable[Claim], band: float = 0.05
) -> dict[int, Corroboration]:
    """Group size, independent sources and conflict flag for each given claim."""
    starts = [c.time_start for c in claims if c.time_start is not None]
    if not starts:
        return {}
    groups: list[Group] = group_claims(claim_refs(session, starts=starts), band)
    conflicted = {c.key for c in conflicts(groups)}
    out: dict[int, Corroboration] = {}
    for group in groups:
        info = Corroboration(
            len(group.claims), group.independent_sources, group.outlets, group.key in conflicted
        )
        for claim in group.claims:
            out[claim.claim_id] = info
    return out
