"""Checks and resolutions stored and replaced on SQLite and PostgreSQL (claims written directly,
no NLP): the driver-level bulk write, re-runs that replace, and reprocessing that deletes."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func
from sqlmodel import Session, col, select

from api.services.checks import check_claims, summary
from api.services.forecasts import resolve_forecasts, score_report
from models.articles import Article
from models.checks import ClaimCheck, ForecastResolution
from models.claims import Claim
from models.db import init_engine, session_scope
from models.market import MarketPoint, MarketSeries

START = date(2025, 10, 27)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = init_engine(f"sqlite:///{tmp_path / 'store.db'}")
        yield eng
        eng.dispose()
        return
    yield request.getfixturevalue("pg_engine")


def _fill(engine: Engine) -> None:
    with session_scope(engine) as session:
        flow = MarketSeries(symbol="US-SPOT-BTC-ETF-FLOW", kind="flow", unit="USD",
                            source="farside", entity_id="etf:us-spot-bitcoin-etfs")  # fmt: skip
        btc = MarketSeries(symbol="BTCUSDT", kind="ohlcv", unit="USD", source="binance",
                           entity_id="crypto:btc")  # fmt: skip
        session.add_all([flow, btc])
        session.flush()
        for k, value in enumerate([149.3, 202.4, -470.7, -488.4, -191.6]):  # Farside, 27-31 Oct
            d = START + timedelta(days=k)
            session.add(MarketPoint(series_id=flow.id or 0, ts=datetime(d.year, d.month, d.day),
                                    day=d, value=value * 1e6))  # fmt: skip
        for k in range(60):  # a synthetic path falling 1,000 a day from 110,000
            d = START + timedelta(days=k)
            close = 110_000 - 1_000 * k
            session.add(MarketPoint(series_id=btc.id or 0, ts=datetime(d.year, d.month, d.day),
                                    day=d, low=close - 500, high=close + 500, close=close,
                                    value=close))  # fmt: skip
        article = Article(url="https://x.test/1", content_hash="h1", text="",
                          published_at=datetime(2025, 11, 5, 9, tzinfo=UTC))  # fmt: skip
        session.add(article)
        session.flush()
        base = {"article_id": article.id or 0, "start": 0, "end": 1, "unit": "USD"}
        session.add_all([
            Claim(**base, text="$802 million", value=802e6, metric="net_flow", direction="down",
                  subject_id="etf:us-spot-bitcoin-etfs", claim_type="observation",
                  time_start=START, time_end=START + timedelta(days=4)),
            Claim(**base, text="$2 billion", value=2e9, metric="outflow", claim_type="observation",
                  subject_id="etf:us-spot-bitcoin-etfs", time_start=START,
                  time_end=START + timedelta(days=4)),
            Claim(**base, text="$90,000", value=90_000, metric="price_target", direction="down",
                  subject_id="crypto:btc", claim_type="forecast"),
            Claim(**base, text="$150,000", value=150_000, metric="price_target", direction="up",
                  subject_id="crypto:btc", claim_type="forecast",
                  time_end=date(2025, 12, 1)),
        ])  # fmt: skip


def test_store_replace_and_delete(engine: Engine) -> None:
    _fill(engine)
    for _ in range(2):  # the second run replaces the first
        with session_scope(engine) as session:
            results = check_claims(session)
            resolved = resolve_forecasts(session)
    assert summary(results) == {"checked": 2, "consistent": 1, "approximate": 0,
                                     "contradicted": 1, "unverifiable": 0}  # fmt: skip
    report = score_report(resolved)
    assert (report["hit"], report["missed"], report["open"]) == (1, 1, 0)
    with Session(engine) as session:
        checks = {c.verdict: c for c in session.exec(select(ClaimCheck)).all()}
        assert checks["consistent"].reference_value == pytest.approx(-799e6)
        assert checks["consistent"].series_symbol == "US-SPOT-BTC-ETF-FLOW"
        assert checks["consistent"].checked_at is not None
        rows = {r.level: r for r in session.exec(select(ForecastResolution)).all()}
        # 110,000 - 1,000 k: the close on 2025-11-05 (k=9) is 101,000; $90,000 is touched by the
        # low (close - 500) first on k=20, 2025-11-16, 11 days after publication
        assert (rows[90_000].status, rows[90_000].hit_date) == ("hit", date(2025, 11, 16))
        assert rows[90_000].days_to_hit == 11
        assert rows[90_000].move_7d == pytest.approx(7_000 / 101_000)
        assert (rows[150_000].status, rows[150_000].horizon_end) == ("missed", date(2025, 12, 1))
    with session_scope(engine) as session:  # reprocessing deletes claims: their rows follow
        session.execute(delete(Claim))
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ClaimCheck)).one() == 0
        left = session.exec(select(func.count(col(ForecastResolution.claim_id)))).one()
        assert left == 0
