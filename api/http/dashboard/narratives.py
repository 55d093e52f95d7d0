"""The narratives list (`/narratives`) and a narrative's page (`/narratives/{id}`)."""

from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from api.http.dashboard.common import router, templates, to_json
from api.http.dashboard.data import narrative_voice, series_chart
from api.http.deps import SessionDep
from api.http.errors import ApiProblem
from api.services.series import SeriesQuery, sentiment_series
from models.analysis import Sentence
from models.articles import Article
from models.narratives import Narrative, NarrativeAssignment


@router.get("/narratives", response_class=HTMLResponse)
def narratives_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Every narrative with stored sentences, ranked by change in share of voice."""
    voices = narrative_voice(session)
    seen = {v.id for v in voices}
    counts = dict(session.exec(
        select(NarrativeAssignment.narrative_id, func.count())
        .group_by(col(NarrativeAssignment.narrative_id))
    ).all())  # fmt: skip
    quiet = session.exec(
        select(Narrative).where(col(Narrative.id).in_(list(counts))).order_by(col(Narrative.id))
    ).all()
    return templates.TemplateResponse(
        request, "narratives.html",
        {"voices": voices, "counts": counts, "quiet": [n for n in quiet if n.id not in seen]},
    )  # fmt: skip


def _top_sentences(session: Session, narrative_id: str, limit: int = 15) -> list[Any]:
    na = NarrativeAssignment
    return list(session.execute(
        sql_select(col(Sentence.text), col(Sentence.score), col(Sentence.index), col(na.score),
               col(Article.id), col(Article.title), col(Article.published_at))
        .select_from(na)
        .join(Sentence, (col(Sentence.article_id) == col(na.article_id))
              & (col(Sentence.index) == col(na.sentence_index)))
        .join(Article, col(Article.id) == col(na.article_id))
        .where(col(na.narrative_id) == narrative_id, col(Article.duplicate_of).is_(None))
        .order_by(col(na.score).desc(), col(Article.published_at).desc()).limit(limit)
    ).all())  # fmt: skip


def _top_articles(session: Session, narrative_id: str, limit: int = 15) -> list[Any]:
    na = NarrativeAssignment
    n = func.count().label("n")
    return list(session.execute(
        sql_select(col(Article.id), col(Article.title), col(Article.published_at),
               col(Article.sentiment_label), n)
        .select_from(na)
        .join(Article, col(Article.id) == col(na.article_id))
        .where(col(na.narrative_id) == narrative_id, col(Article.duplicate_of).is_(None))
        .group_by(col(Article.id), col(Article.title), col(Article.published_at),
                  col(Article.sentiment_label))
        .order_by(n.desc(), col(Article.published_at).desc()).limit(limit)
    ).all())  # fmt: skip


@router.get("/narratives/{narrative_id}", response_class=HTMLResponse)
def narrative_page(
    request: Request, session: SessionDep, narrative_id: Annotated[str, Path(max_length=200)]
) -> HTMLResponse:
    """A narrative: its sentiment and share of voice by day, its top articles and sentences."""
    narrative = session.get(Narrative, narrative_id)
    if narrative is None:
        raise ApiProblem(404, f"no narrative with id {narrative_id!r}", param="narrative_id")
    series = sentiment_series(session, SeriesQuery(narrative=narrative_id, bucket="1d"))
    return templates.TemplateResponse(
        request, "narrative.html",
        {"narrative": narrative, "chart": to_json(series_chart(series)),
         "sentences": _top_sentences(session, narrative_id),
         "articles": _top_articles(session, narrative_id),
         "versions": series.model_versions},
    )  # fmt: skip
