"""CLI commands for market data: import files, list series, fetch new points."""

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from api.context import get_engine
from api.groups import market_app
from api.services.market import list_series
from ingest.market.connectors import BinanceRequest, MarketFetchError, fetch_binance, fetch_fred
from ingest.market.records import Layout, Overrides
from ingest.market.settings import get_market_settings
from ingest.market.store import ImportReport, import_files
from ingest.settings import get_ingest_settings

console = Console()
err_console = Console(stderr=True)
MAX_LISTED_ERRORS = 20


@market_app.command("import")
def market_import(  # noqa: PLR0913 - one parameter per CLI flag
    files: Annotated[list[Path], typer.Argument(help="CSV files to load.")],
    *,
    symbol: Annotated[str | None, typer.Option(help="Series symbol (one-series files).")] = None,
    kind: Annotated[str | None, typer.Option(help="ohlcv, flow, rate, index or value.")] = None,
    entity: Annotated[
        str | None, typer.Option(help="KB entity id (one-series files; 'none' clears it).")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="Unit: USD, PERCENT, POINTS, ...")] = None,
    source: Annotated[str | None, typer.Option(help="binance, yahoo, fred, farside, ...")] = None,
    interval: Annotated[str | None, typer.Option(help="Bar length: 1d, 1h, ...")] = None,
    layout: Annotated[Layout | None, typer.Option(help="Skip layout detection.")] = None,
    day_close: Annotated[
        str | None, typer.Option(help="Which close ends a daily bar: utc-00:00 or us-close.")
    ] = None,
    scale: Annotated[
        float | None, typer.Option(help="Multiply values (1e6 for US$ millions).")
    ] = None,
    tz: Annotated[str | None, typer.Option(help="Zone of naive date-times (default UTC).")] = None,
    keep_last: Annotated[
        bool, typer.Option(help="Keep an exchange export's last (in-progress) candle.")
    ] = False,
    calendar: Annotated[
        str | None, typer.Option(help="Flow files: nyse (drop closed days, default) or none.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load price, flow, rate and index files (layouts detected; flags override)."""
    flags = Overrides(
        symbol=symbol, kind=kind, entity=entity, unit=unit, source=source, interval=interval,
        layout=layout, day_close=day_close, scale=scale, tz=tz, keep_last=keep_last,
        calendar=calendar,
    )  # fmt: skip
    report = import_files(get_engine(), files, flags)
    if as_json:
        typer.echo(json.dumps(_report_dict(report), indent=2))
    else:
        _print_report(report)
    if report.failed_files:
        raise typer.Exit(1)


def _report_dict(report: ImportReport) -> dict[str, object]:
    return {
        "files": report.files,
        "failed_files": report.failed_files,
        "rows": report.rows,
        "points": report.points,
        "new": report.new,
        "series": [vars(s) for s in report.series],
        "errors": [str(e) for e in report.errors],
        "set_aside": dict(Counter(_reason(n.reason) for n in report.notes)),
    }


def _reason(reason: str) -> str:
    """A note's reason without its row-specific detail (for counting)."""
    return reason.partition(": ")[0]


def _print_report(report: ImportReport) -> None:
    console.print(
        f"{report.files} files, {report.rows} rows: {report.points} points in "
        f"{len(report.series)} series ({report.new} new), {len(report.errors)} bad rows, "
        f"{len(report.notes)} set aside"
    )
    for s in report.series:
        console.print(
            f"  {s.symbol} ({s.source}, {s.kind}, {s.entity_id or 'no entity'}): "
            f"{s.points} points, {s.new} new"
        )
    for reason, count in Counter(_reason(n.reason) for n in report.notes).most_common():
        console.print(f"  set aside: {count} x {reason}")
    for failed in report.failed_files:
        err_console.print(f"[red]failed:[/red] {failed}", soft_wrap=True)
    for error in report.errors[:MAX_LISTED_ERRORS]:
        err_console.print(f"[yellow]bad row:[/yellow] {error}", soft_wrap=True)
    if len(report.errors) > MAX_LISTED_ERRORS:
        err_console.print(f"... and {len(report.errors) - MAX_LISTED_ERRORS} more bad rows")


@market_app.command("list")
def market_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Every stored series with kind, entity, first/last point and count."""
    with Session(get_engine()) as session:
        rows = [s.to_dict() for s in list_series(session)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("symbol", "source", "kind", "unit", "entity", "first", "last", "count")
    for r in rows:
        table.add_row(
            str(r["symbol"]), str(r["source"]), str(r["kind"]), str(r["unit"]),
            str(r["entity_id"] or "-"), str(r["first"] or "-"), str(r["last"] or "-"),
            str(r["count"]),
        )  # fmt: skip
    console.print(table)


@market_app.command("fetch")
def market_fetch(
    symbol: Annotated[str, typer.Argument(help="BTCUSDT / BTC/USDT (binance) or SOFR (fred).")],
    *,
    source: Annotated[str, typer.Option(help="binance or fred.")],
    since: Annotated[str, typer.Option(help="First day wanted (YYYY-MM-DD).")],
    interval: Annotated[str, typer.Option(help="Bar length (binance): 1d, 4h, 1h, ...")] = "1d",
    entity: Annotated[str | None, typer.Option(help="KB entity id of the series.")] = None,
) -> None:
    """Fetch new points (after the newest stored one) from Binance or FRED."""
    try:
        first = date.fromisoformat(since)
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] --since {since!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from exc
    flags = Overrides(entity=entity)
    settings, market = get_ingest_settings(), get_market_settings()
    try:
        if source == "fred":
            outcome = fetch_fred(
                get_engine(), symbol, since=first, settings=settings, market=market, flags=flags
            )
        elif source == "binance":
            request = BinanceRequest(symbol=symbol, since=first, interval=interval)
            outcome = fetch_binance(
                get_engine(), request, settings=settings, market=market, flags=flags
            )
        else:
            err_console.print(f"[red]error:[/red] --source must be binance or fred, not {source!r}")
            raise typer.Exit(2)
    except MarketFetchError as exc:
        err_console.print(f"error: {exc}", soft_wrap=True, markup=False, highlight=False)
        raise typer.Exit(1) from exc
    last = outcome.last.isoformat() if outcome.last else "-"
    console.print(
        f"{outcome.symbol} ({outcome.source}) from {outcome.since}: {outcome.fetched} points, "
        f"{outcome.new} new, last {last}"
    )
