"""The overview page (`/`) and the claims search page (`/claims`)."""

from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api.http.dashboard.common import router, templates, to_json
from api.http.dashboard.data import (
    default_market,
    forecast_scorecard,
    market_choices,
    market_line,
    narrative_voice,
    overall_series,
    series_chart,
    top_entities,
    verdicts,
)
from api.http.deps import SessionDep
from api.http.errors import ApiProblem
from api.http.routes.claims import claim_filters
from api.services.claims_search import search_claims

CLAIM_FIELDS = (
    "q", "entity", "metric", "unit", "min_value", "max_value", "claim_type", "direction",
    "attributed_to", "verdict", "since", "until",
)  # fmt: skip
CLAIM_TYPES = ("observation", "forecast", "historical", "threshold_level", "other")
VERDICTS = ("consistent", "approximate", "contradicted", "unverifiable")
Symbol = Annotated[str | None, Query(max_length=100)]


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, market: Symbol = None) -> HTMLResponse:
    """The sentiment index against a market series, narratives by change in share of voice,
    the latest claims with their verdicts and the forecast scorecard."""
    from api.http.routes.admin import stats

    series = overall_series(session)
    choices = market_choices(session)
    symbol = market or default_market(choices)
    chart = series_chart(series) | {"market": market_line(session, symbol, series.times)}
    latest = search_claims(session, replace(claim_filters(), limit=20))
    return templates.TemplateResponse(
        request, "overview.html",
        {"stats": stats(session), "chart": to_json(chart), "choices": choices, "symbol": symbol,
         "voices": narrative_voice(session)[:12], "claims": latest,
         "verdicts": verdicts(session, [h.claim.id for h in latest if h.claim.id]),
         "scorecard": forecast_scorecard(session), "entities": top_entities(session)},
    )  # fmt: skip


def _claim_params(raw: dict[str, str]) -> dict[str, Any]:
    """Typed claim filters from the search form (empty fields dropped); 422 naming a bad one."""
    values: dict[str, Any] = {}
    for name in CLAIM_FIELDS:
        value = raw.get(name, "").strip()
        if not value:
            continue
        try:
            if name in ("min_value", "max_value"):
                values[name] = float(value)
            elif name in ("since", "until"):
                values[name] = date.fromisoformat(value)
            else:
                values[name] = value[:200]
        except ValueError as exc:
            raise ApiProblem(422, f"{name}: {value!r} is not valid", param=name) from exc
    choices = {"claim_type": CLAIM_TYPES, "direction": ("up", "down", "none"), "verdict": VERDICTS}
    for name, allowed in choices.items():
        if values.get(name) not in (None, *allowed):
            raise ApiProblem(422, f"{name} must be one of {', '.join(allowed)}", param=name)
    return values


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Claims search with every filter; each row links to its source sentence."""
    raw = {k: v for k, v in request.query_params.items() if k in CLAIM_FIELDS}
    error = None
    hits: list[Any] = []
    try:
        params = _claim_params(raw)
        verdict = params.pop("verdict", None)
        query = claim_filters(**params)
        hits = search_claims(session, replace(query, verdict=verdict, limit=200))
    except ApiProblem as exc:
        error = exc.detail
    return templates.TemplateResponse(
        request, "claims.html",
        {"form": raw, "hits": hits, "error": error, "claim_types": CLAIM_TYPES,
         "verdict_choices": VERDICTS,
         "verdicts": verdicts(session, [h.claim.id for h in hits if h.claim.id])},
        status_code=422 if error else 200,
    )  # fmt: skip
