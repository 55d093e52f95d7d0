"""`tidings correlate`: does the talk lead the market? A sentiment series against a market
series, as a table, JSON and a plot."""

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.analytics import CorrelateOptions, InsufficientDataError
from api.cli.groups import app
from api.context import get_engine
from api.services.correlation import (
    SIGNALS,
    CorrelateRequest,
    CorrelationRequestError,
    CorrelationResult,
    run_correlation,
)
from api.services.series import SeriesError, SeriesQuery
from models.db import session_scope

console = Console()


def _day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option} takes YYYY-MM-DD, got {value!r}") from None


def _f(value: float | None, digits: int = 3) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _lag_table(result: CorrelationResult) -> Table:
    table = Table(title=f"lag profile: corr(sentiment_t, {result.transform}_t+lag)")
    for name in ("lag", "n", "pearson", "95% CI", "p", "q (BH)", "HAC p", "rho", "p"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in result.report.lags:
        ci = f"{row.pearson_ci[0]:+.2f},{row.pearson_ci[1]:+.2f}" if row.pearson_ci else ""
        style = "bold green" if row.pearson_q < 0.05 else None
        table.add_row(
            f"{row.lag:+d}",
            str(row.n),
            _f(row.pearson, 2),
            ci,
            _f(row.pearson_p),
            _f(row.pearson_q),
            _f(row.hac_p),
            _f(row.spearman, 2),
            _f(row.spearman_p),
            style=style,
        )
    return table


def _summary(result: CorrelationResult) -> None:
    data = result.to_dict()
    market = data["market"]
    console.print(
        f"[bold]{data['scope']}[/] {data['signal']} vs [bold]{market['symbol']}[/] "
        f"({market['kind']} -> {market['transform']}), {data['bucket']} buckets "
        f"{data['start'][:10]}..{data['end'][:10]}: n = {data['n']} overlapping, "
        f"{data['articles']} articles"
    )
    if data["mixed_versions"]:
        console.print(f"[yellow]mixed model versions:[/] {data['model_versions']}")
    console.print(_lag_table(result))
    for name, g in data["granger"].items():
        if g["min_p"] is not None:
            console.print(
                f"Granger {name.replace('_', ' ')}: best lag {g['best_lag']}, "
                f"p = {g['min_p']:.3g}; {g['min_p_bonferroni']:.3g} after Bonferroni over "
                f"{len(g['lags'])} lags"
            )
    for direction, study in data["event_study"].items():
        last = study["windows"][-1] if study["windows"] else None
        car = f"CAR(+{last['k']}) = {_f(last['car'], 4)} " if last else ""
        ci = f"[{_f(last['car_low'], 4)}, {_f(last['car_high'], 4)}]" if last else ""
        console.print(f"event study, {direction} shocks: {study['n_events']} events {car}{ci}")


@app.command("correlate")
def correlate_command(  # noqa: PLR0913, PLR0917 - one parameter per CLI flag
    market: Annotated[str, typer.Option(help="Market symbol: BTC-USD, an ETF flow, VIX...")],
    entity: Annotated[str | None, typer.Option(help="Entity id, e.g. crypto:btc.")] = None,
    narrative: Annotated[str | None, typer.Option(help="Narrative id, e.g. etf-flows.")] = None,
    source: Annotated[str | None, typer.Option(help="Source name or id.")] = None,
    market_source: Annotated[str | None, typer.Option(help="binance, yahoo, fred...")] = None,
    bucket: Annotated[str, typer.Option(help="1d or 1h.")] = "1d",
    max_lag: Annotated[int, typer.Option(min=0, max=60, help="Lags -k..+k.")] = 7,
    horizon: Annotated[int, typer.Option(min=1, help="Buckets per market return.")] = 1,
    signal: Annotated[str, typer.Option(help=f"Sentiment column: {', '.join(SIGNALS)}.")] = (
        "mean"
    ),
    since: Annotated[str | None, typer.Option(help="First day YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day YYYY-MM-DD.")] = None,
    boot: Annotated[int, typer.Option(min=0, help="Bootstrap resamples for the CIs.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Write the figure to this PNG.")] = None,
) -> None:
    """Correlate a sentiment series (entity, narrative, source or all) with a market series."""
    request = CorrelateRequest(
        series=SeriesQuery(
            entity=entity,
            narrative=narrative,
            source=source,
            bucket=bucket,
            start=_day(since, "--since"),
            end=_day(until, "--until"),
        ),
        market=market,
        market_source=market_source,
        signal=signal,
        options=CorrelateOptions(max_lag=max_lag, horizon=horizon, n_boot=boot),
    )
    try:
        with session_scope(get_engine()) as session:
            result = run_correlation(session, request)
    except (InsufficientDataError, SeriesError, CorrelationRequestError) as exc:
        typer.echo(f"tidings correlate: {exc}", err=True)
        raise typer.Exit(2) from None
    if plot is not None:
        from api.services.plots import correlation_figure

        correlation_figure(result, plot)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=1))
        return
    _summary(result)
    if plot is not None:
        console.print(f"figure written to {plot}")
