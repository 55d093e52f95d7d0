"""`tidings narratives list|show|discover|promote`: the narrative taxonomy and new candidates."""

import json
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.cli.groups import app
from api.context import get_engine
from api.services.narratives import narrative_entries, narrative_info, recent_sentences
from models._time import utcnow
from models.analysis import Sentence
from models.articles import Article
from models.db import session_scope
from models.narratives import Narrative, NarrativeAssignment, NarrativeKind
from nlp.errors import NlpError
from nlp.narratives.discover import Candidate, DiscoveryConfig, discover
from nlp.narratives.encoder import load_encoder
from nlp.narratives.settings import get_narrative_settings
from nlp.narratives.taxonomy import NarrativeDef, append_user_narrative

narratives_app = typer.Typer(help="Browse, discover and promote narratives.", no_args_is_help=True)
app.add_typer(narratives_app, name="narratives")
console = Console()
err_console = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}", soft_wrap=True)
    return typer.Exit(1)


def _entries(engine: Engine) -> list[dict[str, Any]]:
    try:
        return narrative_entries(engine)
    except NlpError as exc:
        raise _fail(str(exc)) from exc


@narratives_app.command("list")
def list_narratives(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Built-in and user narratives, and discovered candidates not promoted yet."""
    entries = _entries(get_engine())
    if as_json:
        typer.echo(json.dumps(entries, indent=1, ensure_ascii=False))
        return
    table = Table(title=f"{len(entries)} narratives")
    for column in ("id", "kind", "name", "stored sentences"):
        table.add_column(column)
    for e in entries:
        table.add_row(e["id"], e["kind"], e["name"], str(e["sentences"]))
    console.print(table)


@narratives_app.command("show")
def show(
    narrative_id: Annotated[str, typer.Argument(help="A narrative or candidate id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One narrative: description, keywords, seeds and its latest stored sentences."""
    with Session(get_engine()) as session:
        try:
            found = narrative_info(session, narrative_id)
        except NlpError as exc:
            raise _fail(str(exc)) from exc
        if found is None:
            raise _fail(f"no narrative {narrative_id!r}; `tidings narratives list` shows them")
        info = found
        recent = recent_sentences(session, narrative_id)
    info["recent"] = [{"sentence": r["sentence"], "score": r["score"], "url": r["url"]}
                      for r in recent]  # fmt: skip
    if as_json:
        typer.echo(json.dumps(info, indent=1, ensure_ascii=False))
        return
    console.print(f"[bold]{info['id']}[/bold] ({info['kind']}): {info['name']}")
    console.print(info["description"] or "")
    console.print(f"keywords: {', '.join(info['keywords'] or [])}")
    for seed in info["seeds"] or []:
        console.print(f"  seed: {seed}")
    for r in info["recent"]:
        console.print(f"  [{r['score']:.2f}] {r['sentence']}  [dim]{r['url']}[/dim]")


def _unassigned(engine: Engine, days: int, limit: int) -> tuple[list[str], list[int]]:
    """Sentences of articles processed in the last `days` days with no narrative assignment."""
    since = utcnow() - timedelta(days=days)
    with Session(engine) as session:
        assigned = select(NarrativeAssignment.id).where(
            (col(NarrativeAssignment.article_id) == col(Sentence.article_id))
            & (col(NarrativeAssignment.sentence_index) == col(Sentence.index))
        )
        rows = session.exec(
            select(Sentence.text, Sentence.article_id)
            .join(Article, col(Article.id) == col(Sentence.article_id))
            .where(col(Article.processed_at) >= since, col(Article.duplicate_of).is_(None))
            .where(~assigned.exists())
            .order_by(col(Sentence.id).desc()).limit(limit)
        ).all()  # fmt: skip
    return [t for t, _ in rows], [int(a) for _, a in rows]


def _store_candidates(engine: Engine, candidates: list[Candidate]) -> None:
    """Replace the stored discovered candidates."""
    with session_scope(engine) as session:
        for old in session.exec(
            select(Narrative).where(col(Narrative.kind) == NarrativeKind.DISCOVERED.value)
        ).all():
            session.delete(old)
        session.flush()
        for c in candidates:
            session.add(
                Narrative(
                    id=c.id,
                    name=c.name,
                    kind=NarrativeKind.DISCOVERED.value,
                    description=f"{c.size} sentences from {c.articles} articles",
                    keywords=list(c.keywords),
                    seeds=list(c.seeds),
                    size=c.size,
                )
            )


@narratives_app.command("discover")
def discover_cmd(
    *,
    days: Annotated[int, typer.Option(help="Look at articles processed in the last N days.")] = 30,
    limit: Annotated[int, typer.Option(help="At most this many recent sentences.")] = 5000,
    min_size: Annotated[int, typer.Option(help="Smallest cluster kept.")] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Cluster recent sentences that fit no narrative into candidates (stored; promote them)."""
    engine = get_engine()
    sentences, articles = _unassigned(engine, days, limit)
    config = DiscoveryConfig(min_size=min_size, max_sentences=limit)
    try:
        candidates = discover(sentences, articles, load_encoder(), config=config)
    except NlpError as exc:
        raise _fail(str(exc)) from exc
    _store_candidates(engine, candidates)
    if as_json:
        payload = [{"id": c.id, "name": c.name, "keywords": list(c.keywords),
                    "seeds": list(c.seeds), "size": c.size, "articles": c.articles}
                   for c in candidates]  # fmt: skip
        typer.echo(json.dumps(payload, indent=1, ensure_ascii=False))
        return
    table = Table(title=f"{len(candidates)} candidates from {len(sentences)} unassigned sentences")
    for column in ("id", "size", "articles", "keywords"):
        table.add_column(column)
    for c in candidates:
        table.add_row(c.id, str(c.size), str(c.articles), ", ".join(c.keywords))
    console.print(table)


@narratives_app.command("promote")
def promote(
    candidate_id: Annotated[str, typer.Argument(help="A discovered candidate id.")],
    new_id: Annotated[str | None, typer.Option("--id", help="Id in the taxonomy.")] = None,
    name: Annotated[str | None, typer.Option(help="Name in the taxonomy.")] = None,
) -> None:
    """Add a discovered candidate to the user narratives file (TIDINGS_USER_NARRATIVES_FILE)."""
    path = get_narrative_settings().user_narratives_file
    if path is None:
        raise _fail("set TIDINGS_USER_NARRATIVES_FILE to the YAML file user narratives go to")
    engine = get_engine()
    with session_scope(engine) as session:
        row = session.get(Narrative, candidate_id)
        if row is None or row.kind != NarrativeKind.DISCOVERED.value:
            raise _fail(
                f"no discovered candidate {candidate_id!r}; run `tidings narratives discover`"
            )
        narrative = NarrativeDef(
            id=new_id or candidate_id.split(":")[-1], name=name or row.name,
            description=f"Discovered: {', '.join(row.keywords)}.",
            seeds=tuple(row.seeds), keywords=tuple(row.keywords), kind="user",
        )  # fmt: skip
        try:
            append_user_narrative(path, narrative)
        except NlpError as exc:
            raise _fail(str(exc)) from exc
        session.delete(row)
        session.merge(
            Narrative(
                id=narrative.id,
                name=narrative.name,
                kind="user",
                description=narrative.description,
                keywords=list(narrative.keywords),
                seeds=list(narrative.seeds),
            )
        )
    console.print(f"promoted {candidate_id} as {narrative.id} in {path}; "
                  "`tidings process --reprocess-stale` assigns it to stored articles")  # fmt: skip
