"""What `tidings claims search` adds from the checks: verdict, group size, conflicts."""

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, col, select

from api.context import get_engine
from api.services.claims_search import ClaimHit
from api.services.corroboration import all_conflicts, corroboration_for
from models.checks import ClaimCheck
from models.db import session_scope

console = Console()


def corroboration_columns(session: Session, hits: list[ClaimHit]) -> dict[int, dict[str, Any]]:
    """Per claim id: its stored verdict, group size, independent sources and conflict flag."""
    ids = [h.claim.id for h in hits if h.claim.id is not None]
    if not ids:
        return {}
    verdicts = {
        c.claim_id: c
        for c in session.exec(select(ClaimCheck).where(col(ClaimCheck.claim_id).in_(ids)))
    }
    groups = corroboration_for(session, [h.claim for h in hits])
    out: dict[int, dict[str, Any]] = {}
    for claim_id in ids:
        check = verdicts.get(claim_id)
        group = groups.get(claim_id)
        out[claim_id] = {
            "verdict": check.verdict if check else None,
            "reference_value": check.reference_value if check else None,
            "series": check.series_symbol if check else None,
            "relative_error": check.relative_error if check else None,
            "group_size": group.group_size if group else None,
            "independent_sources": group.independent_sources if group else None,
            "outlets": group.outlets if group else None,
            "conflict": group.conflict if group else False,
        }
    return out


EXTRA_COLUMNS = ("verdict", "group")


def extra_cells(hit: ClaimHit, extra: dict[int, dict[str, Any]]) -> tuple[str, str]:
    """The verdict and group cells of one search row."""
    info = extra.get(hit.claim.id or 0, {})
    size = info.get("group_size")
    group = "" if size is None else f"{size} ({info['independent_sources']} src)"
    return info.get("verdict") or "", group + (" CONFLICT" if info.get("conflict") else "")


def show_conflicts(*, limit: int, as_json: bool) -> None:
    """List figures about one subject, metric and period that disagree across stories."""
    with session_scope(get_engine()) as session:
        found = [c.to_dict() for c in all_conflicts(session)[:limit]]
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=1, default=str))
        return
    if not found:
        console.print("No conflicts.")
        return
    table = Table()
    for name in ("subject", "metric", "period", "value", "claims", "sources", "outlets"):
        table.add_column(name)
    for conflict in found:
        for i, side in enumerate(conflict["sides"]):
            first = i == 0
            table.add_row(
                conflict["subject"] if first else "",
                conflict["metric"] if first else "",
                "..".join(conflict["period"]) if first else "",
                f"{side['value']:,.6g}",
                str(side["size"]),
                str(side["independent_sources"]),
                ", ".join(side["outlets"]) or "(no outlet)",
            )
    console.print(table)
