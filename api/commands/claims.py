"""`tidings claims search`: find stored numeric claims, as a table or JSON."""

import json
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.claims_search import ClaimHit, ClaimQuery, search_claims
from api.commands.claims_extra import (
    EXTRA_COLUMNS,
    corroboration_columns,
    extra_cells,
    show_conflicts,
)
from api.context import get_engine
from api.groups import claims_app
from models.db import session_scope

console = Console()


def _parse_day(value: str | None, *, option: str) -> date | None:
    """A YYYY-MM-DD option value, or a clear error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option} takes a date as YYYY-MM-DD, got {value!r}") from None


def _value(value: float | None) -> str:
    """A compact human form of a claim value (1.63e9 -> 1.63B)."""
    if value is None:
        return ""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= scale:
            return f"{value / scale:,.3g}{suffix}"
    return f"{value:,.4g}"


def _table(hits: list[ClaimHit], extra: dict[int, dict[str, Any]] | None = None) -> Table:
    """A rich table of search hits (with verdict and corroboration group when given)."""
    table = Table(show_lines=False)
    for name in ("published", "claim", "value", "unit", "metric", "subject", "dir", "type"):
        table.add_column(name)
    table.add_column("period")
    table.add_column("source")
    table.add_column("sentence", overflow="fold", max_width=60)
    for name in EXTRA_COLUMNS if extra is not None else ():
        table.add_column(name)
    for hit in hits:
        c = hit.claim
        period = f"{c.time_start or ''}..{c.time_end or ''}" if c.time_start else c.time_text or ""
        table.add_row(
            hit.published_at.date().isoformat() if hit.published_at else "",
            c.text,
            _value(c.value),
            c.unit or "",
            c.metric or "",
            c.subject or "",
            c.direction or "",
            c.claim_type or "",
            period,
            c.attributed_to or "",
            c.sentence_text,
            *(extra_cells(hit, extra) if extra is not None else ()),
        )
    return table


@claims_app.command("search")
def search(  # noqa: PLR0913, PLR0917 - one parameter per CLI flag
    query: Annotated[str | None, typer.Argument(help="Free text (quotes for phrases).")] = None,
    entity: Annotated[str | None, typer.Option(help="Entity id (crypto:btc) or subject.")] = None,
    metric: Annotated[str | None, typer.Option(help="Metric, e.g. outflow, price_target.")] = None,
    unit: Annotated[str | None, typer.Option(help="USD, BTC, PERCENT, BASIS_POINTS, ...")] = None,
    min_value: Annotated[float | None, typer.Option("--min", help="Smallest value.")] = None,
    max_value: Annotated[float | None, typer.Option("--max", help="Largest value.")] = None,
    claim_type: Annotated[
        str | None, typer.Option("--type", help="observation, forecast...")
    ] = None,
    direction: Annotated[str | None, typer.Option(help="up, down or none.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Source named in the text.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on/after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on/before YYYY-MM-DD.")] = None,
    verdict: Annotated[
        str | None, typer.Option(help="Stored check verdict: consistent, contradicted...")
    ] = None,
    conflicts: Annotated[
        bool, typer.Option("--conflicts", help="List figures that disagree across outlets.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Search stored numeric claims."""
    spec = ClaimQuery(
        text=query,
        entity=entity,
        metric=metric,
        unit=unit,
        value_min=min_value,
        value_max=max_value,
        claim_type=claim_type,
        direction=direction,
        attributed_to=by,
        since=_parse_day(since, option="--since"),
        until=_parse_day(until, option="--until"),
        verdict=verdict,
        limit=limit,
        offset=offset,
    )
    if conflicts:
        show_conflicts(limit=limit, as_json=as_json)
        return
    with session_scope(get_engine()) as session:
        hits = search_claims(session, spec)
        extra = corroboration_columns(session, hits)
    if as_json:
        rows = [hit.to_dict() | extra.get(hit.claim.id or 0, {}) for hit in hits]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not hits:
        console.print("No claims match.")
        return
    console.print(_table(hits, extra))
