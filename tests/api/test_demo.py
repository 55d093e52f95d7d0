"""`tidings demo` end to end (the real importer, pipeline, checks and forecast scoring on the
synthetic corpus), then every dashboard page on the demo store in Debian's Chromium driven by
Playwright against a real uvicorn (screenshots in test-artifacts/screenshots/, gitignored)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from typer.testing import CliRunner

import api.cli  # noqa: F401 - registers the command modules
from api.cli.groups import app
from api.services.demo_corpus import DEMO_LABEL, demo_articles, demo_market, flow_csv, price_csv
from models.articles import Article
from models.checks import ClaimCheck, ForecastResolution
from models.narratives import NarrativeAssignment
from tests.browser import chromium, need_chromium, shot, watched_tab
from tests.conftest import served

runner = CliRunner()


def _clear_caches() -> None:
    from api.context import get_engine
    from models.settings import get_database_settings

    for cached in (get_engine, get_database_settings):
        cached.cache_clear()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """`tidings demo` run once into a new SQLite store: (database URL, the CLI result)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    _clear_caches()
    result = runner.invoke(app, ["demo"], env={"TIDINGS_DATABASE_URL": url})
    _clear_caches()
    yield url, result
    _clear_caches()


@pytest.fixture(scope="module")
def demo_engine(demo: tuple[str, Any]) -> Iterator[Engine]:
    from models.db import init_engine

    engine = init_engine(demo[0])
    yield engine
    engine.dispose()


def test_the_corpus_and_market_are_deterministic_and_labelled() -> None:
    market = demo_market()
    articles = demo_articles(market)
    assert demo_articles(demo_market()) == articles
    assert all(a.title.startswith(DEMO_LABEL) for a in articles)
    assert all(a.url.startswith("https://demo.tidings.invalid/") for a in articles)
    assert len({a.text for a in articles}) == len(articles)  # no duplicate text to drop
    assert len(market) >= 60 and all(d.low <= min(d.open, d.close) for d in market)
    assert price_csv(market).startswith("date,open,high,low,close,volume\n2025-01-06,")
    assert flow_csv(market).count("\n") == 1 + sum(d.flow is not None for d in market)


@pytest.mark.slow
def test_demo_loads_every_view(demo: tuple[str, Any], demo_engine: Engine) -> None:
    _, result = demo
    assert result.exit_code == 0, result.output
    expected = len(demo_articles(demo_market()))
    assert f"demo loaded: {expected} synthetic articles ({expected} new" in result.output
    assert "BTC-USD (synthetic-demo)" in result.output
    assert "curl -s 'http://127.0.0.1:8000/api/v1/claims?q=outflow&limit=1'" in result.output
    with Session(demo_engine) as session:
        done = session.exec(select(func.count()).where(col(Article.status) == "done")).one()
        verdicts = dict(
            session.exec(
                select(ClaimCheck.verdict, func.count()).group_by(col(ClaimCheck.verdict))
            ).all()
        )
        resolved = session.exec(
            select(ForecastResolution.status).where(
                col(ForecastResolution.status).in_(["hit", "missed", "open"])
            )
        ).all()
        narratives = session.exec(
            select(func.count(func.distinct(col(NarrativeAssignment.narrative_id))))
        ).one()
    assert done == expected
    assert verdicts.get("consistent", 0) > 50 and verdicts.get("contradicted", 0) >= 3
    assert len(resolved) >= 3
    assert narratives >= 5


def test_market_dir_is_imported_instead_of_the_synthetic_series(tmp_path: Path) -> None:
    from api.services.demo import DemoError, import_demo_market
    from api.services.market import list_series
    from models.db import init_engine

    engine = init_engine(f"sqlite:///{tmp_path / 'm.db'}")
    given = tmp_path / "market"
    given.mkdir()
    with pytest.raises(DemoError, match="holds no market files"):
        import_demo_market(engine, tmp_path, given)
    (given / "ETH-USD.csv").write_text(price_csv(demo_market()[:10]), encoding="utf-8")
    names, points = import_demo_market(engine, tmp_path, given)
    assert points == 10 and len(names) == 1
    with Session(engine) as session:
        assert [s.series.symbol for s in list_series(session)] == ["ETH-USD"]
    (given / "broken.csv").write_text("no,layout,here\nx,y,z\n", encoding="utf-8")
    with pytest.raises(DemoError, match=r"broken\.csv"):
        import_demo_market(engine, tmp_path, given)
    engine.dispose()


def test_demo_refuses_a_store_with_other_articles(db_url: str) -> None:
    from api.context import get_engine
    from models.db import session_scope

    with session_scope(get_engine()) as session:
        session.add(Article(url="https://example.com/a", title="real", text="x", content_hash="h"))
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 1
    assert "already holds 1 other article(s)" in result.output
    assert "TIDINGS_DATABASE_URL=sqlite:///demo.db" in result.output


# ---- the dashboard on the demo store, in a real browser ----


@pytest.fixture(scope="module")
def site(demo_engine: Engine) -> Iterator[str]:
    need_chromium()
    with served(demo_engine) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    """A tab that records console errors, failed requests and requests leaving the server."""
    with watched_tab(browser, site) as tab:
        yield tab


def _traces(page: Any, chart_id: str) -> list[dict[str, Any]]:
    """Name and how many non-null y values each plotly trace of a chart holds."""
    page.wait_for_selector(f"#{chart_id} .main-svg")
    script = f"""document.getElementById('{chart_id}').data.map(t => ({{
        name: t.name, n: (t.y || []).filter(v => v !== null).length}}))"""
    return list(page.evaluate(script))


@pytest.mark.slow
def test_overview_charts_sentiment_against_btc(page: Any, site: str) -> None:
    page.goto(site + "/")
    traces = _traces(page, "sentiment-chart")
    assert [t["name"] for t in traces] == ["mean sentiment", "BTC-USD"]
    assert all(t["n"] >= 60 for t in traces)
    assert page.locator("#narrative-voice tr").count() >= 4
    assert page.locator("#scorecard td", has_text="Example Research").count() == 1
    assert page.locator("tr.claim-row .verdict").count() >= 1
    values = page.locator("tr.claim-row td.value").all_inner_texts()
    assert values and not any("e+" in v or v.endswith(".0") for v in values)
    shot(page, "demo-overview")
    page.select_option("select[name=market]", "DEMO-BTC-ETF-FLOW")
    page.wait_for_url("**/?market=DEMO-BTC-ETF-FLOW")
    assert _traces(page, "sentiment-chart")[1]["name"] == "DEMO-BTC-ETF-FLOW"
    assert page.problems == []


@pytest.mark.slow
def test_claims_search_shows_checked_flows(page: Any, site: str) -> None:
    page.goto(site + "/claims")
    page.fill("input[name=q]", "outflows")
    page.select_option("select[name=verdict]", "contradicted")
    page.click("button[type=submit]")
    page.wait_for_url("**/claims?*")
    rows = page.locator("tr.claim-row")
    assert rows.count() >= 1
    assert rows.first.locator(".verdict").inner_text() == "contradicted"
    value = rows.first.locator("td.value").inner_text()
    assert value.startswith("$") and value.endswith("M"), value  # e.g. $802M, not 802000000.0
    shot(page, "demo-claims")
    rows.first.locator("a.source-link").click()
    page.wait_for_selector("#sentence-chart .main-svg")
    assert page.locator("mark.claim").count() >= 1
    assert page.locator(".verdict.v-contradicted").count() >= 1
    assert page.locator("span.sentence[style*='rgba']").count() >= 2
    shot(page, "demo-article")
    assert page.problems == []


@pytest.mark.slow
def test_narrative_pages(page: Any, site: str) -> None:
    page.goto(site + "/narratives")
    page.locator("#narratives a", has_text="ETF").first.click()
    page.wait_for_url("**/narratives/etf-flows")
    assert _traces(page, "narrative-sentiment")[0]["n"] >= 20
    assert _traces(page, "narrative-voice")[0]["n"] >= 20
    assert page.locator("#top-sentences tr").count() > 5
    assert page.locator("#top-articles a").count() > 5
    shot(page, "demo-narrative")
    assert page.problems == []


@pytest.mark.slow
def test_correlation_page(page: Any, site: str) -> None:
    page.goto(site + "/correlation?max_lag=5")
    assert next(t["n"] for t in _traces(page, "lag-chart")) == 11  # lags -5..5
    assert _traces(page, "scatter-chart")[0]["n"] >= 30
    assert _traces(page, "overlay-chart")[0]["n"] >= 60
    assert "overlapping days" in page.locator("#summary").inner_text()
    assert page.locator("#granger tr").count() == 3
    shot(page, "demo-correlation")
    page.fill("input[name=entity]", "crypto:btc")
    page.click("button[type=submit]")
    page.wait_for_url("**/correlation?*entity=crypto%3Abtc*")
    assert page.locator("#summary").inner_text().startswith("entity:crypto:btc")
    assert page.problems == []


@pytest.mark.slow
def test_entity_page_charts_sentiment_against_its_market(page: Any, site: str) -> None:
    page.goto(site + "/entities/crypto:btc")
    traces = _traces(page, "entity-chart")
    assert [t["name"] for t in traces] == ["entity sentiment", "BTC-USD"]
    assert traces[0]["n"] >= 60
    shot(page, "demo-entity")
    assert page.problems == []
