"""CLI commands for analysis: `analyze`, `process` and the `entities` knowledge-base browser."""

import json
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from api.cli.errors import err_console, fail
from api.cli.groups import app, entities_app
from api.context import get_engine
from api.services.kb_admin import (
    add_entity,
    list_entities,
    list_uncurated,
    make_entity,
    promote,
    show_entity,
)
from api.services.processing import build_analyzer, process_articles
from ingest.normalize import strip_controls
from nlp.entities.kb import ENTITY_TYPES
from nlp.errors import NlpError
from nlp.settings import get_nlp_settings
from nlp.types import Analysis

console = Console()

# Highlight colour per entity type in the terminal view.
TYPE_STYLES = {
    "CRYPTO_ASSET": "bold yellow",
    "EXCHANGE": "bold cyan",
    "ETF": "bold magenta",
    "COMPANY": "bold blue",
    "PROTOCOL": "bold green",
    "PERSON": "bold red",
    "ORGANIZATION": "blue",
    "GOV_BODY": "bold white on blue",
    "MACRO_INDICATOR": "bold white on dark_green",
    "MARKET_INDEX": "green",
    "EVENT": "bold white on dark_red",
    "COUNTRY_MARKET": "cyan",
}


def parse_published(value: str | None) -> date | None:
    """--published YYYY-MM-DD, or None; a clear usage error otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def read_text(file: str) -> str:
    """The UTF-8 text of FILE, or of stdin for '-'; a clear error for unreadable input."""
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = "stdin" if file == "-" else file
        raise fail(
            f"{where} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it first, e.g. `iconv -f latin1 -t utf-8`"
        ) from None


def _render_claims(analysis: Analysis) -> None:
    """A table of the numeric claims, when there are any."""
    if not analysis.claims:
        return
    table = Table(title=f"{len(analysis.claims)} claims")
    for column in ("text", "value", "unit", "metric", "subject", "dir", "type", "period", "by"):
        table.add_column(column)
    for c in analysis.claims:
        period = f"{c.time_start}..{c.time_end}" if c.time_start else (c.time_text or "-")
        table.add_row(
            c.text, f"{c.value:,.6g}" if c.value is not None else "-", c.unit or "-",
            c.metric or "-", c.subject_id or c.subject or "-", c.direction or "-",
            c.claim_type or "-", period, c.attributed_to or "-",
        )  # fmt: skip
    console.print(table)


def render(text: str, analysis: Analysis) -> None:
    """Entities highlighted in the text, then a table of mentions."""
    styled = Text(text)
    for mention in analysis.entities:
        if mention.nested_in is None:
            styled.stylize(TYPE_STYLES.get(mention.type, "bold"), mention.start, mention.end)
    console.print(styled)
    table = Table(title=f"{len(analysis.entities)} entity mentions")
    for column in ("#", "text", "type", "entity id", "name", "sentence", "span"):
        table.add_column(column)
    for i, m in enumerate(analysis.entities):
        nested = f" (in #{m.nested_in})" if m.nested_in is not None else ""
        table.add_row(
            str(i), m.text, m.type, m.entity_id or "[dim]unlinked[/dim]", m.name,
            str(m.sentence_index if m.sentence_index is not None else "-"),
            f"{m.start}-{m.end}{nested}",
        )  # fmt: skip
    console.print(table)
    _render_claims(analysis)
    if analysis.document is not None:
        doc = analysis.document
        mixed = " (mixed)" if doc.mixed else ""
        console.print(f"document sentiment: {doc.label} {doc.score:+.2f}{mixed}")
    console.print(
        f"{len(analysis.sentences)} sentences, {len(analysis.claims)} claims; "
        f"models: {', '.join(f'{k}={v}' for k, v in analysis.model_versions.items())}"
    )


@app.command("analyze")
def analyze_command(
    file: Annotated[str, typer.Argument(help="UTF-8 text file, or - for stdin.")],
    *,
    published: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD (resolves 'last week').")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the analyze --json object (EVALUATION.md).")
    ] = False,
    explain: Annotated[
        bool,
        typer.Option(
            help="Say which rule decided each claim's metric, type and direction "
            "(with --json: a claims[].explanation object)."
        ),
    ] = False,
) -> None:
    """Analyze one text: sentences, entities, claims and sentiment."""
    published_at = parse_published(published)
    text, removed = strip_controls(read_text(file))
    if removed:
        note = f"removed {removed} control character(s) or escape sequence(s) before analysis"
        err_console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    try:
        from nlp.pipeline import Analyzer  # lazy: spaCy only when analyzing

        analysis = Analyzer().analyze(text, published_at)
    except NlpError as exc:
        raise fail(str(exc)) from None
    if as_json:
        payload = analysis.to_json_dict()
        if explain:
            for record, claim in zip(payload["claims"], analysis.claims, strict=True):
                record["explanation"] = claim.explanation
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    render(text, analysis)
    if explain:
        _render_explanations(analysis)


def _render_explanations(analysis: Analysis) -> None:
    """One block per claim: the rule that decided its metric, its type and its direction."""
    for i, c in enumerate(analysis.claims):
        why = c.explanation or {}
        console.print(f"[bold]claim {i}[/bold] {c.text!r} (sentence {c.sentence_index})")
        for field, value in (("metric", c.metric), ("claim_type", c.claim_type),
                             ("direction", c.direction)):  # fmt: skip
            console.print(f"  {field} = {value}: {why.get(field, '-')}", highlight=False)


@app.command("process")
def process_command(
    *,
    batch_size: Annotated[
        int | None, typer.Option(min=1, help="Articles per batch (default TIDINGS_NLP_BATCH_SIZE).")
    ] = None,
    reprocess_stale: Annotated[
        bool,
        typer.Option(help="Also redo articles analyzed with other model versions than today's."),
    ] = False,
    retry_failed: Annotated[
        bool, typer.Option(help="Also retry articles whose analysis failed before.")
    ] = False,
    enqueue: Annotated[
        bool,
        typer.Option(help="Put the pending articles on the task queue for `tidings worker`s."),
    ] = False,
) -> None:
    """Analyze stored articles not processed yet (duplicates are skipped)."""
    if enqueue:
        if reprocess_stale or retry_failed:
            raise fail("--enqueue queues new articles only; run --reprocess-stale or "
                       "--retry-failed without it")  # fmt: skip
        from api.cli.queue import enqueue_pending_articles  # lazy: Celery

        console.print(f"queued {enqueue_pending_articles()} article(s)")
        return
    engine = get_engine()
    try:
        analyzer = build_analyzer(engine)
    except NlpError as exc:
        raise fail(str(exc)) from None
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("analyzing", total=None)

        def report(done: int, total: int) -> None:
            """Advance the bar after each batch."""
            progress.update(task, completed=done, total=total)

        stats = process_articles(
            engine,
            analyzer=analyzer,
            batch_size=batch_size,
            reprocess_stale=reprocess_stale,
            retry_failed=retry_failed,
            progress=report,
        )
    console.print(f"processed {stats.done} article(s), {stats.failed} failed")
    for article_id, error in stats.errors[:20]:
        err_console.print(f"  article {article_id}: {error}")


EntityType = Enum("EntityType", {t: t for t in ENTITY_TYPES}, type=str)  # type: ignore[misc]


@entities_app.command("list")
def entities_list(
    *,
    entity_type: Annotated[
        EntityType | None, typer.Option("--type", help="Only entities of this type.")
    ] = None,
    search: Annotated[
        str | None, typer.Option(help="Text to find in id, name, aliases or tickers.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 100,
    uncurated: Annotated[
        bool, typer.Option("--uncurated", help="Stored names the KB does not know, busiest first.")
    ] = False,
) -> None:
    """List knowledge-base entities (built-in, user file and database)."""
    if uncurated:
        _list_uncurated(search=search, limit=limit)
        return
    kind = entity_type.value if entity_type is not None else None
    try:
        entries = list_entities(get_engine(), entity_type=kind, search=search)
    except NlpError as exc:
        raise fail(str(exc)) from None
    table = Table("id", "type", "name", "tickers", "origin", title=f"{len(entries)} entities")
    for entry in entries[:limit]:
        e = entry.entity
        tickers = ", ".join([*e.tickers, *e.ambiguous_tickers])
        table.add_row(e.id, e.type, e.name, tickers, entry.origin)
    console.print(table)
    if len(entries) > limit:
        console.print(f"[dim]{len(entries) - limit} more; use --limit or --search[/dim]")


@entities_app.command("show")
def entities_show(
    entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. crypto:btc.")],
) -> None:
    """Show one entity with its surface forms and its number of stored mentions."""
    try:
        found = show_entity(get_engine(), entity_id)
    except NlpError as exc:
        raise fail(str(exc)) from None
    if found is None:
        raise fail(f"no entity with id {entity_id!r} (try `tidings entities list --search ...`)")
    entry, mentions = found
    e = entry.entity
    table = Table(show_header=False, title=f"{e.id} ({entry.origin})")
    for label, value in (
        ("name", e.name), ("type", e.type), ("aliases", ", ".join(e.aliases)),
        ("tickers", ", ".join(e.tickers)), ("ambiguous tickers", ", ".join(e.ambiguous_tickers)),
        ("case-sensitive", ", ".join(e.case_sensitive_aliases)), ("tags", ", ".join(e.tags)),
        ("issuer", e.issuer or ""), ("underlying", e.underlying or ""),
        ("description", e.description or ""), ("stored mentions", str(mentions)),
    ):  # fmt: skip
        if value:
            table.add_row(label, value)
    console.print(table)


@entities_app.command("add")
def entities_add(
    *,
    entity_id: Annotated[str, typer.Option("--id", help="Stable id prefix:slug, e.g. crypto:abc.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    entity_type: Annotated[EntityType, typer.Option("--type", help="Entity type.")],
    alias: Annotated[list[str] | None, typer.Option(help="Alias (repeatable).")] = None,
    ticker: Annotated[list[str] | None, typer.Option(help="Ticker (repeatable).")] = None,
    to_file: Annotated[
        bool, typer.Option(help="Write to TIDINGS_USER_KB_FILE instead of the database.")
    ] = False,
) -> None:
    """Add (or replace) a user entity; the next `tidings process` links it."""
    data = {"id": entity_id, "name": name, "type": entity_type.value, "aliases": alias or [],
            "tickers": ticker or []}  # fmt: skip
    path = get_nlp_settings().user_kb_file
    if to_file and path is None:
        raise fail("--to-file needs TIDINGS_USER_KB_FILE to name the user KB file")
    try:
        entity = make_entity(data)
        where = add_entity(get_engine(), entity, to_file=path if to_file else None)
    except NlpError as exc:
        raise fail(str(exc)) from None
    console.print(f"added {entity.id} ({entity.type}) to {where}")


def _list_uncurated(*, search: str | None, limit: int) -> None:
    """The uncurated entities table."""
    rows = list_uncurated(get_engine(), search=search, limit=limit)
    table = Table("id", "type", "name", "mentions", title=f"{len(rows)} uncurated entities")
    for row in rows:
        table.add_row(row.id, row.type, row.name, str(row.mention_count))
    console.print(table)
    if not rows:
        console.print("[dim]none stored yet: `tidings process` stores names the KB lacks[/dim]")


@entities_app.command("promote")
def entities_promote(
    entity_id: Annotated[str, typer.Argument(help="Uncurated id, e.g. person:maria-lopez.")],
    *,
    entity_type: Annotated[
        EntityType | None, typer.Option("--type", help="Type in the KB (default: as stored).")
    ] = None,
) -> None:
    """Add an uncurated entity to the KB: TIDINGS_USER_KB_FILE if set, else the database."""
    path = get_nlp_settings().user_kb_file
    kind = entity_type.value if entity_type is not None else None
    try:
        done = promote(get_engine(), entity_id, entity_type=kind, user_file=path)
    except NlpError as exc:
        raise fail(str(exc)) from None
    aliases = f" with aliases {', '.join(done.aliases)}" if done.aliases else ""
    console.print(
        f"promoted {done.entity_id} ({done.entity_type}, {done.name}){aliases} to {done.where}"
    )
