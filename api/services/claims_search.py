"""Claim search: one query builder for the CLI and the HTTP API.

Filters combine with AND: free text (SQLite FTS5 / PostgreSQL full-text over the sentence,
subject, metric and source), entity (KB id or subject text), metric, unit, value range, claim
type, direction, source, the article's publication dates, the claim's period and the stored
check's verdict. Free-text results are ranked by relevance among the newest RANKED_MATCHES
claims matching the text and every filter (so a common word costs bounded time; `sort=newest`
walks every match), the rest newest first, unless `sort` says otherwise (newest, oldest,
value_asc, value_desc; every one of them has an index behind it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlmodel import Session, col

from models.analysis import Entity
from models.articles import Article
from models.checks import ClaimCheck
from models.claims import Claim

# PostgreSQL: the english tsvector of a claim, as migrations 0005_claims_fts (expression index)
# and 0016_claim_search_vector (stored generated column) define it.
CLAIM_TSVECTOR = (
    "to_tsvector('english', coalesce(claim.sentence_text, '') || ' ' || coalesce(claim.subject, '')"
    " || ' ' || coalesce(claim.metric, '') || ' ' || coalesce(claim.attributed_to, ''))"
)
# What queries match and rank: the stored, GIN-indexed column holding CLAIM_TSVECTOR (0016), so
# a plan that checks claims one by one reads the vector instead of computing it.
CLAIM_VECTOR = "claim.search_vector"
# Flow searches also find net flows of the matching sign ("outflow" = net_flow going down).
METRIC_ALIASES: dict[str, list[tuple[str, str | None]]] = {
    "outflow": [("outflow", None), ("net_flow", "down")],
    "inflow": [("inflow", None), ("net_flow", "up")],
}
SORTS = ("relevance", "newest", "oldest", "value_asc", "value_desc")
# Relevance ranks the newest this many matches (by claim id) of the free text and filters.
RANKED_MATCHES = 1000


@dataclass(frozen=True)
class ClaimQuery:
    """What to search for; None means no filter."""

    text: str | None = None
    entity: str | None = None
    metric: str | None = None
    unit: str | None = None
    value_min: float | None = None
    value_max: float | None = None
    claim_type: str | None = None
    direction: str | None = None
    attributed_to: str | None = None
    since: date | None = None  # article published on or after
    until: date | None = None  # article published on or before
    period_since: date | None = None  # claim period overlaps [period_since, period_until]
    period_until: date | None = None
    verdict: str | None = None  # the stored check's verdict (`tidings claims check`)
    sort: str | None = None  # one of SORTS; None: relevance with text, else newest
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class ClaimHit:
    """One search result: the claim, its sentence and its article."""

    claim: Claim
    title: str
    url: str
    published_at: datetime | None
    rank: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI's --json and the API's body)."""
        row = self.claim.model_dump(mode="json")
        row.update(
            title=self.title,
            url=self.url,
            published_at=self.published_at.isoformat() if self.published_at else None,
            rank=self.rank,
        )
        return row


def fts5_query(raw: str) -> str:
    """A safe FTS5 query: quoted phrases kept, other words quoted one by one (implicit AND)."""
    parts = re.findall(r'"([^"]+)"|(\S+)', raw)
    terms = []
    for phrase, word in parts:
        cleaned = re.sub(r'["*^:(){}]', " ", phrase or word).strip()
        if cleaned:
            terms.append('"' + cleaned.replace('"', "") + '"')
    return " ".join(terms)


def _day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filters(query: ClaimQuery, *, speaker: str | None = None) -> list[ColumnElement[bool]]:
    """WHERE clauses for every structured filter of the query; `speaker` is the name of an
    uncurated entity the query names, whose own claims (attributed to it) also match."""
    where: list[ColumnElement[bool]] = []
    if query.entity:
        about = [col(Claim.subject_id) == query.entity, col(Claim.subject).ilike(query.entity)]
        if speaker:
            about.append(col(Claim.attributed_to).ilike(speaker))
        where.append(or_(*about))
    if query.metric:
        where.append(_metric_filter(query.metric))
    equal = {"unit": query.unit, "claim_type": query.claim_type, "direction": query.direction}
    for name, value in equal.items():
        if value:
            column = getattr(Claim, name)
            where.append(col(column) == (value.upper() if name == "unit" else value))
    if query.value_min is not None:
        where.append(col(Claim.value) >= query.value_min)
    if query.value_max is not None:
        where.append(col(Claim.value) <= query.value_max)
    if query.attributed_to:
        where.append(col(Claim.attributed_to).ilike(f"%{query.attributed_to}%"))
    if query.verdict:
        checked = select(col(ClaimCheck.claim_id)).where(col(ClaimCheck.verdict) == query.verdict)
        where.append(col(Claim.id).in_(checked))
    where.extend(_date_filters(query))
    return where


def _metric_filter(metric: str) -> ColumnElement[bool]:
    """metric = X, widened by METRIC_ALIASES ("outflow" also finds net outflows)."""
    options = METRIC_ALIASES.get(metric, [(metric, None)])
    clauses = [
        and_(col(Claim.metric) == name, col(Claim.direction) == sign)
        if sign
        else col(Claim.metric) == name
        for name, sign in options
    ]
    return or_(*clauses)


def _date_filters(query: ClaimQuery) -> list[ColumnElement[bool]]:
    """Publication-date and claim-period filters."""
    where: list[ColumnElement[bool]] = []
    if query.since:
        where.append(col(Claim.article_published_at) >= _day_start(query.since))
    if query.until:
        where.append(col(Claim.article_published_at) < _day_start(query.until + timedelta(days=1)))
    if query.period_since:
        end = func.coalesce(col(Claim.time_end), col(Claim.time_start))
        where.append(end >= query.period_since)
    if query.period_until:
        where.append(col(Claim.time_start) <= query.period_until)
    return where


def _statement(session: Session, query: ClaimQuery, *, capped: bool = False) -> tuple[Any, Any]:
    """SELECT claim, title, url, published_at [, rank] with every filter of `query`, and the
    rank column (None without free text); (None, None) when the free text can match nothing.
    `capped`: free text ranks only the newest RANKED_MATCHES claims that match every filter."""
    stmt: Any = select(  # type: ignore[call-overload]
        Claim, col(Article.title), col(Article.url), col(Article.published_at)
    ).join(Article, col(Article.id) == col(Claim.article_id))
    named = session.get(Entity, query.entity) if query.entity else None
    speaker = named.name if named is not None and not named.curated else None
    where = _filters(query, speaker=speaker)
    rank: Any = None
    if query.text and query.text.strip():
        if capped:
            matches = _newest_matches(session, query.text, where)
            if matches is None:
                return None, None
            stmt = stmt.join(matches, matches.c.claim_id == col(Claim.id))
            return stmt.add_columns(matches.c.score), matches.c.score
        stmt, rank = _with_text(session, stmt, query.text)
        if stmt is None:
            return None, None
    for clause in where:
        stmt = stmt.where(clause)
    if rank is not None:
        stmt = stmt.add_columns(rank)
    return stmt, rank


def _hits(session: Session, stmt: Any, *, ranked: bool) -> list[ClaimHit]:
    hits = []
    for row in session.exec(stmt).all():
        score = float(row[4]) if ranked and row[4] is not None else None
        hits.append(
            ClaimHit(claim=row[0], title=row[1], url=row[2], published_at=row[3], rank=score)
        )
    return hits


def search_claims(session: Session, query: ClaimQuery) -> list[ClaimHit]:
    """Claims matching `query`, best first, with their article's title, URL and date."""
    stmt, rank = _statement(session, query, capped=query.sort in (None, "relevance"))
    if stmt is None:
        return []
    stmt = stmt.order_by(*_order(query.sort, rank))
    stmt = stmt.limit(max(1, min(query.limit, 1000))).offset(max(0, query.offset))
    return _hits(session, stmt, ranked=rank is not None)


def claims_after(
    session: Session, query: ClaimQuery, *, after_id: int, size: int
) -> list[ClaimHit]:
    """The next `size` matching claims with ids above `after_id`, in id order: a keyset page,
    so walking every match costs one index range per page however deep it goes (exports)."""
    stmt, rank = _statement(session, query)
    if stmt is None:
        return []
    stmt = stmt.where(col(Claim.id) > after_id).order_by(col(Claim.id)).limit(max(1, size))
    return _hits(session, stmt, ranked=rank is not None)


def _order(sort: str | None, rank: Any) -> list[Any]:
    """ORDER BY terms for `sort` (ValueError when unknown); ties broken by claim id."""
    if sort is not None and sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: one of {', '.join(SORTS)}")
    # the article's date as copied onto the claim (0014), so one claim index serves the order
    newest = [col(Claim.article_published_at).desc(), col(Claim.id)]
    if sort in (None, "relevance"):
        return ([rank] if rank is not None else []) + newest
    orders: dict[str, list[Any]] = {
        "newest": newest,
        "oldest": [col(Claim.article_published_at), col(Claim.id)],
        "value_asc": [col(Claim.value).asc().nulls_last(), col(Claim.id)],
        "value_desc": [col(Claim.value).desc().nulls_last(), col(Claim.id)],
    }
    return orders[sort]


def _with_text(session: Session, stmt: Any, raw: str) -> tuple[Any, Any]:
    """Add the full-text condition; returns (statement, rank column ordered best first)."""
    if session.get_bind().dialect.name == "postgresql":
        tsquery = func.websearch_to_tsquery("english", raw)
        vector: Any = literal_column(CLAIM_VECTOR)
        stmt = stmt.where(vector.op("@@")(tsquery))
        return stmt, -func.ts_rank(vector, tsquery)
    match = fts5_query(raw)
    if not match:
        return None, None
    fts = (
        select(
            literal_column("rowid").label("claim_id"),
            literal_column("bm25(claim_fts)").label("score"),
        )
        .select_from(text("claim_fts"))
        .where(text("claim_fts MATCH :fts_query").bindparams(fts_query=match))
        .subquery("fts")
    )
    stmt = stmt.join(fts, fts.c.claim_id == col(Claim.id))
    return stmt, fts.c.score


def _newest_matches(session: Session, raw: str, where: list[ColumnElement[bool]]) -> Any:
    """Subquery (claim_id, score) of the newest RANKED_MATCHES claims (by id) that match the free
    text and every filter, scored best first (lower is better); None when nothing can match.
    Ranking a bounded set keeps a common word's cost bounded: every match is scored otherwise."""
    if session.get_bind().dialect.name == "postgresql":
        tsquery = func.websearch_to_tsquery("english", raw)
        vector: Any = literal_column(CLAIM_VECTOR)
        newest: Any = (
            select(col(Claim.id).label("claim_id"), (-func.ts_rank(vector, tsquery)).label("score"))
            .where(vector.op("@@")(tsquery), *where)
            .order_by(col(Claim.id).desc())
            .limit(RANKED_MATCHES)
        )
        return newest.subquery("fts")
    match = fts5_query(raw)
    if not match:
        return None
    fts = table("claim_fts", column("rowid"))
    newest = (
        select(fts.c.rowid.label("claim_id"), literal_column("bm25(claim_fts)").label("score"))
        .select_from(fts.join(Claim, col(Claim.id) == fts.c.rowid))
        .where(text("claim_fts MATCH :fts_query").bindparams(fts_query=match), *where)
        .order_by(fts.c.rowid.desc())
        .limit(RANKED_MATCHES)
    )
    return newest.subquery("fts")
