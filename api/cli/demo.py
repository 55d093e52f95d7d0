"""`tidings demo`: a synthetic corpus and market series, analyzed, so every view has data."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.errors import fail
from api.cli.groups import app
from api.context import get_engine
from api.services.demo import DemoError, foreign_articles, load_demo
from models.settings import get_database_settings

console = Console(stderr=True)


def open_hint(host: str = "127.0.0.1", port: int = 8000) -> str:
    """What to run and open once the demo is loaded."""
    base = f"http://{host}:{port}"
    pages = [
        ("/", "overview: sentiment against BTC-USD, narratives, claims, forecasts"),
        ("/claims?q=outflow", "claims search, with each claim's check"),
        ("/narratives", "narratives by change in share of voice"),
        ("/correlation", "sentiment against a market series: lags, Granger, events"),
        ("/entities/crypto:btc", "an entity against its market series"),
        ("/docs", "the HTTP API"),
    ]
    lines = ["Serve it with `tidings serve`, then open:"]
    lines += [f"  {base}{path:<22} {what}" for path, what in pages]
    lines.append(f"First API query: curl -s '{base}/api/v1/claims?q=outflow&limit=1'")
    return "\n".join(lines)


@app.command("demo")
def demo_command(
    market_dir: Annotated[
        Path | None,
        typer.Option(
            "--market-dir",
            exists=True,
            file_okay=False,
            help="Import the market files in this folder instead of the synthetic series.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Load even though the store holds other articles.")
    ] = False,
) -> None:
    """Load a small demo: synthetic articles (written by tidings, every title marked as synthetic
    demo text) and a synthetic BTC-USD and ETF-flow series, analyzed by the real pipeline, claims
    checked and forecasts scored. Offline; about a minute."""
    engine = get_engine()
    others = foreign_articles(engine)
    if others and not force:
        url = get_database_settings().database_url
        raise fail(
            f"the store ({url}) already holds {others} other article(s); demo text would mix "
            "with them. Use an empty store, e.g. TIDINGS_DATABASE_URL=sqlite:///demo.db "
            "tidings demo, or pass --force"
        )
    console.print("loading NLP models ...")
    try:
        report = load_demo(engine, market_dir=market_dir, progress=console.print)
    except DemoError as exc:
        raise fail(str(exc)) from exc
    typer.echo(
        f"demo loaded: {report.articles} synthetic articles ({report.new_articles} new, "
        f"{report.analyzed} analyzed, {report.failed} failed), market series "
        f"{', '.join(report.market_series)} ({report.market_points} points), "
        f"{report.claims_checked} claims checked, {report.forecasts} forecasts scored"
    )
    typer.echo("All article text and the market series are synthetic, made up for the demo.")
    typer.echo(open_hint())
