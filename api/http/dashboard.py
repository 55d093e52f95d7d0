"""The dashboard at `/`: server-rendered pages (Jinja2) with plotly charts, fully offline.

plotly's JavaScript is served from the installed plotly package (/static/plotly.min.js); the
pages fetch nothing from outside.
"""

import json
from dataclasses import replace
from datetime import date
from functools import lru_cache
from html import escape
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Date, cast, func
from sqlmodel import Session, col, select

from api.http.deps import ReadAccess, SessionDep
from api.http.errors import ApiProblem
from api.http.routes.articles import get_article
from api.http.routes.claims import claim_filters
from api.http.routes.entities import get_entity
from api.services.claims_search import search_claims
from models.analysis import EntitySentiment, Mention
from models.articles import Article

router = APIRouter(include_in_schema=False, dependencies=[ReadAccess])
templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")
CLAIM_FIELDS = (
    "q", "entity", "metric", "unit", "min_value", "max_value", "claim_type", "direction",
    "attributed_to", "since", "until",
)  # fmt: skip
_CLAIM_TYPES = ("observation", "forecast", "historical", "threshold_level", "other")


@lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js from the installed plotly wheel."""
    return Response(
        _plotly_js(), media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )  # fmt: skip


def _day(session: Session, column: Any) -> Any:
    """The calendar day of a timestamp column on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return cast(column, Date)


def _daily_sentiment(session: Session) -> dict[str, list[Any]]:
    day = _day(session, col(Article.published_at))
    rows = session.exec(
        select(day, func.avg(col(Article.sentiment_score)), func.count())
        .where(col(Article.published_at).is_not(None), col(Article.status) == "done")
        .group_by(day)
        .order_by(day)
    ).all()
    return {
        "x": [str(r[0]) for r in rows],
        "sentiment": [round(float(r[1]), 4) if r[1] is not None else None for r in rows],
        "articles": [int(r[2]) for r in rows],
    }


def _top_entities(session: Session) -> list[dict[str, Any]]:
    rows = session.exec(
        select(col(Mention.entity_id), func.count(func.distinct(col(Mention.article_id))))
        .where(col(Mention.entity_id).is_not(None))
        .group_by(col(Mention.entity_id))
        .order_by(func.count(func.distinct(col(Mention.article_id))).desc(), col(Mention.entity_id))
        .limit(15)
    ).all()
    return [{"id": r[0], "articles": int(r[1])} for r in rows]


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep) -> HTMLResponse:
    """Sentiment index by day, article counts, most mentioned entities, latest claims."""
    from api.http.routes.admin import stats

    series = _daily_sentiment(session)
    latest = search_claims(session, replace(claim_filters(), limit=20))
    return templates.TemplateResponse(
        request, "overview.html",
        {"stats": stats(session), "series": json.dumps(series), "claims": latest,
         "entities": _top_entities(session)},
    )  # fmt: skip


def _claim_params(raw: dict[str, str]) -> dict[str, Any]:
    """Typed claim filters from the search form (empty fields dropped); 422 naming a bad one."""
    values: dict[str, Any] = {}
    for name in CLAIM_FIELDS:
        value = raw.get(name, "").strip()
        if not value:
            continue
        try:
            if name in ("min_value", "max_value"):
                values[name] = float(value)
            elif name in ("since", "until"):
                values[name] = date.fromisoformat(value)
            else:
                values[name] = value[:200]
        except ValueError as exc:
            raise ApiProblem(422, f"{name}: {value!r} is not valid", param=name) from exc
    if values.get("claim_type") not in (None, *_CLAIM_TYPES):
        allowed = ", ".join(_CLAIM_TYPES)
        raise ApiProblem(422, f"claim_type must be one of {allowed}", param="claim_type")
    if values.get("direction") not in (None, "up", "down", "none"):
        raise ApiProblem(422, "direction must be up, down or none", param="direction")
    return values


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Claims search with every filter; each row links to its source sentence."""
    raw = {k: v for k, v in request.query_params.items() if k in CLAIM_FIELDS}
    error = None
    hits: list[Any] = []
    try:
        query = claim_filters(**_claim_params(raw))
        hits = search_claims(session, replace(query, limit=200))
    except ApiProblem as exc:
        error = exc.detail
    return templates.TemplateResponse(
        request, "claims.html",
        {"form": raw, "hits": hits, "error": error, "claim_types": _CLAIM_TYPES},
        status_code=422 if error else 200,
    )  # fmt: skip


def _marked(text: str, start: int, marks: list[tuple[int, int, str, str]]) -> str:
    """`text` (which starts at article offset `start`) as HTML with non-overlapping marks."""
    out: list[str] = []
    pos = 0
    for mark_start, mark_end, css, title in sorted(marks):
        a, b = mark_start - start, mark_end - start
        if a < pos or b > len(text) or a >= b:
            continue
        out.append(escape(text[pos:a]))
        out.append(f'<mark class="{css}" title="{escape(title)}">{escape(text[a:b])}</mark>')
        pos = b
    out.append(escape(text[pos:]))
    return "".join(out)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, session: SessionDep, article_id: int) -> HTMLResponse:
    """An article: sentences coloured by sentiment, entities and claims highlighted."""
    article = get_article(session, article_id)
    marks = [(m.start, m.end, "entity", m.entity_id or m.label) for m in article.mentions]
    marks += [(c.start, c.end, "claim", f"{c.metric or ''} {c.value} {c.unit or ''}")
              for c in article.claims]  # fmt: skip
    claim_spans = {(c.start, c.end) for c in article.claims}
    marks = [m for m in marks if m[2] == "claim" or (m[0], m[1]) not in claim_spans]
    sentences = []
    for s in article.sentences:
        inside = [m for m in marks if s.start <= m[0] and m[1] <= s.end]
        sentences.append({"s": s, "html": _marked(s.text, s.start, inside)})
    chart = {"x": [s.index for s in article.sentences],
             "y": [s.score for s in article.sentences]}  # fmt: skip
    return templates.TemplateResponse(
        request, "article.html",
        {"article": article, "sentences": sentences, "chart": json.dumps(chart)},
    )  # fmt: skip


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(
    request: Request, session: SessionDep, entity_id: Annotated[str, Path(max_length=200)]
) -> HTMLResponse:
    """An entity: its sentiment by day, recent articles and claims about it."""
    entity = get_entity(session, entity_id)
    day = _day(session, col(Article.published_at))
    rows = session.exec(
        select(day, func.avg(col(EntitySentiment.score)), func.count())
        .join(Article, col(Article.id) == col(EntitySentiment.article_id))
        .where(col(EntitySentiment.entity_id) == entity_id, col(Article.published_at).is_not(None))
        .group_by(day)
        .order_by(day)
    ).all()
    chart = {"x": [str(r[0]) for r in rows], "y": [round(float(r[1]), 4) for r in rows],
             "n": [int(r[2]) for r in rows]}  # fmt: skip
    claims = search_claims(session, replace(claim_filters(entity=entity_id), limit=50))
    return templates.TemplateResponse(
        request, "entity.html",
        {"entity": entity, "chart": json.dumps(chart), "claims": claims},
    )  # fmt: skip
