"""`tidings correlate` through the real CLI on a real SQLite store with a planted effect."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session
from typer.testing import CliRunner

import api.cli  # noqa: F401 - registers the command modules
from api.cli.groups import app
from api.services.correlation import market_on_grid
from models.analysis import EntitySentiment
from models.articles import Article, PublishedFrom, TextSource
from models.db import init_engine
from models.market import MarketPoint, MarketSeries

runner = CliRunner()
START = date(2022, 1, 1)


def build_store(url: str, days: int, *, seed: int = 0) -> None:
    """Two BTC articles a day whose sentiment leads the next day's BTC return, a price series
    and a weekday-only ETF flow series that follows the same day's sentiment."""
    rng = np.random.default_rng(seed)
    mood = rng.standard_normal(days) * 0.3
    returns = np.r_[0.0, 0.02 * mood[:-1] / 0.3] + 0.01 * rng.standard_normal(days)
    prices = 30_000 * np.exp(np.cumsum(returns))
    engine = init_engine(url)
    with Session(engine) as s:
        price = MarketSeries(symbol="BTC-USD", kind="ohlcv", unit="USD", source="yahoo")
        flow = MarketSeries(symbol="BTC-ETF-FLOW", kind="flow", unit="USD", source="farside")
        s.add_all([price, flow])
        s.flush()
        assert price.id is not None and flow.id is not None
        for i in range(days):
            d = START + timedelta(days=i)
            ts = datetime(d.year, d.month, d.day)
            s.add(MarketPoint(series_id=price.id, ts=ts, day=d, close=prices[i], value=prices[i]))
            if d.weekday() < 5:
                value = 1e8 * mood[i] + 2e7 * rng.standard_normal()
                s.add(
                    MarketPoint(series_id=flow.id, ts=ts + timedelta(hours=21), day=d, value=value)
                )
            for j in range(2):
                article = Article(
                    url=f"https://example.com/{i}-{j}",
                    content_hash=f"{i}-{j}",
                    text="x",
                    status="done",
                    model_versions={"sentiment": "v1"},
                    sentiment_score=0.0,
                    text_source=TextSource.FILE,
                    published_from=PublishedFrom.RECORD,
                    published_at=datetime(d.year, d.month, d.day, 8 + j, tzinfo=UTC),
                )
                s.add(article)
                s.flush()
                assert article.id is not None
                score = float(np.clip(mood[i] + 0.05 * rng.standard_normal(), -1, 1))
                s.add(
                    EntitySentiment(
                        article_id=article.id,
                        entity_id="crypto:btc",
                        name="Bitcoin",
                        score=score,
                        confidence=0.9,
                        n=1,
                    )
                )
        s.commit()
    engine.dispose()


def test_correlate_json_finds_the_planted_lead(db_url: str, tmp_path: Path) -> None:
    build_store(db_url, 200)
    png = tmp_path / "fig" / "btc.png"
    args = ["correlate", "--entity", "crypto:btc", "--market", "BTC-USD", "--max-lag", "5"]
    result = runner.invoke(app, [*args, "--boot", "200", "--json", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n"] == 199  # the first day has no return
    assert data["market"] == {
        "symbol": "BTC-USD",
        "source": "yahoo",
        "kind": "ohlcv",
        "transform": "log_return",
        "horizon": 1,
    }
    assert [row["lag"] for row in data["lags"]] == list(range(-5, 6))
    for row in data["lags"]:
        assert set(row) >= {"lag", "pearson", "pearson_p", "pearson_q", "spearman", "spearman_p"}
    best = max(data["lags"], key=lambda row: abs(row["pearson"]))
    assert best["lag"] == 1 and best["pearson"] > 0.5 and best["pearson_q"] < 1e-6
    assert data["significant_lags"] == [1]
    assert data["granger"]["sentiment_to_market"]["min_p"] < 1e-6
    assert data["granger"]["market_to_sentiment"]["min_p_bonferroni"] > 0.001
    assert set(data["event_study"]) == {"positive", "negative"}
    assert data["model_versions"] == [{"versions": {"sentiment": "v1"}, "articles": 400}]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_correlate_table_and_flows_as_levels(db_url: str) -> None:
    build_store(db_url, 120, seed=1)
    args = ["correlate", "--entity", "crypto:btc", "--market", "BTC-ETF-FLOW", "--max-lag", "3"]
    table = runner.invoke(app, [*args, "--boot", "0"])
    assert table.exit_code == 0, table.output
    assert "flow -> level" in table.output and "Granger" in table.output
    data = json.loads(runner.invoke(app, [*args, "--boot", "0", "--json"]).output)
    weekdays = sum((START + timedelta(days=i)).weekday() < 5 for i in range(120))
    assert data["n"] == weekdays
    assert max(data["lags"], key=lambda row: abs(row["pearson"]))["lag"] == 0


def test_correlate_refuses_a_short_overlap(db_url: str) -> None:
    build_store(db_url, 20)
    result = runner.invoke(app, ["correlate", "--entity", "crypto:btc", "--market", "BTC-USD"])
    assert result.exit_code == 2
    assert "only 19 buckets hold both" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--market", "NOPE"], "no market series 'NOPE'"),
        (["--market", "BTC-USD", "--bucket", "1h"], "daily series: use --bucket 1d"),
        (["--market", "BTC-USD", "--signal", "vibes"], "unknown signal 'vibes'"),
        (["--market", "BTC-USD", "--source", "x"], "at most one of entity"),
    ],
)
def test_correlate_bad_requests(db_url: str, args: list[str], message: str) -> None:
    build_store(db_url, 5)
    result = runner.invoke(app, ["correlate", "--entity", "crypto:btc", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_market_transform_spans_weekend_gaps() -> None:
    """A weekday series: Monday's change is Friday to Monday, not lost to the weekend."""
    points = [
        MarketPoint(series_id=1, ts=datetime(2024, 1, d, 21), day=date(2024, 1, d), value=v)
        for d, v in ((5, 10.0), (8, 12.5))  # Friday, Monday
    ]
    times = [datetime(2024, 1, d) for d in range(5, 9)]
    levels, signal, transform = market_on_grid(points, times, bucket="1d", kind="index")
    assert transform == "change"
    assert np.isnan(signal[:3]).all() and signal[3] == pytest.approx(2.5)
    assert levels[0] == 10.0 and np.isnan(levels[1])
