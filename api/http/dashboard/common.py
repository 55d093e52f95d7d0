"""What every dashboard page shares: the router, the templates and their filters, plotly.js."""

import json
import math
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

from fastapi import APIRouter, Response
from fastapi.templating import Jinja2Templates

from api.http.deps import ReadAccess

router = APIRouter(include_in_schema=False, dependencies=[ReadAccess])
templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")

_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
# units written after the number; the rest (USD, PERCENT, BPS) have their own forms
_CURRENCY = {"USD": "$", "EUR": "€", "GBP": "£"}
_BARE = {"COUNT", "NUMBER", "TIMES", "X"}  # a count: the number alone
_WORDS = {"YEARS", "MONTHS", "WEEKS", "DAYS", "HOURS", "MINUTES", "SECONDS", "YEAR", "MONTH",
          "WEEK", "DAY", "HOUR", "MINUTE", "SECOND"}  # fmt: skip


def _compact(value: float) -> str:
    """1.63e9 -> 1.63B, 802e6 -> 802M, 2500 -> 2,500."""
    for scale, suffix in _SCALES[:3]:
        if abs(value) >= scale:
            return f"{value / scale:,.3g}{suffix}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def claim_value(value: float | None, unit: str | None = None) -> str:
    """A claim value as people write it: $802M, 405,000 BTC, 4.5%, 25 bp, 1.2B USDT."""
    if value is None or not math.isfinite(value):
        return ""
    unit = (unit or "").upper()
    if unit in _CURRENCY:
        sign = "-" if value < 0 else ""
        return f"{sign}{_CURRENCY[unit]}{_compact(abs(value))}"
    if unit == "PERCENT":
        return f"{value:,.4g}%"
    if unit in ("BPS", "BP"):
        return f"{value:,.4g} bp"
    number = f"{value:,.0f}" if abs(value) < 1e6 and value == int(value) else _compact(value)
    if unit in _BARE:
        return number
    return f"{number} {unit.lower() if unit in _WORDS else unit}".strip()


def to_json(data: Any) -> str:
    """JSON for a <script> block: NaN becomes null (a gap plotly does not bridge) and `</` is
    escaped so text cannot close the script element."""
    return json.dumps(_clean(data)).replace("</", "<\\/")


def _clean(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _clean(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_clean(v) for v in data]
    return data


templates.env.filters["claim_value"] = claim_value
templates.env.filters["pct"] = lambda v: "" if v is None else f"{100 * v:.1f}%"
templates.env.filters["num"] = lambda v, f="%.2f": "n/a" if v is None else f % v


@lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js from the installed plotly wheel."""
    return Response(
        _plotly_js(), media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )  # fmt: skip
