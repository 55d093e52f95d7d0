"""`tidings market fetch` connectors against a real local HTTP server replaying Binance and FRED."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fixture_server import FixtureServer, Handler, Reply
from sqlalchemy import Engine
from sqlmodel import Session

from api.services.market import get_series, load_points
from ingest.market.connectors import (
    BinanceRequest,
    MarketFetchError,
    fetch_binance,
    fetch_fred,
)
from ingest.market.settings import MarketSettings
from ingest.settings import IngestSettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "market"
DAY_MS = 86_400_000
FIRST_DAY = datetime(2024, 1, 1, tzinfo=UTC)
# FRED SOFR as published for the first trading days of 2024 (2024-01-15 was a holiday)
SOFR = [("2024-01-02", "5.40"), ("2024-01-03", "5.38"), ("2024-01-04", "5.33"),
        ("2024-01-05", "5.32"), ("2024-01-08", "5.31"), ("2024-01-09", "5.31"),
        ("2024-01-10", "5.31"), ("2024-01-11", "5.31"), ("2024-01-12", "5.31"),
        ("2024-01-15", "."), ("2024-01-16", "5.31")]  # fmt: skip


def _kline(day: int, step: int = DAY_MS) -> list[object]:
    """A real-shaped Binance kline, bar `day` after 2024-01-01 00:00 (made-up but consistent)."""
    start = int(FIRST_DAY.timestamp() * 1000) + day * step
    close = 42000.0 + 100 * day
    return [start, f"{close - 50:.8f}", f"{close + 400:.8f}", f"{close - 300:.8f}",
            f"{close:.8f}", f"{1000 + day:.8f}", start + step - 1, f"{close * 1000:.8f}",
            120000 + day, "500.00000000", f"{close * 500:.8f}", "0"]  # fmt: skip


@pytest.fixture
def replay(server: FixtureServer) -> Iterator[FixtureServer]:
    """The fixture server answering /api/v3/* like Binance and /fred/graph/fredgraph.csv."""
    server.requests = []  # type: ignore[attr-defined]

    def exchange_info(handler: Handler) -> Reply:
        body = (FIXTURES / "binance_exchangeInfo.json").read_bytes()
        return 200, {"Content-Type": "application/json"}, body

    def klines(handler: Handler) -> Reply:
        query = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        server.requests.append(query)  # type: ignore[attr-defined]
        step = {"1d": DAY_MS, "1h": 3_600_000}.get(query.get("interval", ""))
        if query.get("symbol") != "BTCUSDT" or step is None:
            body = json.dumps({"code": -1121, "msg": "Invalid symbol."}).encode()
            return 400, {"Content-Type": "application/json"}, body
        first = (int(query["startTime"]) - int(FIRST_DAY.timestamp() * 1000)) // step
        limit = int(query.get("limit", 500))
        # the server's "now" is 2024-01-12 12:00 UTC: day 11 (01-12) is still forming
        bars = 12 if step == DAY_MS else 11 * 24 + 13
        rows = [_kline(d, step) for d in range(max(first, 0), min(first + limit, bars))]
        return 200, {"Content-Type": "application/json"}, json.dumps(rows).encode()

    def fredgraph(handler: Handler) -> Reply:
        query = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        server.requests.append(query)  # type: ignore[attr-defined]
        if query.get("id") != "SOFR":
            return 404, {"Content-Type": "text/html"}, b"<html>Series not found</html>"
        rows = [f"{d},{'' if v == '.' else v}" for d, v in SOFR if d >= query.get("cosd", "")]
        body = "observation_date,SOFR\n" + "\n".join(rows) + "\n"
        return 200, {"Content-Type": "text/csv"}, body.encode()

    server.routes.update({
        "/api/v3/exchangeInfo": exchange_info,
        "/api/v3/klines": klines,
        "/fred/graph/fredgraph.csv": fredgraph,
    })  # fmt: skip
    yield server


def _market(server: FixtureServer, batch: int = 1000) -> MarketSettings:
    return MarketSettings(
        fred_csv_url=f"{server.base}/fred/graph/fredgraph.csv",
        binance_api_url=f"{server.base}/api/v3",
        market_fetch_batch=batch,
    )


def _closed_port() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_binance_incremental_closed_bars_only(
    replay: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    market = _market(replay, batch=4)
    first = fetch_binance(
        engine,
        BinanceRequest("BTCUSDT", since=date(2024, 1, 1), now=datetime(2024, 1, 6, 12, tzinfo=UTC)),
        settings=settings,
        market=market,
    )
    # 01-01 .. 01-05 are closed at 01-06 12:00; 01-06 is still forming and left out
    assert (first.symbol, first.source, first.fetched, first.new) == ("BTCUSDT", "binance", 5, 5)
    assert first.last == datetime(2024, 1, 5)
    starts = [int(q["startTime"]) for q in replay.requests]  # type: ignore[attr-defined]
    assert [q["limit"] for q in replay.requests] == ["4", "4"]  # type: ignore[attr-defined]
    assert starts == [1704067200000, 1704067200000 + 4 * DAY_MS]  # paged by 4
    replay.requests.clear()  # type: ignore[attr-defined]
    second = fetch_binance(
        engine,
        BinanceRequest("BTC/USDT", since=date(2024, 1, 1), now=datetime(2024, 1, 9, 1, tzinfo=UTC)),
        settings=settings,
        market=market,
    )
    # only what is new: asked from 01-06 00:00 on, the day after the newest stored bar
    assert int(replay.requests[0]["startTime"]) == 1704067200000 + 5 * DAY_MS  # type: ignore[attr-defined]
    assert (second.since, second.fetched, second.new) == (date(2024, 1, 6), 3, 3)
    with Session(engine) as session:
        series = get_series(session, "BTCUSDT", source="binance")
        assert series is not None and series.id is not None
        assert (series.kind, series.unit, series.entity_id, series.day_close) == (
            "ohlcv", "USD", "crypto:btc", "utc-00:00",
        )  # fmt: skip
        points = load_points(session, series.id)
    assert [p.day for p in points] == [date(2024, 1, d) for d in range(1, 9)]
    assert (points[0].open, points[0].high, points[0].low, points[0].close) == (
        41950.0, 42400.0, 41700.0, 42000.0,
    )  # fmt: skip
    assert points[-1].close == 42700.0 and points[-1].volume == 1007.0
    third = fetch_binance(
        engine,
        BinanceRequest("BTCUSDT", since=date(2024, 1, 1), now=datetime(2024, 1, 9, 2, tzinfo=UTC)),
        settings=settings,
        market=market,
    )
    assert (third.fetched, third.new) == (0, 0)


def test_binance_hourly_bars_are_their_own_series(
    replay: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    request = BinanceRequest(
        "BTCUSDT",
        since=date(2024, 1, 1),
        interval="1h",
        now=datetime(2024, 1, 1, 5, 30, tzinfo=UTC),
    )
    outcome = fetch_binance(engine, request, settings=settings, market=_market(replay))
    assert (outcome.symbol, outcome.fetched, outcome.last) == (
        "BTCUSDT@1h", 5, datetime(2024, 1, 1, 4),
    )  # fmt: skip
    with Session(engine) as session:
        series = get_series(session, "BTCUSDT@1h", source="binance")
        assert series is not None and series.id is not None
        assert (series.interval, series.day_close, series.entity_id) == ("1h", None, "crypto:btc")
        points = load_points(session, series.id)
        assert get_series(session, "BTCUSDT", source="binance") is None
    assert [p.ts.hour for p in points] == [0, 1, 2, 3, 4]
    assert all(p.day is None for p in points)


def test_binance_unknown_pair_and_offline(
    replay: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    request = BinanceRequest("DOGEUSDT", since=date(2024, 1, 1))
    with pytest.raises(MarketFetchError, match="binance has no spot market 'DOGEUSDT'"):
        fetch_binance(engine, request, settings=settings, market=_market(replay))
    offline = MarketSettings(binance_api_url=f"{_closed_port()}/api/v3")
    with pytest.raises(MarketFetchError) as caught:
        fetch_binance(engine, request, settings=settings, market=offline)
    message = str(caught.value)
    assert message.startswith("binance: cannot reach 127.0.0.1:") and "\n" not in message


def test_binance_refuses_private_addresses_unless_allowed(
    replay: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    strict = settings.model_copy(update={"allow_private_addresses": False})
    request = BinanceRequest("BTCUSDT", since=date(2024, 1, 1))
    with pytest.raises(MarketFetchError, match=r"non-public address 127\.0\.0\.1; refused"):
        fetch_binance(engine, request, settings=strict, market=_market(replay))
    assert replay.hits["/api/v3/exchangeInfo"] == 0


def test_fred_incremental_and_missing_values(
    replay: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    market = _market(replay)
    replay_sofr = SOFR[:]
    SOFR[:] = replay_sofr[:5]  # FRED has published up to 2024-01-08
    try:
        first = fetch_fred(engine, "sofr", since=date(2024, 1, 1), settings=settings, market=market)
    finally:
        SOFR[:] = replay_sofr
    assert (first.symbol, first.since, first.fetched, first.new) == ("SOFR", date(2024, 1, 1), 5, 5)
    second = fetch_fred(engine, "SOFR", since=date(2024, 1, 1), settings=settings, market=market)
    cosds = [q["cosd"] for q in replay.requests]  # type: ignore[attr-defined]
    assert cosds == ["2024-01-01", "2024-01-09"]  # only after the newest stored day
    # 01-09 .. 01-16 without the 01-15 holiday (an empty value, not a zero)
    assert (second.fetched, second.new) == (5, 5)
    with Session(engine) as session:
        series = get_series(session, "SOFR", source="fred")
        assert series is not None and series.id is not None
        assert (series.kind, series.unit, series.entity_id) == ("rate", "PERCENT", "macro:sofr")
        values = {p.day: p.value for p in load_points(session, series.id)}
    assert len(values) == 11 - 1 and date(2024, 1, 15) not in values
    assert values[date(2024, 1, 2)] == 5.40 and values[date(2024, 1, 16)] == 5.31


def test_fred_errors_are_one_line(
    replay: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    market = _market(replay)
    with pytest.raises(MarketFetchError, match=r"^FRED NOPE: HTTP 404$"):
        fetch_fred(engine, "NOPE", since=date(2024, 1, 1), settings=settings, market=market)
    offline = MarketSettings(fred_csv_url=f"{_closed_port()}/fredgraph.csv")
    with pytest.raises(MarketFetchError) as caught:
        fetch_fred(engine, "SOFR", since=date(2024, 1, 1), settings=settings, market=offline)
    message = str(caught.value)
    assert message.startswith("FRED SOFR: transient: ConnectError") and "\n" not in message
