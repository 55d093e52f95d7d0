"""CLI commands for sources, crawling, file import and store counts.

The crawler and importer (HTTP client, extraction, MinHash, date parsing) are imported by the
commands that use them, so `stats` and `sources list` start fast.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from api.cli.errors import err_console, fail
from api.cli.groups import app, ingest_app, sources_app
from api.context import get_engine
from api.queue.settings import get_queue_settings
from ingest.errors import SourceError
from ingest.sources import add_source, export_opml, import_opml, list_sources, remove_source
from models.articles import Article
from models.sources import FetchRecord, Source, SourceCategory

if TYPE_CHECKING:
    from ingest.imports import ImportOptions, ImportStats
    from ingest.poll import SourceStats

console = Console()


@sources_app.command("add")
def sources_add(
    url: str,
    *,
    name: Annotated[str | None, typer.Option(help="Display name (default: host name).")] = None,
    category: Annotated[SourceCategory, typer.Option(help="crypto, macro or equities.")] = (
        SourceCategory.CRYPTO
    ),
    language: Annotated[str, typer.Option(help="Expected language (ISO 639-1).")] = "en",
) -> None:
    """Register an RSS/Atom feed."""
    try:
        source = add_source(get_engine(), url, name=name, category=category, language=language)
    except SourceError as exc:
        raise fail(str(exc)) from exc
    console.print(f"added source {source.id}: {source.name} ({source.url})")


@sources_app.command("list")
def sources_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List sources with their health."""
    sources = list_sources(get_engine())
    if as_json:
        rows = [s.model_dump(mode="json", exclude={"etag", "last_modified"}) for s in sources]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "category", "enabled", "last status", "failures", "next poll")
    table.add_column("last error", overflow="fold")
    table.add_column("url", overflow="fold")
    for s in sources:
        next_poll = s.next_poll_at.strftime("%Y-%m-%d %H:%M") if s.next_poll_at else "due"
        enabled = "yes" if s.enabled else "no"
        status = str(s.last_status or "-")
        failures, error = str(s.consecutive_failures), s.last_error or ""
        table.add_row(str(s.id), s.name, s.category.value, enabled, status, failures, next_poll,
                      error, s.url)  # fmt: skip
    console.print(table)


@sources_app.command("remove")
def sources_remove(key: Annotated[str, typer.Argument(help="Source id, URL or name.")]) -> None:
    """Remove a source (disabled instead when stored articles point at it)."""
    try:
        console.print(remove_source(get_engine(), key))
    except SourceError as exc:
        raise fail(str(exc)) from exc


@sources_app.command("import-opml")
def sources_import_opml(file: Path) -> None:
    """Add every feed of an OPML file."""
    try:
        added, skipped = import_opml(get_engine(), file)
    except SourceError as exc:
        raise fail(str(exc)) from exc
    console.print(f"added {added} sources, skipped {skipped} (already present or invalid)")


@sources_app.command("export-opml")
def sources_export_opml(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Print (or write) all enabled feeds as OPML."""
    document = export_opml(get_engine())
    if output is None:
        typer.echo(document, nl=False)
    else:
        output.write_text(document, encoding="utf-8")


def _stats_table(stats: list[SourceStats]) -> Table:
    """The final per-source table of a crawl."""
    table = Table("source", "status", "fetched", "new", "duplicates", "known", "failed", "note")
    for s in stats:
        note = s.error or "; ".join(s.notes)
        table.add_row(s.name, s.status, str(s.fetched), str(s.new), str(s.duplicates),
                      str(s.known), str(s.failed), note[:80])  # fmt: skip
    return table


@ingest_app.command("once")
def ingest_once(
    all_sources: Annotated[bool, typer.Option("--all", help="Poll all, not only due.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print per-source stats as JSON.")] = (
        False
    ),
    enqueue: Annotated[
        bool, typer.Option(help="Queue one poll task per due source for `tidings worker`s.")
    ] = False,
) -> None:
    """Poll every due source once, then print a per-source table."""
    if enqueue:
        from api.cli.queue import enqueue_due_sources  # lazy: Celery

        ids = enqueue_due_sources(force=all_sources)
        typer.echo(json.dumps({"queued": ids}) if as_json else f"queued {len(ids)} source(s)")
        return
    from ingest.service import install_stop_signals, run_once  # lazy: the crawler

    stop = threading.Event()
    install_stop_signals(stop)
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("polling sources", total=None)

        def on_source(s: SourceStats) -> None:
            progress.advance(task)
            progress.console.print(f"{s.name}: {s.status}, {s.new} new, {s.duplicates} dup")

        stats = run_once(get_engine(), force=all_sources, on_source=on_source, stop_event=stop)
    if as_json:
        typer.echo(json.dumps([vars(s) for s in stats], indent=2))
    else:
        console.print(_stats_table(stats))


@ingest_app.command("watch")
def ingest_watch(
    enqueue: Annotated[
        bool, typer.Option(help="Queue due sources for `tidings worker`s instead of polling.")
    ] = False,
) -> None:
    """Keep polling sources as they fall due; stop cleanly on SIGINT/SIGTERM."""
    from ingest.service import install_stop_signals, watch  # lazy: the crawler
    from ingest.settings import get_ingest_settings

    stop = threading.Event()
    install_stop_signals(stop)
    if enqueue:
        from api.cli.queue import watch_enqueue  # lazy: Celery

        console.print("queueing sources as they fall due; Ctrl-C to stop")
        watch_enqueue(stop, tick_s=get_ingest_settings().watch_tick_s)
        console.print("stopped")
        return

    def on_cycle(stats: list[SourceStats]) -> None:
        console.print(_stats_table(stats))

    def on_source(s: SourceStats) -> None:
        console.print(f"{s.name}: {s.status}, {s.new} new, {s.duplicates} dup, {s.failed} failed")

    console.print("watching sources; Ctrl-C to stop")
    watch(get_engine(), stop_event=stop, on_source=on_source, on_cycle=on_cycle)
    console.print("stopped")


def _published_option(value: str | None) -> datetime | None:
    """--published as a UTC datetime; a bad date is a usage error."""
    if value is None:
        return None
    from ingest.normalize import parse_iso_date  # lazy: lxml, courlan, langid

    parsed = parse_iso_date(value)
    if parsed is None:
        raise typer.BadParameter(f"not an ISO 8601 date: {value!r}", param_hint="--published")
    return parsed


@app.command("import")
def import_files(  # noqa: PLR0913 - one parameter per CLI flag
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    *,
    published: Annotated[str | None, typer.Option(help="Date for records without one.")] = None,
    title_field: Annotated[str, typer.Option(help="Field/column with the title.")] = "title",
    text_field: Annotated[str, typer.Option(help="Field/column with the text.")] = "text",
    url_field: Annotated[str, typer.Option(help="Field/column with the URL.")] = "url",
    published_field: Annotated[str, typer.Option(help="Field/column with the date.")] = (
        "published"
    ),
    source_field: Annotated[str, typer.Option(help="Field/column naming the outlet.")] = "source",
    author_field: Annotated[str, typer.Option(help="Field/column with the author.")] = "author",
    date_format: Annotated[str | None, typer.Option(help="strptime format of dates.")] = None,
    delimiter: Annotated[str | None, typer.Option(help="CSV delimiter (default: sniffed).")] = (
        None
    ),
    source: Annotated[str | None, typer.Option(help="Source name when records have none.")] = None,
    dayfirst: Annotated[
        bool | None,
        typer.Option(
            "--dayfirst/--monthfirst",
            help="Numeric dates are day-first (5-7-2022 = 5 July) or month-first "
            "(default: decided per file from its dates).",
            show_default=False,
        ),
    ] = None,
    update: Annotated[
        bool, typer.Option(help="Refresh title, author and date of records already stored.")
    ] = False,
    enqueue: Annotated[
        bool, typer.Option(help="Then queue the new articles for `tidings worker`s.")
    ] = False,
) -> None:
    """Import article archives: .txt, .html, .json, .jsonl, .csv (read as streams: memory
    bounded by TIDINGS_IMPORT_MAX_RECORD_BYTES, not by the file size)."""
    from ingest.dates import DateOrder  # lazy: the importer and its parsers
    from ingest.imports import FieldNames, ImportOptions

    order = (
        None if dayfirst is None else (DateOrder.DAY_FIRST if dayfirst else DateOrder.MONTH_FIRST)
    )
    fields = FieldNames(
        title=title_field,
        text=text_field,
        url=url_field,
        published=published_field,
        source=source_field,
        author=author_field,
    )
    options = ImportOptions(
        fields=fields,
        published=_published_option(published),
        date_format=date_format,
        delimiter=delimiter,
        source=source,
        date_order=order,
        update=update,
    )
    engine = get_engine()
    stats = _import_with_progress(engine, paths, options)
    for error in stats.errors[:20]:
        err_console.print(f"[yellow]skipped:[/yellow] {error}")
    if len(stats.errors) > 20:
        err_console.print(f"... and {len(stats.errors) - 20} more")
    for note in stats.notes:
        err_console.print(f"[cyan]note:[/cyan] {note}", highlight=False)
    updated = f" ({stats.updated} updated)" if update else ""
    console.print(
        f"{stats.files} files, {stats.records} records: {stats.new} new, "
        f"{stats.duplicates} duplicates, {stats.known} already stored{updated}, "
        f"{stats.failed} failed"
    )
    if enqueue:
        from api.cli.queue import enqueue_pending_articles  # lazy: Celery

        console.print(f"queued {enqueue_pending_articles()} article(s) for processing")
    if stats.failed and not (stats.new or stats.duplicates or stats.known):
        raise typer.Exit(1)


def _import_with_progress(engine: Engine, paths: list[Path], options: ImportOptions) -> ImportStats:
    """Run the import under a progress bar over the bytes of all files."""
    from ingest.imports import expand_paths, import_paths  # lazy: the importer and its parsers

    files = expand_paths(paths)
    sizes = {f: f.stat().st_size if f.is_file() else 0 for f in files}
    offsets = dict(zip(files, accumulate([0, *sizes.values()]), strict=False))
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
        TextColumn("{task.fields[records]:,} records"), TimeElapsedColumn(),
        TimeRemainingColumn(), console=err_console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("importing", total=sum(sizes.values()) or None, records=0)
        count = [0]

        def on_record(path: Path) -> None:
            count[0] += 1
            progress.update(task, description=f"importing {path.name}", records=count[0])

        def on_bytes(path: Path, read: int) -> None:
            progress.update(task, completed=offsets.get(path, 0) + read)

        return import_paths(engine, files, options=options, on_record=on_record,
                            on_bytes=on_bytes)  # fmt: skip


def store_counts() -> dict[str, int]:
    """Counts of sources, articles, duplicates and fetches in the store."""
    with Session(get_engine()) as session:

        def count(model: type, *where: object) -> int:
            return int(session.exec(select(func.count()).select_from(model).where(*where)).one())  # type: ignore[arg-type]

        pending = (col(Article.status) == "new", col(Article.duplicate_of).is_(None))
        return {
            "sources": count(Source),
            "sources_enabled": count(Source, col(Source.enabled).is_(True)),
            "sources_failing": count(Source, col(Source.consecutive_failures) > 0),
            "articles": count(Article),
            "duplicates": count(Article, col(Article.duplicate_of).is_not(None)),
            "unprocessed": count(Article, *pending),
            "queued": count(Article, *pending, col(Article.queued_at).is_not(None)),
            "failed": count(Article, col(Article.status) == "failed"),
            "fetches": count(FetchRecord),
        }


@app.command("stats")
def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts of sources, articles and duplicates in the store, and what is still pending
    (unprocessed articles, those of them queued, and the broker's queues when one is set)."""
    counts: dict[str, object] = dict(store_counts())
    broker_url = get_queue_settings().broker_url
    if broker_url:
        from api.queue.backlog import queue_lengths  # lazy: kombu

        counts["broker_queues"] = queue_lengths(broker_url)
    if as_json:
        typer.echo(json.dumps(counts))
        return
    for key, value in counts.items():
        console.print(f"{key}: {value}")
