"""The dashboard in a real browser: Debian's Chromium driven by Playwright against a real
uvicorn server on 127.0.0.1 (screenshots in test-artifacts/screenshots/, gitignored)."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from models.db import init_engine
from tests.api.conftest import seed_store
from tests.browser import chromium, need_chromium, shot, watched_tab
from tests.conftest import served


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """A seeded SQLite store served by uvicorn on a free loopback port."""
    need_chromium()
    folder = tmp_path_factory.mktemp("site")
    engine = init_engine(f"sqlite:///{folder / 'tidings.db'}")
    seed_store(engine, folder)
    with served(engine) as base:
        yield base, engine
    engine.dispose()


@pytest.fixture(scope="module")
def browser(site: tuple[str, Engine]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, site: tuple[str, Engine]) -> Iterator[Any]:
    """A page that records console errors, failed requests and requests leaving 127.0.0.1."""
    with watched_tab(browser, site[0]) as tab:
        yield tab


def _points(page: Any, chart_id: str, trace: int = 0) -> int:
    """How many points plotly drew for a trace (0 when the chart did not render)."""
    page.wait_for_selector(f"#{chart_id} .main-svg")
    return int(page.evaluate(f"document.getElementById('{chart_id}').data[{trace}].x.length"))


def test_overview_renders_the_sentiment_chart(page: Any, site: tuple[str, Engine]) -> None:
    base, _ = site
    page.goto(base + "/")
    assert page.title() == "Overview · tidings"
    assert _points(page, "sentiment-chart") >= 17  # every day from 2025-11-05 to 2025-11-21
    assert page.locator("#sentiment-chart .scatterlayer .point").count() >= 5
    # days without articles are gaps (null), so the line does not join Nov 5 to Nov 18
    gaps = page.evaluate(
        "(() => { const t = document.getElementById('sentiment-chart').data[0];"
        " return [t.connectgaps, t.y.filter(v => v === null).length]; })()"
    )
    assert gaps[0] is False and gaps[1] >= 10
    assert page.locator("#top-entities a", has_text="crypto:btc").count() == 1
    assert "No market series stored" in page.locator("form.picker").inner_text()
    shot(page, "overview")
    assert page.problems == []


def test_claims_search_returns_the_expected_rows_and_links_to_the_sentence(
    page: Any, site: tuple[str, Engine]
) -> None:
    base, _ = site
    page.goto(base + "/claims")
    page.fill("input[name=q]", "outflows")
    page.fill("input[name=min_value]", "1e8")
    page.click("button[type=submit]")
    page.wait_for_url("**/claims?*")
    rows = page.locator("tr.claim-row")
    assert rows.count() >= 1
    assert "$523 million" in rows.first.inner_text()
    assert rows.first.locator("td.value").inner_text() == "$523M"
    shot(page, "claims-search")
    rows.first.locator("a.source-link").click()
    page.wait_for_url("**/articles/*#s0")
    assert page.locator("#s0 mark.claim", has_text="$523 million").count() == 1
    assert page.problems == []


def test_article_page_colours_sentences_and_marks_entities(
    page: Any, site: tuple[str, Engine]
) -> None:
    base, _ = site
    page.goto(base + "/claims?q=liquidations")
    page.locator("a.source-link").first.click()
    page.wait_for_selector("#sentence-chart .main-svg")
    assert page.locator("span.sentence.s-negative").count() >= 1
    assert page.locator("mark.claim", has_text="$1.2 billion").count() == 1
    assert page.locator("mark.entity").count() >= 1
    assert _points(page, "sentence-chart") == page.locator("span.sentence").count()
    shot(page, "article")
    assert page.problems == []


def test_entity_page_charts_its_sentiment(page: Any, site: tuple[str, Engine]) -> None:
    base, _ = site
    page.goto(base + "/entities/crypto:btc")
    assert page.locator("h1").inner_text().startswith("Bitcoin")
    assert _points(page, "entity-chart") >= 2
    assert "No market series describes Bitcoin" in page.locator("main").inner_text()
    assert page.locator("table.claims tr.claim-row").count() >= 1
    shot(page, "entity")
    assert page.problems == []


def test_narrative_and_correlation_pages_without_market_data(
    page: Any, site: tuple[str, Engine]
) -> None:
    base, _ = site
    page.goto(base + "/narratives")
    page.locator("#narratives a").first.click()
    page.wait_for_url("**/narratives/*")
    assert _points(page, "narrative-sentiment") >= 1
    assert page.locator("#top-sentences a").count() >= 1
    shot(page, "narrative")
    page.goto(base + "/correlation")
    assert "No market series stored yet" in page.locator("#notice").inner_text()
    assert page.problems == []


def test_bad_claims_filter_is_shown_on_the_page(page: Any, site: tuple[str, Engine]) -> None:
    base, _ = site
    response = page.goto(base + "/claims?min_value=lots")
    assert response.status == 422
    assert "min_value" in page.locator("p.error").inner_text()
