"""`tidings forecasts score`: forecasts resolved on price paths, and scorecards."""

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.groups import app
from api.cli.options import parse_day, short_value
from api.context import get_engine
from api.services.forecasts import GROUP_BY, resolve_forecasts, score_report
from models.db import session_scope

console = Console()
forecasts_app = typer.Typer(help="Resolve forecasts against prices.", no_args_is_help=True)
app.add_typer(forecasts_app, name="forecasts")


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _items_table(items: list[dict[str, Any]]) -> Table:
    table = Table()
    for name in ("id", "published", "level", "dir", "subject", "by", "status", "horizon"):
        table.add_column(name)
    for name in ("hit", "days", "7d", "30d", "90d"):
        table.add_column(name)
    for it in items:
        moves = it["moves"]
        table.add_row(
            str(it["id"]),
            (it["published_at"] or "")[:10],
            short_value(it["level"]),
            it["direction"] or "",
            it["subject_id"] or it["subject"] or "",
            it["attributed_to"] or "",
            it["status"] if it["reason"] is None else f"{it['status']} ({it['reason']})",
            it["horizon_end"] or "",
            it["hit_date"] or "",
            "" if it["days_to_hit"] is None else str(it["days_to_hit"]),
            _pct(moves["7d"]),
            _pct(moves["30d"]),
            _pct(moves["90d"]),
        )
    return table


def _card_table(rows: list[dict[str, Any]], by: str) -> Table:
    table = Table()
    for name in (by, "n", "hit", "missed", "open", "hit rate", "95% CI", "median days"):
        table.add_column(name)
    for row in rows:
        ci = "" if row["ci_low"] is None else f"{row['ci_low']:.0%}..{row['ci_high']:.0%}"
        days = row["median_days_to_hit"]
        table.add_row(
            row["key"],
            str(row["n"]),
            str(row["hit"]),
            str(row["missed"]),
            str(row["open"]),
            _pct(row["hit_rate"]),
            ci,
            "" if days is None else f"{days:g}",
        )
    return table


@forecasts_app.command("score")
def score(  # noqa: PLR0917 - one parameter per CLI flag
    by: Annotated[
        str, typer.Option(help="Group by source (named in the text), author or outlet.")
    ] = "source",
    since: Annotated[str | None, typer.Option(help="Published on/after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on/before YYYY-MM-DD.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print counts, items and scorecard.")
    ] = False,
) -> None:
    """Resolve forecast and threshold claims (hit, missed, open) and score their sources."""
    if by not in GROUP_BY:
        raise typer.BadParameter(f"--by takes one of {', '.join(GROUP_BY)}, got {by!r}")
    start = parse_day(since, option="--since")
    end = parse_day(until, option="--until")
    with session_scope(get_engine()) as session:
        report = score_report(resolve_forecasts(session, since=start, until=end), by)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=1))
        return
    head = ("forecasts", "resolvable", "resolved", "hit", "missed", "open", "median_days_to_hit")
    console.print(" ".join(f"{k}: {report[k]}" for k in head))
    resolvable = [it for it in report["items"] if it["reason"] is None]
    if resolvable:
        console.print(_items_table(resolvable))
        console.print(_card_table(report["scorecard"], by))
