"""Dashboard pages with market data, on SQLite and PostgreSQL, through a real uvicorn: the
sentiment index against a price series, an entity against its market, a correlation request
with too little overlap, and a flow series picked instead."""

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine

from api.services.demo_corpus import demo_market, price_csv
from ingest.market.records import Overrides
from ingest.market.store import import_files
from tests.conftest import served

FIRST = date(2025, 11, 1)  # the seeded articles run from 2025-11-05 to 2025-11-21


def _chart(html: str) -> str:
    found = re.search(r"const chart = (\{.*?\});\n", html)
    assert found, "no chart data on the page"
    return found.group(1)


def test_pages_chart_sentiment_against_the_market(store: Engine, tmp_path: Path) -> None:
    days = [replace(d, day=FIRST + timedelta(days=i)) for i, d in enumerate(demo_market()[:30])]
    csv = tmp_path / "btc.csv"
    csv.write_text(price_csv(days), encoding="utf-8")
    flags = Overrides(symbol="BTC-USD", kind="ohlcv", entity="crypto:btc", unit="USD",
                      source="test", interval="1d")  # fmt: skip
    assert not import_files(store, [csv], flags).failed_files
    with served(store) as base, httpx.Client(base_url=base, timeout=30) as client:
        overview = client.get("/")
        assert overview.status_code == 200
        chart = _chart(overview.text)
        assert '"symbol": "BTC-USD"' in chart
        close = f"{days[17].close}"  # 2025-11-18, a day with articles
        assert close in chart
        entity = client.get("/entities/crypto:btc")
        assert entity.status_code == 200 and '"symbol": "BTC-USD"' in _chart(entity.text)
        correlation = client.get("/correlation", params={"entity": "crypto:btc"})
        assert correlation.status_code == 200
        assert "at least 30 are needed" in correlation.text
        unknown = client.get("/correlation", params={"market": "NOPE"})
        assert unknown.status_code == 422 and "no market series" in unknown.text
        source = client.get("/correlation", params={"source": "no such source"})
        assert source.status_code == 422 and "no source" in source.text
        missing = client.get("/", params={"market": "NOPE"})
        assert missing.status_code == 200 and '"market": null' in _chart(missing.text)
