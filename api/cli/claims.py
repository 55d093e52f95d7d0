"""`tidings claims search`: find stored numeric claims, as a table or JSON."""

import json
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from api.cli.claims_extra import (
    EXTRA_COLUMNS,
    corroboration_columns,
    extra_cells,
    show_conflicts,
)
from api.cli.groups import claims_app
from api.cli.options import parse_day, short_value
from api.context import get_engine
from api.services.claims_search import SORTS, ClaimHit, ClaimQuery, search_claims
from models.db import session_scope

console = Console()


def _period(hit: ClaimHit) -> str:
    c = hit.claim
    return f"{c.time_start or ''}..{c.time_end or ''}" if c.time_start else c.time_text or ""


_SHORT_VERDICT = {"consistent": "ok", "approximate": "approx", "contradicted": "contra",
                  "unverifiable": "-"}  # fmt: skip


def _check_cell(info: dict[str, Any]) -> str:
    """CONFLICT when outlets disagree, else the stored verdict in at most six characters."""
    return "CONFLICT" if info.get("conflict") else _SHORT_VERDICT.get(info.get("verdict") or "", "")


def _compact_table(*, with_check: bool) -> Table:
    """One line per claim at the terminal's width: fixed columns, then the sentence cut to fit
    (with the check column only when some claim has a verdict or a conflict)."""
    table = Table(show_lines=False, box=box.SIMPLE_HEAD, pad_edge=False)
    widths = [("published", 10), ("claim", 14), ("value", 6), ("metric", 10), ("subject", 10),
              ("dir", 4)]  # fmt: skip
    if with_check:
        widths[1], widths[4] = ("claim", 12), ("subject", 8)
        widths.append(("check", 8))
    for name, width in widths:
        table.add_column(name, no_wrap=True, overflow="ellipsis", width=width)
    # Each gap between columns takes 3 characters (padding and separator) and the edges 2.
    used = sum(width for _, width in widths) + 3 * len(widths) + 2
    table.add_column(
        "sentence", no_wrap=True, overflow="ellipsis", width=max(12, console.width - used)
    )
    return table


def _table(hits: list[ClaimHit], extra: dict[int, dict[str, Any]], *, wide: bool) -> Table:
    """A rich table of search hits: compact (one line per claim, the sentence cut to fit the
    terminal) or, with `wide`, every column, the whole sentence, verdict and corroboration."""
    if wide:
        table = Table(show_lines=False)
        for name in ("published", "claim", "value", "unit", "metric", "subject", "dir", "type"):
            table.add_column(name)
        for name in ("period", "source"):
            table.add_column(name)
        table.add_column("sentence", overflow="fold", min_width=30)
        for name in EXTRA_COLUMNS:
            table.add_column(name)
    else:
        checks = {c.id: _check_cell(extra.get(c.id or 0, {})) for c in (h.claim for h in hits)}
        table = _compact_table(with_check=any(checks.values()))
    for hit in hits:
        c = hit.claim
        published = hit.published_at.date().isoformat() if hit.published_at else ""
        if wide:
            table.add_row(published, c.text, short_value(c.value), c.unit or "", c.metric or "",
                          c.subject or "", c.direction or "", c.claim_type or "", _period(hit),
                          c.attributed_to or "", c.sentence_text,
                          *extra_cells(hit, extra))  # fmt: skip
        else:
            check = (checks[c.id],) if len(table.columns) == 8 else ()
            table.add_row(published, c.text, short_value(c.value), c.metric or "", c.subject or "",
                          c.direction or "", *check,
                          " ".join(c.sentence_text.split()))  # fmt: skip
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
    sort: Annotated[
        str | None,
        typer.Option(
            help=f"Order: {', '.join(SORTS)} (default: relevance with text, else newest)."
        ),
    ] = None,
    conflicts: Annotated[
        bool, typer.Option("--conflicts", help="List figures that disagree across outlets.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    wide: Annotated[
        bool, typer.Option("--wide", help="Every column and whole sentences (default: compact).")
    ] = False,
) -> None:
    """Search stored numeric claims."""
    if sort is not None and sort not in SORTS:
        raise typer.BadParameter(f"--sort takes one of {', '.join(SORTS)}, got {sort!r}")
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
        since=parse_day(since, option="--since"),
        until=parse_day(until, option="--until"),
        verdict=verdict,
        sort=sort,
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
    console.print(_table(hits, extra, wide=wide))
