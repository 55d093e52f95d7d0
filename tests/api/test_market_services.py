"""Market read helpers on real SQLite and PostgreSQL stores."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.services.market import get_series, list_series, load_points, series_for_entity
from models.db import init_engine
from models.market import MarketPoint, MarketSeries


def _fill(engine: Engine) -> None:
    with Session(engine) as session:
        btc = MarketSeries(
            symbol="BTCUSDT", kind="ohlcv", unit="USD", source="binance", entity_id="crypto:btc"
        )
        btc_y = MarketSeries(
            symbol="BTC-USD", kind="ohlcv", unit="USD", source="yahoo", entity_id="crypto:btc"
        )
        flow = MarketSeries(
            symbol="IBIT-FLOW", kind="flow", unit="USD", source="farside", entity_id="etf:ibit"
        )
        empty = MarketSeries(symbol="SOFR", kind="rate", unit="PERCENT", source="fred")
        session.add_all([btc, btc_y, flow, empty])
        session.commit()
        assert btc.id is not None and flow.id is not None
        for day, close in [(3, 30.0), (1, 10.0), (2, 20.0)]:
            ts = datetime(2024, 1, day)
            session.add(
                MarketPoint(
                    series_id=btc.id, ts=ts, day=ts.date(), close=close, value=close, low=close - 1
                )
            )
        session.add(
            MarketPoint(
                series_id=flow.id,
                ts=datetime(2024, 1, 11, 21),
                day=date(2024, 1, 11),
                value=111.7e6,
            )
        )
        session.commit()


def _check(engine: Engine) -> None:
    with Session(engine) as session:
        btc = get_series(session, "BTCUSDT")
        assert btc is not None and btc.source == "binance" and btc.id is not None
        assert get_series(session, "BTCUSDT", source="yahoo") is None
        assert get_series(session, "nope") is None
        assert [s.symbol for s in series_for_entity(session, "crypto:btc")] == [
            "BTCUSDT",
            "BTC-USD",
        ]
        assert [s.symbol for s in series_for_entity(session, "crypto:btc", kind="flow")] == []
        assert [s.symbol for s in series_for_entity(session, "etf:ibit", kind="flow")] == [
            "IBIT-FLOW"
        ]
        points = load_points(session, btc.id)
        assert [p.value for p in points] == [10.0, 20.0, 30.0]
        assert points[0].ts == datetime(2024, 1, 1) and points[0].ts.tzinfo is None
        assert points[0].day == date(2024, 1, 1) and points[0].low == 9.0
        window = load_points(
            session, btc.id, start=datetime(2024, 1, 2), end=datetime(2024, 1, 3, tzinfo=UTC)
        )
        assert [p.value for p in window] == [20.0, 30.0]
        summaries = {(s.series.symbol, s.series.source): s for s in list_series(session)}
        assert list(summaries) == [
            ("BTC-USD", "yahoo"),
            ("BTCUSDT", "binance"),
            ("IBIT-FLOW", "farside"),
            ("SOFR", "fred"),
        ]
        b = summaries[("BTCUSDT", "binance")]
        assert (b.first_ts, b.last_ts, b.count) == (datetime(2024, 1, 1), datetime(2024, 1, 3), 3)
        assert summaries[("SOFR", "fred")].count == 0
        assert summaries[("SOFR", "fred")].to_dict()["first"] is None
        assert summaries[("IBIT-FLOW", "farside")].to_dict()["last"] == "2024-01-11T21:00:00"
        # one point per series and bar start; one symbol per source
        session.expunge_all()
        session.add(MarketPoint(series_id=btc.id, ts=datetime(2024, 1, 1), value=1.0))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.add(MarketSeries(symbol="BTCUSDT", kind="ohlcv", unit="USD", source="binance"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_market_read_helpers_sqlite(tmp_path: Path) -> None:
    engine = init_engine(f"sqlite:///{tmp_path / 'm.db'}")
    _fill(engine)
    _check(engine)


@pytest.mark.postgres
def test_market_read_helpers_postgres(pg_engine: Engine) -> None:
    _fill(pg_engine)
    _check(pg_engine)
