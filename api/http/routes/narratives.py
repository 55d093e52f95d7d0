"""GET /narratives and GET /narratives/{id}: the taxonomy with stored counts (as `tidings
narratives list|show`)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.http.deps import EngineDep, ReadAccess, SessionDep, SettingsDep
from api.http.errors import ApiProblem
from api.http.pagination import Page, decode_cursor, encode_cursor
from api.http.queries import ArticleQuery, search_articles
from api.http.routes.params import Cursor, Limit, page_size
from api.http.schemas import ArticleSummary
from api.http.schemas_analytics import NarrativeDetail, NarrativeOut, NarrativeSentence
from api.services.narratives import (
    narrative_counts,
    narrative_entries,
    narrative_info,
    recent_sentences,
)
from models.narratives import NarrativeKind
from nlp.errors import NlpError

router = APIRouter(tags=["narratives"], dependencies=[ReadAccess])


def _unreadable(exc: NlpError) -> ApiProblem:
    return ApiProblem(503, f"the narrative taxonomy cannot be read: {exc}")


@router.get("/narratives", response_model=Page[NarrativeOut])
def list_narratives(
    *,
    engine: EngineDep,
    settings: SettingsDep,
    kind: Annotated[NarrativeKind | None, Query(description="built-in, user or discovered")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[NarrativeOut]:
    """Built-in and user narratives, then discovered candidates, with stored sentence counts."""
    size = page_size(limit, settings.api_max_page_size)
    key = decode_cursor(cursor, {"offset": int})
    offset = key["offset"] if key else 0
    try:
        entries = narrative_entries(engine)
    except NlpError as exc:
        raise _unreadable(exc) from exc
    if kind is not None:
        entries = [e for e in entries if e["kind"] == kind.value]
    items = [NarrativeOut(**e) for e in entries[offset : offset + size]]
    more = len(entries) > offset + size
    return Page(items=items, next_cursor=encode_cursor({"offset": offset + size}) if more else None)


@router.get("/narratives/{narrative_id}", response_model=NarrativeDetail)
def get_narrative(
    session: SessionDep, narrative_id: Annotated[str, Path(min_length=1, max_length=200)]
) -> NarrativeDetail:
    """One narrative: description, keywords, seeds, sentence and article counts, its latest
    sentences (with score and article) and latest articles."""
    try:
        info = narrative_info(session, narrative_id)
    except NlpError as exc:
        raise _unreadable(exc) from exc
    if info is None:
        raise ApiProblem(404, f"no narrative {narrative_id!r}; GET /narratives lists them",
                         param="narrative_id")  # fmt: skip
    sentences, articles = narrative_counts(session, narrative_id)
    recent = search_articles(session, ArticleQuery(narrative=narrative_id, limit=10))
    return NarrativeDetail(
        id=info["id"], kind=info["kind"], name=info["name"],
        keywords=list(info.get("keywords") or []), description=info.get("description") or "",
        seeds=list(info.get("seeds") or []), sentences=sentences, articles=articles,
        recent=[NarrativeSentence(**r) for r in recent_sentences(session, narrative_id)],
        recent_articles=[ArticleSummary(**row) for row in recent],
    )  # fmt: skip
