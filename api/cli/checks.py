"""`tidings claims check`: verdicts of stored observation claims against the market data."""

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.groups import claims_app
from api.cli.options import parse_day, short_value
from api.context import get_engine
from api.services.checks import check_claims, check_item, summary
from models.claims import Claim
from models.db import session_scope

console = Console()


def _table(items: list[dict[str, Any]]) -> Table:
    table = Table()
    for name in ("id", "claim", "subject", "metric", "period", "verdict", "reference", "series"):
        table.add_column(name)
    table.add_column("error")
    for it in items:
        ref = it["reference_value"]
        if it["reference_low"] is not None and it["reference_low"] != it["reference_high"]:
            ref = f"{short_value(it['reference_low'])}..{short_value(it['reference_high'])}"
        else:
            ref = short_value(ref)
        err = it["relative_error"]
        table.add_row(
            str(it["id"]),
            it["text"],
            it["subject_id"] or it["subject"] or "",
            f"{it['metric']} {it['direction'] or ''}",
            f"{it['time_start']}..{it['time_end']}",
            it["verdict"],
            ref,
            it["series"] or "",
            "" if err is None else f"{err:.1%}",
        )
    return table


@claims_app.command("check")
def check(  # noqa: PLR0917 - one parameter per CLI flag
    since: Annotated[str | None, typer.Option(help="Published on/after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on/before YYYY-MM-DD.")] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list unverifiable claims in the table.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print counts and every item.")] = False,
) -> None:
    """Check observation claims against the stored market series and store the verdicts."""
    start = parse_day(since, option="--since")
    end = parse_day(until, option="--until")
    with session_scope(get_engine()) as session:
        results = check_claims(session, since=start, until=end)
        counts = summary(results)
        wanted = [r for r in results if as_json or show_all or r.judgement.reason is None]
        claims = {
            c.id: c
            for c in session.query(Claim).filter(Claim.id.in_([r.claim_id for r in wanted]))  # type: ignore[union-attr]
        }
        items = [check_item(claims[r.claim_id], r) for r in wanted]
    if as_json:
        typer.echo(json.dumps(counts | {"items": items}, ensure_ascii=False, indent=1))
        return
    console.print(" ".join(f"{k}: {v}" for k, v in counts.items()))
    if items:
        console.print(_table(items))
