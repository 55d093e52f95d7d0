"""The correlation page (`/correlation`): a sentiment series against a market series, with the
lag profile, an overlay and a scatter, the Granger tests and the event study."""

from dataclasses import replace
from typing import Annotated, Any

import numpy as np
from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from api.analytics import CorrelateOptions, InsufficientDataError
from api.http.dashboard.common import router, templates, to_json
from api.http.dashboard.data import default_market, market_choices
from api.http.deps import SessionDep
from api.services.correlation import (
    SIGNALS,
    CorrelateRequest,
    CorrelationRequestError,
    CorrelationResult,
    run_correlation,
)
from api.services.series import SeriesError, SeriesQuery
from models.narratives import Narrative

Name = Annotated[str | None, Query(max_length=200)]
N_BOOT = 300  # bootstrap draws per lag: enough for a page, quicker than the CLI's 1000


def _charts(result: CorrelationResult) -> dict[str, Any]:
    """Lag profile, both series over time and the scatter at the strongest lag."""
    report = result.report
    x = (
        result.sentiment.zscore
        if result.signal == "zscore"
        else getattr(result.sentiment, result.signal)
    )
    best = max(report.lags, key=lambda r: abs(r.pearson) if np.isfinite(r.pearson) else -1)
    y = np.full(len(result.market_signal), np.nan)
    k = best.lag  # pair x_t with y_{t+k}
    if k >= 0:
        y[: len(y) - k] = result.market_signal[k:]
    else:
        y[-k:] = result.market_signal[:k]
    both = ~np.isnan(x) & ~np.isnan(y)
    return {
        "lags": [r.lag for r in report.lags],
        "r": [r.pearson for r in report.lags],
        "q": [r.pearson_q for r in report.lags],
        "band": report.null_band,
        "times": [t.date().isoformat() for t in result.sentiment.times],
        "x": x.tolist(),
        "y": result.market_signal.tolist(),
        "rolling": report.rolling.tolist(),
        "best_lag": k,
        "scatter_x": x[both].tolist(),
        "scatter_y": y[both].tolist(),
    }


def _request(
    scope: dict[str, str | None], *, signal: str, market: str, max_lag: int
) -> CorrelateRequest:
    series = SeriesQuery(
        entity=scope["entity"] or None,
        narrative=scope["narrative"] or None,
        source=scope["source"] or None,
        bucket="1d",
    )
    options = replace(CorrelateOptions(), max_lag=max_lag, n_boot=N_BOOT)
    return CorrelateRequest(series=series, market=market, signal=signal, options=options)


@router.get("/correlation", response_class=HTMLResponse)
def correlation_page(
    request: Request,
    session: SessionDep,
    *,
    entity: Name = None,
    narrative: Name = None,
    source: Name = None,
    market: Name = None,
    signal: Annotated[str, Query(max_length=40)] = "mean",
    max_lag: Annotated[int, Query(ge=1, le=30)] = 7,
) -> HTMLResponse:
    """Pick a sentiment series (everything, an entity, a narrative or a source) and a market
    series."""
    choices = market_choices(session)
    symbol = market or default_market(choices)
    narratives = session.exec(select(Narrative).order_by(col(Narrative.name))).all()
    scope = {"entity": entity, "narrative": narrative, "source": source}
    form = {**{k: v or "" for k, v in scope.items()}, "market": symbol,
            "signal": signal, "max_lag": max_lag}  # fmt: skip
    context: dict[str, Any] = {"form": form, "choices": choices, "signals": SIGNALS,
                               "narratives": narratives, "result": None, "error": None,
                               "notice": None}  # fmt: skip
    status = 200
    if symbol is None:
        context["notice"] = "No market series stored yet: `tidings market import FILE` loads one."
    else:
        try:
            request_ = _request(scope, signal=signal, market=symbol, max_lag=max_lag)
            result = run_correlation(session, request_)
            context["result"] = result.to_dict()
            context["charts"] = to_json(_charts(result))
        except InsufficientDataError as exc:
            context["notice"] = str(exc)
        except (CorrelationRequestError, SeriesError) as exc:
            context["error"], status = str(exc), 422
    return templates.TemplateResponse(request, "correlation.html", context, status_code=status)
