"""The market importer on every file of ../shared/data's price, macro and ETF-flow folders.

Every expected number below was read off the file itself (head/tail/grep), not off the importer.
"""

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from api.services.market import get_series, list_series, load_points
from ingest.market import ParsedFile, parse_file
from ingest.market.store import import_files
from models.db import init_engine
from tests.conftest import shared_dir

FOLDERS = ("price-history", "crypto-daily-2017-2026", "macro-daily", "etf-flows")

# file: (data rows, layout, points kept, (first day, first value), (last day, last value))
EXPECTED = {
    "price-history/binance_BTCUSDT_1d.csv": (
        735,
        "klines",
        734,
        ("2024-03-17", 68393.48),
        ("2026-03-20", 69894.61),
    ),
    "price-history/binance_ETHUSDT_1d.csv": (
        730,
        "klines",
        729,
        ("2024-03-17", 3644.71),
        ("2026-03-15", 2178.3),
    ),
    "crypto-daily-2017-2026/binance_BTCUSDT_1d.csv": (
        3065,
        "ohlcv",
        3064,
        ("2017-08-17", 4285.08),
        ("2026-01-05", 93859.71),
    ),
    "crypto-daily-2017-2026/binance_ETHUSDT_1d.csv": (
        3065,
        "ohlcv",
        3064,
        ("2017-08-17", 302.0),
        ("2026-01-05", 3224.99),
    ),
    "crypto-daily-2017-2026/binance_PAXGUSDT_1d.csv": (
        1958,
        "ohlcv",
        1957,
        ("2020-08-28", 1977.99),
        ("2026-01-05", 4445.45),
    ),
    "crypto-daily-2017-2026/yahoo_BTC-USD.csv": (
        4091,
        "ohlcv",
        4091,
        ("2014-09-18", 424.44000244140625),
        ("2025-11-29", 90958.015625),
    ),
    "macro-daily/fred_DGS10.csv": (
        16848,
        "fred",
        16129,
        ("1962-01-02", 4.06),
        ("2026-07-30", 4.68),
    ),
    "macro-daily/fred_DGS2.csv": (
        12001,
        "value",
        11499,
        ("1980-01-02", 11.39),
        ("2025-12-30", 3.45),
    ),
    "macro-daily/fred_DTWEXBGS.csv": (
        5365,
        "fred",
        5154,
        ("2006-01-02", 101.4155),
        ("2026-07-24", 120.7105),
    ),
    "macro-daily/fred_SOFR.csv": (2173, "fred", 2079, ("2018-04-03", 1.83), ("2026-07-30", 3.65)),
    "macro-daily/fred_SP500.csv": (
        2609,
        "value",
        2514,
        ("2016-01-04", 2012.66),
        ("2025-12-31", 6845.5),
    ),
    "macro-daily/fred_VIXCLS.csv": (
        9543,
        "fred",
        9241,
        ("1990-01-02", 17.24),
        ("2026-07-30", 17.09),
    ),
    "macro-daily/yahoo_QQQ.csv": (
        6723,
        "ohlcv",
        6723,
        ("1999-03-11", 51.3125),
        ("2025-11-28", 619.25),
    ),
    "macro-daily/yahoo_SPY.csv": (
        6543,
        "ohlcv",
        6543,
        ("1999-11-01", 135.5625),
        ("2025-11-04", 675.24),
    ),
    "etf-flows/farside_btc_etf_total_daily_clean.csv": (
        512,
        "value",
        495,
        ("2024-01-11", 655.3e6),
        ("2025-12-31", -348.1e6),
    ),
    "etf-flows/farside_btc_etf_total_daily_original.csv": (
        516,
        "value",
        495,
        ("2024-01-11", 655.3e6),
        ("2025-12-31", -348.1e6),
    ),
}
# symbol, source, kind, unit, entity, day_close of each one-series file
SERIES = {
    "price-history/binance_BTCUSDT_1d.csv": (
        "BTCUSDT",
        "binance",
        "ohlcv",
        "USD",
        "crypto:btc",
        "utc-00:00",
    ),
    "price-history/binance_ETHUSDT_1d.csv": (
        "ETHUSDT",
        "binance",
        "ohlcv",
        "USD",
        "crypto:eth",
        "utc-00:00",
    ),
    "crypto-daily-2017-2026/binance_BTCUSDT_1d.csv": (
        "BTCUSDT",
        "binance",
        "ohlcv",
        "USD",
        "crypto:btc",
        "utc-00:00",
    ),
    "crypto-daily-2017-2026/binance_ETHUSDT_1d.csv": (
        "ETHUSDT",
        "binance",
        "ohlcv",
        "USD",
        "crypto:eth",
        "utc-00:00",
    ),
    "crypto-daily-2017-2026/binance_PAXGUSDT_1d.csv": (
        "PAXGUSDT",
        "binance",
        "ohlcv",
        "USD",
        "crypto:paxg",
        "utc-00:00",
    ),
    "crypto-daily-2017-2026/yahoo_BTC-USD.csv": (
        "BTC-USD",
        "yahoo",
        "ohlcv",
        "USD",
        "crypto:btc",
        "utc-00:00",
    ),
    "macro-daily/fred_DGS10.csv": ("DGS10", "fred", "rate", "PERCENT", "macro:us10y", "us-close"),
    "macro-daily/fred_DGS2.csv": ("DGS2", "fred", "rate", "PERCENT", "macro:us2y", "us-close"),
    "macro-daily/fred_DTWEXBGS.csv": ("DTWEXBGS", "fred", "index", "POINTS", None, "us-close"),
    "macro-daily/fred_SOFR.csv": ("SOFR", "fred", "rate", "PERCENT", "macro:sofr", "us-close"),
    "macro-daily/fred_SP500.csv": ("SP500", "fred", "index", "POINTS", "index:sp500", "us-close"),
    "macro-daily/fred_VIXCLS.csv": ("VIXCLS", "fred", "index", "POINTS", "index:vix", "us-close"),
    "macro-daily/yahoo_QQQ.csv": ("QQQ", "yahoo", "ohlcv", "USD", "etf:qqq", "us-close"),
    "macro-daily/yahoo_SPY.csv": ("SPY", "yahoo", "ohlcv", "USD", "etf:spy", "us-close"),
    "etf-flows/farside_btc_etf_total_daily_clean.csv": (
        "US-SPOT-BTC-ETF-FLOW",
        "farside",
        "flow",
        "USD",
        "etf:us-spot-bitcoin-etfs",
        "us-close",
    ),
    "etf-flows/farside_btc_etf_total_daily_original.csv": (
        "US-SPOT-BTC-ETF-FLOW",
        "farside",
        "flow",
        "USD",
        "etf:us-spot-bitcoin-etfs",
        "us-close",
    ),
}


def _file(relative: str) -> Path:
    return shared_dir() / "data" / relative


def _categories(parsed: ParsedFile) -> Counter[str]:
    return Counter(n.reason.partition(":")[0] for n in parsed.notes)


def _by_day(parsed: ParsedFile, symbol: str) -> dict[date, float]:
    series = next(s for s in parsed.series if s.spec.symbol == symbol)
    return {p.day: p.value for p in series.points if p.day is not None}


def test_every_shared_file_is_covered() -> None:
    on_disk = {
        f"{folder}/{p.name}"
        for folder in FOLDERS
        for p in (shared_dir() / "data" / folder).glob("*.csv")
    }
    wide = {
        "etf-flows/farside_btc_etf_flows_wide_daily.csv",
        "etf-flows/farside_eth_etf_flows_wide_daily.csv",
    }
    assert on_disk == set(EXPECTED) | wide


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_one_series_file(relative: str) -> None:
    rows, layout, kept, (first_day, first), (last_day, last) = EXPECTED[relative]
    parsed = parse_file(_file(relative))
    assert (parsed.rows, parsed.layout.value, parsed.errors) == (rows, layout, [])
    assert len(parsed.series) == 1
    series = parsed.series[0]
    spec = series.spec
    assert (spec.symbol, spec.source, spec.kind, spec.unit, spec.entity_id, spec.day_close) == (
        SERIES[relative]
    )
    assert spec.interval == "1d"
    points = series.points
    assert len(points) == kept
    assert (points[0].day, points[-1].day) == (
        date.fromisoformat(first_day),
        date.fromisoformat(last_day),
    )
    assert points[0].value == pytest.approx(first)
    assert points[-1].value == pytest.approx(last)
    assert [p.ts for p in points] == sorted({p.ts for p in points})  # sorted, no duplicates
    # every row is either a point or a note
    assert kept + len(parsed.notes) == rows


def test_binance_klines_bars_and_the_in_progress_candle() -> None:
    parsed = parse_file(_file("price-history/binance_BTCUSDT_1d.csv"))
    first = parsed.series[0].points[0]
    # 2024-03-17 00:00:00+00:00,65300.64,68904.4,64533.0,68393.48,49742.21589,...
    assert (first.ts, first.open, first.high, first.low, first.close, first.volume) == (
        datetime(2024, 3, 17), 65300.64, 68904.4, 64533.0, 68393.48, 49742.21589,
    )  # fmt: skip
    assert [(n.line, n.reason.partition(":")[0]) for n in parsed.notes] == [
        (736, "in-progress candle")
    ]
    kept = parse_file(_file("price-history/binance_BTCUSDT_1d.csv"), _keep_last())
    assert kept.series[0].points[-1].day == date(2026, 3, 21)
    assert kept.series[0].points[-1].volume == 18.2317


def _keep_last():  # type: ignore[no-untyped-def]
    from ingest.market import Overrides

    return Overrides(keep_last=True)


def test_fred_missing_values_are_missing_not_zero() -> None:
    parsed = parse_file(_file("macro-daily/fred_SP500.csv"))
    assert _categories(parsed) == {"missing value": 95}
    assert parsed.notes[0].line == 2  # 2016-01-01, a holiday with an empty value
    values = _by_day(parsed, "SP500")
    assert date(2016, 1, 1) not in values
    assert 0.0 not in values.values()
    assert values[date(2021, 11, 8)] == 4701.7
    assert values[date(2023, 6, 30)] == 4450.38
    dgs10 = _by_day(parse_file(_file("macro-daily/fred_DGS10.csv")), "DGS10")
    assert dgs10[date(2023, 6, 30)] == 3.81
    sofr = _by_day(parse_file(_file("macro-daily/fred_SOFR.csv")), "SOFR")
    assert sofr[date(2023, 6, 30)] == 5.09
    dxy = _by_day(parse_file(_file("macro-daily/fred_DTWEXBGS.csv")), "DTWEXBGS")
    assert dxy[date(2022, 12, 15)] == 122.5519


def test_us_dailies_start_at_the_new_york_open_in_utc() -> None:
    spy = parse_file(_file("macro-daily/yahoo_SPY.csv")).series[0].points
    by_day = {p.day: p for p in spy}
    winter, summer = by_day[date(2022, 12, 15)], by_day[date(2023, 6, 30)]
    assert winter.ts == datetime(2022, 12, 15, 14, 30)  # EST, UTC-5
    assert summer.ts == datetime(2023, 6, 30, 13, 30)  # EDT, UTC-4
    assert by_day[date(2021, 11, 8)].close == 468.93
    btc = parse_file(_file("crypto-daily-2017-2026/yahoo_BTC-USD.csv")).series[0].points
    assert btc[0].ts == datetime(2014, 9, 18)  # crypto days roll at 00:00 UTC


def test_farside_btc_wide_table() -> None:
    parsed = parse_file(_file("etf-flows/farside_btc_etf_flows_wide_daily.csv"))
    assert (parsed.rows, parsed.layout.value, parsed.errors) == (602, "wide", [])
    symbols = [s.spec.symbol for s in parsed.series]
    assert symbols == [
        "IBIT-FLOW", "FBTC-FLOW", "BITB-FLOW", "ARKB-FLOW", "BTCO-FLOW", "EZBC-FLOW",
        "BRRR-FLOW", "HODL-FLOW", "BTCW-FLOW", "GBTC-FLOW", "BTC-FLOW", "US-SPOT-BTC-ETF-FLOW",
    ]  # fmt: skip
    entities = {s.spec.symbol: s.spec.entity_id for s in parsed.series}
    assert entities["IBIT-FLOW"] == "etf:ibit"
    assert entities["BTC-FLOW"] == "etf:grayscale-bitcoin-mini"
    assert entities["US-SPOT-BTC-ETF-FLOW"] == "etf:us-spot-bitcoin-etfs"
    # 602 calendar days: 172 weekend + 18 holiday fills, the all-zero 2025-09-03 placeholder
    # (300.5 in the other scrapes), and the Mini Trust's zeros before its launch (2024-07-31)
    assert _categories(parsed) == {
        "NYSE closed that day": 190,
        "not reported yet": 1,
        "zeros before a fund's first reported flow": 1,
    }
    total = _by_day(parsed, "US-SPOT-BTC-ETF-FLOW")
    assert len(total) == 411
    assert min(total) == date(2024, 1, 11) and max(total) == date(2025, 9, 2)
    assert total[date(2024, 1, 11)] == 655.3e6
    assert total[date(2024, 11, 7)] == 1373.8e6
    assert total[date(2025, 2, 25)] == -1113.7e6
    assert date(2025, 9, 3) not in total and date(2024, 1, 13) not in total
    ibit = _by_day(parsed, "IBIT-FLOW")
    assert (ibit[date(2024, 1, 11)], ibit[date(2024, 11, 7)]) == (111.7e6, 1119.9e6)
    ezbc = _by_day(parsed, "EZBC-FLOW")
    assert ezbc[date(2024, 1, 12)] == 0.0  # a real zero-flow day is kept
    mini = _by_day(parsed, "BTC-FLOW")
    assert (min(mini), mini[min(mini)], len(mini)) == (date(2024, 7, 31), 18.0e6, 273)


def test_farside_eth_wide_table() -> None:
    parsed = parse_file(_file("etf-flows/farside_eth_etf_flows_wide_daily.csv"))
    assert (parsed.rows, parsed.errors) == (403, [])
    assert _categories(parsed) == {"NYSE closed that day": 125}
    total = _by_day(parsed, "US-SPOT-ETH-ETF-FLOW")
    assert len(total) == 278
    assert total[date(2024, 7, 23)] == pytest.approx(106.6e6)
    assert total[date(2025, 8, 29)] == pytest.approx(-164.6e6)
    # all-zero trading days inside the table (e.g. 2024-11-05) are real zero-flow days
    assert total[date(2024, 11, 5)] == 0.0
    entities = {s.spec.symbol: s.spec.entity_id for s in parsed.series}
    assert entities["TETH-FLOW"] == "etf:ceth"  # 21Shares renamed CETH to TETH
    assert entities["ETH-FLOW"] == "etf:grayscale-ethereum-mini"
    assert entities["US-SPOT-ETH-ETF-FLOW"] == "etf:us-spot-ether-etfs"


def test_farside_total_files_holidays_placeholder_and_summary_rows() -> None:
    clean = parse_file(_file("etf-flows/farside_btc_etf_total_daily_clean.csv"))
    original = parse_file(_file("etf-flows/farside_btc_etf_total_daily_original.csv"))
    # 2024's 9 holidays and 2025's first 7 appear as 0; 2026-01-02 is not reported yet
    assert _categories(clean) == {"NYSE closed that day": 16, "not reported yet": 1}
    assert _categories(original) == {
        "NYSE closed that day": 16, "not reported yet": 1, "summary row": 4,
    }  # fmt: skip
    assert [n.line for n in original.notes if n.reason.startswith("summary")] == [
        514, 515, 516, 517,
    ]  # fmt: skip
    a, b = _by_day(clean, "US-SPOT-BTC-ETF-FLOW"), _by_day(original, "US-SPOT-BTC-ETF-FLOW")
    assert a == b
    assert b[date(2024, 3, 12)] == 1045.0e6  # "1,045.00" in the original
    assert b[date(2025, 9, 3)] == 300.5e6
    assert date(2024, 1, 15) not in a and date(2026, 1, 2) not in a


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = init_engine(f"sqlite:///{tmp_path_factory.mktemp('market') / 'm.db'}")
    files = sorted(p for folder in FOLDERS for p in (shared_dir() / "data" / folder).glob("*.csv"))
    report = import_files(engine, files)
    assert (report.files, report.failed_files, report.errors) == (18, [], [])
    return engine


def test_all_shared_files_in_one_store(store: Engine) -> None:
    with Session(store) as session:
        summary = {(s.series.symbol, s.series.source): s for s in list_series(session)}
        assert len(summary) == 34
        # the two Binance BTC files are one series: 2017-08-17 .. 2026-03-20
        btc = summary[("BTCUSDT", "binance")]
        assert (btc.first_ts, btc.last_ts) == (datetime(2017, 8, 17), datetime(2026, 3, 20))
        assert btc.count == 3064 + 74  # crypto-daily plus price-history's days after 2026-01-05
        # the wide table's placeholder 2025-09-03 is filled by the total files' 300.5
        total = get_series(session, "US-SPOT-BTC-ETF-FLOW", source="farside")
        assert total is not None and total.id is not None
        assert summary[("US-SPOT-BTC-ETF-FLOW", "farside")].count == 495
        week = load_points(
            session, total.id, start=datetime(2025, 10, 27), end=datetime(2025, 10, 31, 23)
        )
        # Farside, 27-31 Oct 2025: the "-799.0 over the week"
        assert sum(p.value for p in week) / 1e6 == pytest.approx(-799.0)
        assert [p.day for p in week] == [date(2025, 10, d) for d in range(27, 32)]


def test_reimport_is_idempotent(store: Engine) -> None:
    with Session(store) as session:
        before = {(s.series.symbol, s.series.source): s.count for s in list_series(session)}
    files = sorted((shared_dir() / "data" / "etf-flows").glob("*.csv"))
    report = import_files(store, [*files, _file("macro-daily/fred_SOFR.csv")])
    assert report.new == 0 and report.points > 0
    with Session(store) as session:
        after = {(s.series.symbol, s.series.source): s.count for s in list_series(session)}
    assert after == before
