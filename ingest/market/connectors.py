"""`tidings market fetch`: new points from Binance (ccxt, public endpoints) and FRED (CSV download).

Both are incremental: they ask only for what comes after the newest stored point (or --since when
later), and store nothing twice. Requests go through the crawler's limits: FRED through
ingest.fetch.Fetcher (SSRF guard, size caps, retries, politeness, User-Agent); Binance through
ccxt with its rate limiter set to at least the politeness delay, the crawler's timeouts and
User-Agent, and the same private-address guard on the API host. Failures raise MarketFetchError
with a one-line message.
"""

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Engine
from sqlmodel import Session, select

from ingest.errors import FetchError, IngestError
from ingest.fetch import Fetcher, FetchResult, check_url
from ingest.market import naming
from ingest.market.parse import parse_text
from ingest.market.records import Overrides, ParsedSeries, Point
from ingest.market.settings import MarketSettings
from ingest.market.store import last_point, store_series
from ingest.settings import IngestSettings
from models.market import MarketSeries

INTERVAL_SECONDS = {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400,
                    "1d": 86400, "1w": 604800}  # fmt: skip


class MarketFetchError(IngestError):
    """A connector could not get data (offline, refused, bad answer): one line for the user."""


@dataclass
class FetchOutcome:
    """What one fetch stored."""

    symbol: str
    source: str
    since: date
    fetched: int
    new: int
    last: datetime | None


def _stored(engine: Engine, symbol: str, source: str) -> MarketSeries | None:
    with Session(engine) as session:
        return session.exec(
            select(MarketSeries).where(MarketSeries.symbol == symbol, MarketSeries.source == source)
        ).first()


def _resume_from(engine: Engine, series: MarketSeries | None, step: timedelta) -> datetime | None:
    """The first bar start after the newest stored point of `series`."""
    if series is None or series.id is None:
        return None
    with Session(engine) as session:
        newest = last_point(session, series.id)
    return newest.ts + step if newest else None


def fetch_fred(
    engine: Engine,
    series_id: str,
    *,
    since: date,
    settings: IngestSettings,
    market: MarketSettings,
    flags: Overrides | None = None,
) -> FetchOutcome:
    """Download the FRED series `series_id` from `since` (or after the newest stored day)."""
    series_id = series_id.upper()
    stored = _stored(engine, (flags.symbol if flags else None) or series_id, "fred")
    resume = _resume_from(engine, stored, timedelta(days=1))
    start = max(since, resume.date()) if resume else since
    url = f"{market.fred_csv_url}?{urlencode({'id': series_id, 'cosd': start.isoformat()})}"
    result = asyncio.run(_get(url, settings))
    if not result.ok or result.content is None:
        reason = result.error or f"HTTP {result.status}"
        raise MarketFetchError(f"FRED {series_id}: {one_line(reason)}")
    text = result.content.decode("utf-8-sig", errors="replace")
    if not text.lower().startswith(("observation_date", "date")):
        raise MarketFetchError(f"FRED {series_id}: not a FRED CSV (starts {text[:40]!r})")
    parsed = parse_text(text, Path(f"fred_{series_id}.csv"), flags, label=url)
    if parsed.errors:
        raise MarketFetchError(f"FRED {series_id}: {parsed.errors[0]}")
    fresh = [_only_from(s, start) for s in parsed.series]
    results = store_series(engine, fresh)
    points = [p for s in fresh for p in s.points]
    return FetchOutcome(
        symbol=fresh[0].spec.symbol if fresh else series_id,
        source="fred",
        since=start,
        fetched=len(points),
        new=sum(r.new for r in results),
        last=max((p.ts for p in points), default=None),
    )


def _only_from(series: ParsedSeries, start: date) -> ParsedSeries:
    """Keep the points on or after `start` (FRED may answer with more)."""
    kept = [p for p in series.points if p.day is None or p.day >= start]
    return ParsedSeries(series.spec, kept)


async def _get(url: str, settings: IngestSettings) -> FetchResult:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, headers={"Accept": "text/csv"})


def one_line(text: str) -> str:
    """`text` on one line, cut to 300 characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= 300 else flat[:297] + "..."


def _exchange(settings: IngestSettings, market: MarketSettings) -> Any:
    """A ccxt Binance client on the public API only, with the crawler's limits."""
    import ccxt

    try:
        asyncio.run(
            check_url(market.binance_api_url, allow_private=settings.allow_private_addresses)
        )
    except (FetchError, IngestError) as exc:
        raise MarketFetchError(f"binance: {one_line(str(exc))}") from exc
    exchange = ccxt.binance({
        "enableRateLimit": True,
        "rateLimit": max(50, int(settings.politeness_delay_s * 1000)),
        "timeout": int((settings.connect_timeout_s + settings.read_timeout_s) * 1000),
        "userAgent": settings.user_agent,
        "options": {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False},
    })  # fmt: skip
    exchange.urls["api"]["public"] = market.binance_api_url.rstrip("/")
    exchange.session.trust_env = False
    return exchange


def _call(exchange: Any, settings: IngestSettings, method: str, *args: Any, **kwargs: Any) -> Any:
    """A ccxt call retried on network trouble like the crawler's fetches; one-line errors."""
    import ccxt

    for attempt in range(settings.max_retries + 1):
        try:
            return getattr(exchange, method)(*args, **kwargs)
        except ccxt.NetworkError as exc:
            if attempt >= settings.max_retries:
                host = urlsplit(exchange.urls["api"]["public"]).netloc
                raise MarketFetchError(
                    f"binance: cannot reach {host}: {one_line(str(exc))}"
                ) from exc
            time.sleep(settings.retry_base_delay_s * (2**attempt))
        except ccxt.BaseError as exc:
            raise MarketFetchError(f"binance: {one_line(str(exc))}") from exc
    raise AssertionError("unreachable")


def _market_symbol(exchange: Any, symbol: str) -> tuple[str, str]:
    """(ccxt symbol "BTC/USDT", Binance id "BTCUSDT") for "BTCUSDT", "BTC/USDT" or "btc-usdt"."""
    wanted = symbol.upper().replace("-", "/").replace("_", "/")
    if wanted in exchange.markets:
        found = exchange.markets[wanted]
        return found["symbol"], found["id"]
    by_id = exchange.markets_by_id.get(wanted.replace("/", ""))
    if by_id:
        return by_id[0]["symbol"], by_id[0]["id"]
    raise MarketFetchError(f"binance has no spot market {symbol!r}")


@dataclass(frozen=True)
class BinanceRequest:
    """What to fetch from Binance: a pair, its bar length and the earliest day wanted."""

    symbol: str
    since: date
    interval: str = "1d"
    now: datetime | None = None  # for tests; default: the current time


def fetch_binance(
    engine: Engine,
    request: BinanceRequest,
    *,
    settings: IngestSettings,
    market: MarketSettings,
    flags: Overrides | None = None,
) -> FetchOutcome:
    """Closed bars of a Binance spot pair from `since` (or after the newest stored bar)."""
    step_s = INTERVAL_SECONDS.get(request.interval)
    if step_s is None:
        raise MarketFetchError(
            f"interval {request.interval!r} is not one of {', '.join(INTERVAL_SECONDS)}"
        )
    exchange = _exchange(settings, market)
    _call(exchange, settings, "load_markets")
    pair, market_id = _market_symbol(exchange, request.symbol)
    stored = _stored(engine, (flags.symbol if flags else None) or market_id, "binance")
    step = timedelta(seconds=step_s)
    start = datetime.combine(request.since, datetime.min.time())
    resume = _resume_from(engine, stored, step)
    start = max(start, resume) if resume else start
    now = request.now or datetime.now(UTC)
    candles = _candles(
        exchange,
        pair,
        request.interval,
        settings=settings,
        start=start,
        now=now,
        batch=market.market_fetch_batch,
    )
    spec = naming.price_spec(naming.FileName("binance", market_id, request.interval), market_id)
    spec.interval = request.interval
    if flags:
        naming.apply_overrides(spec, flags, single=True)
    points = [_kline_point(c, daily=request.interval == "1d") for c in candles]
    results = store_series(engine, [ParsedSeries(spec, points)])
    return FetchOutcome(
        symbol=spec.symbol,
        source=spec.source,
        since=start.date(),
        fetched=len(points),
        new=sum(r.new for r in results),
        last=points[-1].ts if points else None,
    )


def _candles(
    exchange: Any,
    pair: str,
    interval: str,
    *,
    settings: IngestSettings,
    start: datetime,
    now: datetime,
    batch: int,
) -> list[list[Any]]:
    """Every closed candle from `start` on, page by page (a bar still forming at `now` is left)."""
    step_ms = INTERVAL_SECONDS[interval] * 1000
    now_ms = int(now.timestamp() * 1000)
    cursor = int(start.replace(tzinfo=UTC).timestamp() * 1000)
    closed: list[list[Any]] = []
    while cursor + step_ms <= now_ms:
        page = _call(exchange, settings, "fetch_ohlcv", pair, interval, since=cursor, limit=batch)
        page = [c for c in page if int(c[0]) >= cursor]
        if not page:
            break
        closed.extend(c for c in page if int(c[0]) + step_ms <= now_ms)
        cursor = int(page[-1][0]) + step_ms
        if len(page) < batch:
            break
    return closed


def _kline_point(candle: list[Any], *, daily: bool) -> Point:
    """A stored point from a ccxt OHLCV row [ms, open, high, low, close, volume]."""
    ts = datetime.fromtimestamp(int(candle[0]) / 1000, UTC).replace(tzinfo=None)
    o, h, lo, c, v = (float(x) if x is not None else None for x in candle[1:6])
    assert c is not None
    return Point(ts, c, ts.date() if daily else None, open=o, high=h, low=lo, close=c, volume=v)
