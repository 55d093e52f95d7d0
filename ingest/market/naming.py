"""What a file's name and header say about its series: source, symbol, kind, unit, KB entity.

Known symbols map to knowledge-base ids (nlp/kb/*.yaml); anything else gets no entity (None), which
`--entity` overrides. Farside ETF flow tables are in US$ millions and are stored in USD.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from ingest.market.records import Layout, Overrides, SeriesSpec

# Base assets of crypto pairs (BTCUSDT, BTC-USD, BTC/USDT).
CRYPTO_ENTITIES = {
    "BTC": "crypto:btc",
    "XBT": "crypto:btc",
    "ETH": "crypto:eth",
    "SOL": "crypto:sol",
    "XRP": "crypto:xrp",
    "DOGE": "crypto:doge",
    "PAXG": "crypto:paxg",
}
QUOTES = {"USDT": "USD", "USDC": "USD", "FDUSD": "USD", "BUSD": "USD", "USD": "USD",
          "EUR": "EUR", "BTC": "BTC", "ETH": "ETH"}  # fmt: skip
# FRED series ids and index/ETF tickers.
SYMBOL_ENTITIES = {
    "SOFR": "macro:sofr",
    "DGS10": "macro:us10y",
    "DGS2": "macro:us2y",
    "DGS5": "macro:us5y",
    "DGS30": "macro:us30y",
    "DGS3MO": "macro:us3m",
    "SP500": "index:sp500",
    "^GSPC": "index:sp500",
    "VIXCLS": "index:vix",
    "^VIX": "index:vix",
    "NASDAQ100": "index:nasdaq-100",
    "NASDAQCOM": "index:nasdaq-composite",
    "DJIA": "index:dow-jones",
    "SPY": "etf:spy",
    "QQQ": "etf:qqq",
    "GLD": "etf:gld",
    "TLT": "etf:tlt",
    "IBIT": "etf:ibit",
    "GBTC": "etf:gbtc",
    "ETHA": "etf:etha",
}
RATE_SERIES = frozenset({"SOFR", "DFF", "EFFR", "FEDFUNDS", "IORB", "T10Y2Y", "T10Y3M", "DTB3"})
INDEX_SERIES = frozenset({"SP500", "VIXCLS", "DTWEXBGS", "NASDAQCOM", "NASDAQ100", "DJIA"})
# Spot ETF tickers in Farside's tables; "BTC" / "ETH" there are Grayscale's Mini trusts.
BTC_FUNDS = {
    "IBIT": "etf:ibit", "FBTC": "etf:fbtc", "BITB": "etf:bitb", "ARKB": "etf:arkb",
    "BTCO": "etf:btco", "EZBC": "etf:ezbc", "BRRR": "etf:brrr", "HODL": "etf:hodl",
    "BTCW": "etf:btcw", "GBTC": "etf:gbtc", "DEFI": "etf:defi", "BTC": "etf:grayscale-bitcoin-mini",
}  # fmt: skip
ETH_FUNDS = {
    "ETHA": "etf:etha", "FETH": "etf:feth", "ETHW": "etf:ethw", "TETH": "etf:ceth",
    "CETH": "etf:ceth", "ETHV": "etf:ethv", "QETH": "etf:qeth", "EZET": "etf:ezet",
    "ETHE": "etf:ethe", "ETH": "etf:grayscale-ethereum-mini",
}  # fmt: skip
FAMILIES = {
    "btc": ("US-SPOT-BTC-ETF-FLOW", "etf:us-spot-bitcoin-etfs", "US spot bitcoin ETFs"),
    "eth": ("US-SPOT-ETH-ETF-FLOW", "etf:us-spot-ether-etfs", "US spot ether ETFs"),
}
TOTAL_COLUMNS = frozenset({"total", "total_usd_m", "net", "net_flow"})
_NAME = re.compile(r"^(binance|yahoo|fred|farside)_(.+?)(?:_(\d+[mhdwM]))?$", re.IGNORECASE)
# data.binance.vision dumps: BTCUSDT-1d-2024-01.csv (monthly) or BTCUSDT-1h-2024-01-15.csv
_VISION = re.compile(r"^([A-Z0-9]{5,})-(\d+[mhdwM])-\d{4}-\d{2}(?:-\d{2})?$")


@dataclass(frozen=True)
class FileName:
    """What a file name like `binance_BTCUSDT_1d.csv` or `fred_SOFR.csv` says."""

    source: str
    symbol: str
    interval: str | None


def read_name(path: Path) -> FileName:
    """Source, symbol and interval from the file name (source "file" when it names none)."""
    vision = _VISION.match(path.stem)
    if vision:
        return FileName("binance", vision.group(1), vision.group(2))
    match = _NAME.match(path.stem)
    if not match:
        return FileName("file", path.stem.upper(), None)
    return FileName(match.group(1).lower(), match.group(2), match.group(3))


def pair_parts(symbol: str) -> tuple[str, str | None]:
    """(base, quote) of a crypto pair: BTCUSDT, BTC-USD, BTC/USDT; quote None when not a pair."""
    upper = symbol.upper()
    for sep in ("/", "-", "_"):
        if sep in upper:
            base, _, quote = upper.partition(sep)
            return base, quote if quote in QUOTES else None
    for quote in sorted(QUOTES, key=len, reverse=True):
        if upper.endswith(quote) and upper[: -len(quote)] in CRYPTO_ENTITIES:
            return upper[: -len(quote)], quote
    return upper, None


def price_spec(name: FileName, symbol: str) -> SeriesSpec:
    """An OHLCV series: crypto pairs roll at 00:00 UTC, other tickers (US ETFs) at the US close."""
    base, quote = pair_parts(symbol)
    crypto = quote is not None and base in CRYPTO_ENTITIES
    entity = CRYPTO_ENTITIES.get(base) if crypto else SYMBOL_ENTITIES.get(symbol.upper())
    daily_close = "utc-00:00" if crypto or name.source == "binance" else "us-close"
    return SeriesSpec(
        symbol=symbol,
        kind="ohlcv",
        unit=QUOTES[quote] if quote else "USD",
        source=name.source,
        entity_id=entity,
        day_close=daily_close,
        description=f"{symbol} daily bars ({name.source})"
        + (f", quoted in {quote}" if quote and quote != "USD" else ""),
    )


def value_spec(name: FileName, symbol: str) -> SeriesSpec:
    """A single-value series: FRED rates in PERCENT, indexes in POINTS, else a generic value."""
    upper = symbol.upper()
    if upper in RATE_SERIES or upper.startswith("DGS"):
        kind, unit = "rate", "PERCENT"
    elif upper in INDEX_SERIES:
        kind, unit = "index", "POINTS"
    else:
        kind, unit = "value", "UNKNOWN"
    us_daily = name.source in ("fred", "farside")
    return SeriesSpec(
        symbol=symbol,
        kind=kind,
        unit=unit,
        source=name.source,
        entity_id=SYMBOL_ENTITIES.get(upper),
        day_close="us-close" if us_daily else None,
        description=f"{symbol} ({name.source})",
    )


def etf_family(columns: list[str], path: Path) -> str | None:
    """ "btc" or "eth" for a table of bitcoin or ether ETF flows (by its tickers, else its name)."""
    tickers = {c.upper() for c in columns}
    btc = len(tickers & (set(BTC_FUNDS) - {"BTC"}))
    eth = len(tickers & (set(ETH_FUNDS) - {"ETH"}))
    if btc or eth:
        return "btc" if btc >= eth else "eth"
    stem = path.stem.lower()
    if re.search(r"(^|_)(btc|bitcoin)(_|$)", stem):
        return "btc"
    if re.search(r"(^|_)(eth|ether|ethereum)(_|$)", stem):
        return "eth"
    return None


def flow_spec(column: str, family: str | None, name: FileName) -> SeriesSpec:
    """A fund's (or the family total's) daily net flow in USD."""
    if column.lower() in TOTAL_COLUMNS and family:
        symbol, entity, label = FAMILIES[family]
        return SeriesSpec(
            symbol=symbol,
            kind="flow",
            unit="USD",
            source=name.source,
            entity_id=entity,
            day_close="us-close",
            description=f"{label}, total daily net flow ({name.source})",
        )
    funds = BTC_FUNDS if family == "btc" else ETH_FUNDS if family == "eth" else {}
    ticker = column.upper()
    return SeriesSpec(
        symbol=f"{ticker}-FLOW",
        kind="flow",
        unit="USD",
        source=name.source,
        entity_id=funds.get(ticker),
        day_close="us-close",
        description=f"{ticker} daily net flow ({name.source})",
    )


def apply_overrides(spec: SeriesSpec, flags: Overrides, *, single: bool) -> SeriesSpec:
    """Flags replace the inference; `--symbol` and `--entity` only for a one-series file."""
    if single and flags.symbol:
        spec.symbol = flags.symbol
    if single and flags.entity:
        spec.entity_id = None if flags.entity.lower() == "none" else flags.entity
    for attr, value in (
        ("kind", flags.kind),
        ("unit", flags.unit),
        ("source", flags.source),
        ("interval", flags.interval),
        ("day_close", flags.day_close),
    ):
        if value:
            setattr(spec, attr, value)
    return spec


def default_scale(name: FileName, layout: Layout, columns: list[str]) -> float:
    """Farside tables (and `*_usd_m` columns) are in US$ millions: x 1e6 to store USD."""
    in_millions = name.source == "farside" or any(c.lower().endswith("_usd_m") for c in columns)
    return 1e6 if in_millions and layout in (Layout.WIDE, Layout.VALUE) else 1.0
