"""Article queries behind GET /articles: filters, full text, keyset pages (newest id first)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, literal_column, select, text
from sqlmodel import Session, col

from api.services.claims_search import fts5_query
from models.analysis import Mention
from models.articles import Article
from models.narratives import NarrativeAssignment

# PostgreSQL: the english tsvector of an article, as migrations 0010_api_indexes (expression
# index) and 0016_claim_search_vector (stored generated column) define it.
ARTICLE_TSVECTOR = (
    "to_tsvector('english', coalesce(article.title, '') || ' ' "
    "|| left(coalesce(article.text, ''), 200000))"
)
# What queries match: the stored, GIN-indexed column holding ARTICLE_TSVECTOR (0016), so a plan
# that walks articles newest first reads each vector instead of computing it from the text.
ARTICLE_VECTOR = "article.search_vector"
SUMMARY_COLUMNS = (
    "id", "url", "title", "source_id", "published_at", "status", "sentiment_label",
    "sentiment_score",
)  # fmt: skip


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class ArticleQuery:
    """Filters of GET /articles; None means no filter."""

    text: str | None = None
    entity: str | None = None
    narrative: str | None = None  # a sentence of the article is assigned to this narrative
    source_id: int | None = None
    since: date | None = None
    until: date | None = None
    sentiment: str | None = None
    before_id: int | None = None  # keyset: ids below this one
    limit: int = 50


def _text_filter(session: Session, stmt: Any, raw: str) -> Any:
    """Restrict to articles whose title or text match `raw` (None: nothing can match)."""
    if session.get_bind().dialect.name == "postgresql":
        query = func.websearch_to_tsquery("english", raw)
        return stmt.where(literal_column(ARTICLE_VECTOR).op("@@")(query))
    match = fts5_query(raw)
    if not match:
        return None
    ids: Any = select(literal_column("rowid")).select_from(text("article_fts"))
    ids = ids.where(text("article_fts MATCH :article_fts_query").bindparams(
        article_fts_query=match))  # fmt: skip
    return stmt.where(col(Article.id).in_(ids))


def search_articles(session: Session, query: ArticleQuery) -> list[dict[str, Any]]:
    """Summaries of matching articles, newest id first, at most `limit`."""
    stmt: Any = select(*(getattr(Article, name) for name in SUMMARY_COLUMNS))
    if query.text and query.text.strip():
        stmt = _text_filter(session, stmt, query.text)
        if stmt is None:
            return []
    if query.entity:
        stmt = stmt.where(
            exists().where(
                col(Mention.article_id) == col(Article.id), col(Mention.entity_id) == query.entity
            )
        )
    if query.narrative:
        stmt = stmt.where(
            exists().where(
                col(NarrativeAssignment.article_id) == col(Article.id),
                col(NarrativeAssignment.narrative_id) == query.narrative,
            )
        )
    if query.source_id is not None:
        stmt = stmt.where(col(Article.source_id) == query.source_id)
    if query.since:
        stmt = stmt.where(col(Article.published_at) >= day_start(query.since))
    if query.until:
        stmt = stmt.where(col(Article.published_at) < day_start(query.until + timedelta(days=1)))
    if query.sentiment:
        stmt = stmt.where(col(Article.sentiment_label) == query.sentiment)
    if query.before_id is not None:
        stmt = stmt.where(col(Article.id) < query.before_id)
    stmt = stmt.order_by(col(Article.id).desc()).limit(query.limit)
    return [dict(zip(SUMMARY_COLUMNS, row, strict=True)) for row in session.exec(stmt).all()]
