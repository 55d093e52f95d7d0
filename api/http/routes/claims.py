"""GET /claims (the CLI's claim search) and GET /claims/{id}."""

import functools
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from sqlmodel import select

from api.http.deps import ReadAccess, SessionDep, SettingsDep
from api.http.errors import ApiProblem
from api.http.pagination import Page, decode_cursor, encode_cursor
from api.http.routes.params import (
    Cursor,
    Day,
    Limit,
    Since,
    Text,
    Until,
    check_range,
    page_size,
)
from api.http.schemas import ArticleSummary, ClaimDetail, ClaimHitOut, ClaimType, Direction
from api.http.schemas_analytics import ClaimSort, Verdict
from api.services.claims_search import ClaimQuery, search_claims
from models.analysis import Sentence
from models.articles import Article
from models.claims import Claim

router = APIRouter(tags=["claims"], dependencies=[ReadAccess])
Name = Annotated[str | None, Query(max_length=200)]
Value = Annotated[float | None, Query(ge=-1e300, le=1e300, allow_inf_nan=False)]


def claim_filters(  # noqa: PLR0913 (one argument per filter)
    *,
    q: Text = None,
    entity: Annotated[str | None, Query(max_length=200, examples=["crypto:btc"])] = None,
    metric: Annotated[str | None, Query(max_length=100, examples=["outflow"])] = None,
    unit: Annotated[str | None, Query(max_length=40, examples=["USD"])] = None,
    min_value: Value = None,
    max_value: Value = None,
    claim_type: ClaimType | None = None,
    direction: Direction | None = None,
    attributed_to: Name = None,
    since: Since = None,
    until: Until = None,
    period_since: Day = None,
    period_until: Day = None,
    verdict: Annotated[Verdict | None, Query(description="The stored check's verdict")] = None,
    sort: Annotated[
        ClaimSort | None, Query(description="Default: relevance with `q`, else newest")
    ] = None,
) -> ClaimQuery:
    """The claim filters of GET /claims and the claim exports, as the shared ClaimQuery."""
    check_range(since, until)
    if min_value is not None and max_value is not None and max_value < min_value:
        raise ApiProblem(422, "max_value is below min_value", param="max_value")
    return ClaimQuery(
        text=q, entity=entity, metric=metric, unit=unit, value_min=min_value,
        value_max=max_value, claim_type=claim_type, direction=direction,
        attributed_to=attributed_to, since=since, until=until, period_since=period_since,
        period_until=period_until, verdict=verdict, sort=sort,
    )  # fmt: skip


@functools.wraps(claim_filters)
async def _claim_filters_on_loop(**params: Any) -> ClaimQuery:
    """claim_filters as an `async def` dependency: FastAPI then calls it on the event loop
    instead of hopping to the thread pool (it does no I/O)."""
    return claim_filters(**params)


ClaimFilters = Annotated[ClaimQuery, Depends(_claim_filters_on_loop)]


@router.get("/claims", response_model=Page[ClaimHitOut])
def list_claims(
    *,
    session: SessionDep,
    settings: SettingsDep,
    filters: ClaimFilters,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ClaimHitOut]:
    """Claims matching every filter: by relevance with `q`, else newest article first."""
    size = page_size(limit, settings.api_max_page_size)
    key = decode_cursor(cursor, {"offset": int})
    offset = key["offset"] if key else 0
    if offset < 0:
        raise ApiProblem(422, "not a cursor returned by this route", param="cursor")
    hits = search_claims(session, replace(filters, limit=size + 1, offset=offset))
    items = [ClaimHitOut(**hit.to_dict()) for hit in hits[:size]]
    more = len(hits) > size
    return Page(items=items, next_cursor=encode_cursor({"offset": offset + size}) if more else None)


@router.get("/claims/{claim_id}", response_model=ClaimDetail)
def get_claim(session: SessionDep, claim_id: Annotated[int, Path(ge=1, le=2**62)]) -> ClaimDetail:
    """One claim with its article and sentence."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ApiProblem(404, f"no claim with id {claim_id}", param="claim_id")
    article = session.get(Article, claim.article_id)
    sentence = None
    if claim.sentence_index is not None:
        sentence = session.exec(
            select(Sentence).where(
                Sentence.article_id == claim.article_id, Sentence.index == claim.sentence_index
            )
        ).first()
    return ClaimDetail(
        **claim.model_dump(),
        article=ArticleSummary.model_validate(article, from_attributes=True),
        sentence=sentence.model_dump() if sentence else None,  # type: ignore[arg-type]
    )
