"""GET /stats, GET /healthz, GET|POST|DELETE /sources."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from api.http.deps import EngineDep, ReadAccess, SessionDep, WriteAccess
from api.http.errors import ApiProblem
from api.http.schemas import Health, SourceIn, SourceOut, StatsOut
from ingest.sources import add_source, list_sources, remove_source
from models.analysis import Entity, Mention, Sentence
from models.articles import Article
from models.claims import Claim
from models.sources import Source

router = APIRouter(tags=["admin"])


def _count(session: Session, table: Any, *where: Any) -> int:
    return int(session.exec(select(func.count()).select_from(table).where(*where)).one())


@router.get("/stats", response_model=StatsOut, dependencies=[ReadAccess])
def stats(session: SessionDep) -> StatsOut:
    """Counts of everything stored."""
    first, last = session.exec(
        select(func.min(col(Article.published_at)), func.max(col(Article.published_at)))
    ).one()
    live = col(Article.duplicate_of).is_(None)
    return StatsOut(
        sources=_count(session, Source),
        articles=_count(session, Article),
        duplicates=_count(session, Article, col(Article.duplicate_of).is_not(None)),
        processed=_count(session, Article, col(Article.status) == "done"),
        failed=_count(session, Article, col(Article.status) == "failed"),
        pending=_count(session, Article, col(Article.status) == "new", live),
        sentences=_count(session, Sentence),
        mentions=_count(session, Mention),
        claims=_count(session, Claim),
        entities=_count(session, Entity),
        first_published=first,
        last_published=last,
    )


@router.get("/healthz", response_model=Health)
def healthz(session: SessionDep) -> Health:
    """Liveness and database reachability (a 503 problem when the database does not answer)."""
    from importlib.metadata import PackageNotFoundError, version

    session.exec(select(text("1"))).one()  # type: ignore[call-overload]
    try:
        release = version("tidings")
    except PackageNotFoundError:
        release = "dev"
    return Health(status="ok", database=session.get_bind().dialect.name, version=release)


@router.get("/sources", response_model=list[SourceOut], dependencies=[ReadAccess])
def sources(engine: EngineDep) -> list[SourceOut]:
    """Every registered source with its health."""
    return [SourceOut.model_validate(s, from_attributes=True) for s in list_sources(engine)]


@router.post("/sources", response_model=SourceOut, status_code=201, dependencies=[WriteAccess])
def create_source(engine: EngineDep, body: SourceIn) -> SourceOut:
    """Register a feed (needs a write key); a bad or duplicate URL is a 400 problem."""
    source = add_source(
        engine, body.url, name=body.name, category=body.category, language=body.language
    )
    return SourceOut.model_validate(source, from_attributes=True)


@router.delete("/sources/{source_id}", status_code=204, dependencies=[WriteAccess])
def delete_source(engine: EngineDep, source_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    """Remove a source (disabled instead when articles point at it)."""
    with Session(engine) as session:
        if session.get(Source, source_id) is None:
            raise ApiProblem(404, f"no source with id {source_id}", param="source_id")
    remove_source(engine, str(source_id))
    return Response(status_code=204)
