"""Loading the demo: the synthetic corpus imported and analyzed by the real pipeline, the market
series imported by the real market importer, then claims checked and forecasts resolved."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from api.services.demo_corpus import (
    DEMO_SOURCE,
    FLOW_SYMBOL,
    MARKET_SOURCE,
    PRICE_SYMBOL,
    demo_articles,
    demo_market,
    flow_csv,
    price_csv,
)
from ingest.market.records import Overrides
from ingest.market.store import import_files
from models.articles import Article
from models.sources import Source

if TYPE_CHECKING:
    from nlp.pipeline import Analyzer


class DemoError(ValueError):
    """The demo cannot be loaded into this store (it holds other articles, or files are bad)."""


@dataclass
class DemoReport:
    """What `tidings demo` loaded."""

    articles: int = 0
    new_articles: int = 0
    analyzed: int = 0
    failed: int = 0
    market_series: list[str] = field(default_factory=list)
    market_points: int = 0
    claims_checked: int = 0
    forecasts: int = 0


def foreign_articles(engine: Engine) -> int:
    """Articles in the store that did not come from the demo."""
    with Session(engine) as session:
        stmt = (
            select(func.count())
            .select_from(Article)
            .outerjoin(Source, col(Source.id) == col(Article.source_id))
            .where((col(Source.name) != DEMO_SOURCE) | col(Source.name).is_(None))
        )
        return int(session.exec(stmt).one())


def import_demo_market(
    engine: Engine, folder: Path, market_dir: Path | None
) -> tuple[list[str], int]:
    """The synthetic series, or every file of `market_dir` (layouts detected)."""
    if market_dir is not None:
        files = sorted(p for p in market_dir.iterdir() if p.is_file())
        if not files:
            raise DemoError(f"{market_dir} holds no market files")
        report = import_files(engine, files)
    else:
        market = demo_market()
        prices, flows = folder / "btc-usd.csv", folder / "etf-flows.csv"
        prices.write_text(price_csv(market), encoding="utf-8")
        flows.write_text(flow_csv(market), encoding="utf-8")
        report = import_files(engine, [prices], Overrides(
            symbol=PRICE_SYMBOL, kind="ohlcv", entity="crypto:btc", unit="USD",
            source=MARKET_SOURCE, interval="1d"))  # fmt: skip
        flow_report = import_files(engine, [flows], Overrides(
            symbol=FLOW_SYMBOL, kind="flow", entity="etf:us-spot-bitcoin-etfs", unit="USD",
            source=MARKET_SOURCE, interval="1d", calendar="none"))  # fmt: skip
        report.series.extend(flow_report.series)
        report.failed_files.extend(flow_report.failed_files)
    if report.failed_files:
        raise DemoError("; ".join(report.failed_files))
    return [f"{s.symbol} ({s.source})" for s in report.series], sum(s.points for s in report.series)


def load_demo(
    engine: Engine,
    *,
    analyzer: Analyzer | None = None,
    market_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> DemoReport:
    """Import, analyze and check the demo corpus (idempotent: a second run adds nothing new)."""
    from api.services.checks import check_claims
    from api.services.forecasts import resolve_forecasts
    from api.services.processing import process_articles
    from ingest.imports import ImportOptions, import_paths

    report = DemoReport()
    articles = demo_articles(demo_market())
    with tempfile.TemporaryDirectory(prefix="tidings-demo-") as tmp:
        folder = Path(tmp)
        progress("importing market data ...")
        report.market_series, report.market_points = import_demo_market(engine, folder, market_dir)
        corpus = folder / "demo-articles.jsonl"
        corpus.write_text("".join(json.dumps(a.record()) + "\n" for a in articles), "utf-8")
        progress(f"importing {len(articles)} synthetic articles ...")
        stats = import_paths(engine, [corpus], options=ImportOptions(source=DEMO_SOURCE))
    report.articles, report.new_articles = len(articles), stats.new
    progress("analyzing (entities, claims, sentiment, narratives) ...")
    done = process_articles(engine, analyzer=analyzer)
    report.analyzed, report.failed = done.done, done.failed
    with Session(engine) as session:
        report.claims_checked = len(check_claims(session))
        report.forecasts = len(resolve_forecasts(session))
        session.commit()
    return report
