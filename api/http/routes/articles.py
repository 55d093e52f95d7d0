"""GET /articles and GET /articles/{id}."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlmodel import col, select

from api.http.deps import ReadAccess, SessionDep, SettingsDep
from api.http.errors import ApiProblem
from api.http.pagination import Page, decode_cursor, encode_cursor
from api.http.queries import ArticleQuery, search_articles
from api.http.routes.params import Cursor, Limit, Since, Text, Until, check_range, page_size
from api.http.schemas import (
    ArticleDetail,
    ArticleSummary,
    ClaimOut,
    EntitySentimentOut,
    MentionOut,
    SentenceOut,
    SentimentLabel,
)
from models.analysis import EntitySentiment, Mention, Sentence
from models.articles import Article
from models.claims import Claim

router = APIRouter(tags=["articles"], dependencies=[ReadAccess])


@router.get("/articles", response_model=Page[ArticleSummary])
def list_articles(  # noqa: PLR0913 (one argument per filter)
    *,
    session: SessionDep,
    settings: SettingsDep,
    q: Text = None,
    entity: Annotated[str | None, Query(max_length=200, examples=["crypto:btc"])] = None,
    narrative: Annotated[str | None, Query(max_length=200, examples=["etf-flows"])] = None,
    source: Annotated[int | None, Query(ge=1, le=2**62, description="Source id.")] = None,
    since: Since = None,
    until: Until = None,
    sentiment: SentimentLabel | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ArticleSummary]:
    """Articles, newest first (by id), filtered by free text, entity, narrative, source, dates,
    sentiment."""
    check_range(since, until)
    size = page_size(limit, settings.api_max_page_size)
    key = decode_cursor(cursor, {"before_id": int})
    query = ArticleQuery(
        text=q, entity=entity, narrative=narrative, source_id=source, since=since, until=until,
        sentiment=sentiment, before_id=key["before_id"] if key else None, limit=size + 1,
    )  # fmt: skip
    rows = search_articles(session, query)
    items = [ArticleSummary(**row) for row in rows[:size]]
    more = len(rows) > size
    return Page(
        items=items, next_cursor=encode_cursor({"before_id": items[-1].id}) if more else None
    )


@router.get("/articles/{article_id}", response_model=ArticleDetail)
def get_article(
    session: SessionDep, article_id: Annotated[int, Path(ge=1, le=2**62)]
) -> ArticleDetail:
    """One article with its sentences (and their sentiment), mentions, claims, entity sentiment."""
    article = session.get(Article, article_id)
    if article is None or article.id is None:
        raise ApiProblem(404, f"no article with id {article_id}", param="article_id")
    sentences = session.exec(
        select(Sentence).where(Sentence.article_id == article_id).order_by(col(Sentence.index))
    ).all()
    mentions = session.exec(
        select(Mention).where(Mention.article_id == article_id).order_by(col(Mention.start))
    ).all()
    claims = session.exec(
        select(Claim).where(Claim.article_id == article_id).order_by(col(Claim.start))
    ).all()
    sentiment = session.exec(
        select(EntitySentiment)
        .where(EntitySentiment.article_id == article_id)
        .order_by(col(EntitySentiment.entity_id))
    ).all()
    return ArticleDetail(
        **article.model_dump(exclude={"minhash", "text"}),
        text=article.text,
        sentences=[SentenceOut.model_validate(s, from_attributes=True) for s in sentences],
        mentions=[MentionOut.model_validate(m, from_attributes=True) for m in mentions],
        claims=[ClaimOut.model_validate(c, from_attributes=True) for c in claims],
        entity_sentiment=[
            EntitySentimentOut.model_validate(e, from_attributes=True) for e in sentiment
        ],
    )
