"""GET /entities and GET /entities/{id}."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import func
from sqlmodel import col, select

from api.http.deps import ReadAccess, SessionDep, SettingsDep
from api.http.errors import ApiProblem
from api.http.pagination import Page, decode_cursor, encode_cursor
from api.http.queries import ArticleQuery, search_articles
from api.http.routes.params import Cursor, Limit, Text, page_size
from api.http.schemas import ArticleSummary, EntityDetail, EntityOut
from models.analysis import Entity, EntitySentiment, Mention
from models.claims import Claim

router = APIRouter(tags=["entities"], dependencies=[ReadAccess])


@router.get("/entities", response_model=Page[EntityOut])
def list_entities(
    *,
    session: SessionDep,
    settings: SettingsDep,
    q: Text = None,
    type: Annotated[str | None, Query(max_length=60, examples=["CRYPTO_ASSET"])] = None,
    curated: Annotated[
        bool | None,
        Query(description="false: only names the knowledge base does not know (`person:...`)"),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[EntityOut]:
    """Entities by id; `q` matches the id, name or symbol (case-insensitive); `curated=false`
    lists the names the knowledge base does not know, stored with their mention counts."""
    size = page_size(limit, settings.api_max_page_size)
    key = decode_cursor(cursor, {"after_id": str})
    stmt: Any = select(Entity)
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            func.lower(col(Entity.id)).like(like)
            | func.lower(col(Entity.name)).like(like)
            | func.lower(col(Entity.symbol)).like(like)
        )
    if type:
        stmt = stmt.where(col(Entity.type) == type)
    if curated is not None:
        stmt = stmt.where(col(Entity.curated) == curated)
    if key:
        stmt = stmt.where(col(Entity.id) > key["after_id"])
    rows = session.exec(stmt.order_by(col(Entity.id)).limit(size + 1)).all()
    items = [EntityOut.model_validate(row, from_attributes=True) for row in rows[:size]]
    more = len(rows) > size
    return Page(
        items=items, next_cursor=encode_cursor({"after_id": items[-1].id}) if more else None
    )


@router.get("/entities/{entity_id}", response_model=EntityDetail)
def get_entity(
    session: SessionDep, entity_id: Annotated[str, Path(min_length=1, max_length=200)]
) -> EntityDetail:
    """One entity with mention, article and claim counts, mean sentiment and recent articles."""
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise ApiProblem(404, f"no entity with id {entity_id!r}", param="entity_id")
    mentions, articles = session.exec(
        select(func.count(), func.count(func.distinct(col(Mention.article_id)))).where(
            col(Mention.entity_id) == entity_id
        )
    ).one()
    claims = session.exec(
        select(func.count()).select_from(Claim).where(col(Claim.subject_id) == entity_id)
    ).one()
    mean = session.exec(
        select(func.avg(col(EntitySentiment.score))).where(
            col(EntitySentiment.entity_id) == entity_id
        )
    ).one()
    recent = search_articles(session, ArticleQuery(entity=entity_id, limit=10))
    return EntityDetail(
        **EntityOut.model_validate(entity, from_attributes=True).model_dump(),
        mentions=int(mentions), articles=int(articles), claims=int(claims),
        mean_sentiment=float(mean) if mean is not None else None,
        recent_articles=[ArticleSummary(**row) for row in recent],
    )  # fmt: skip
