"""Market-file reading: layouts, bad rows, time zones, flow rules, overrides, idempotent upserts."""

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine
from sqlmodel import Session

from api.services.market import get_series, list_series, load_points
from ingest.errors import ImportFormatError
from ingest.market import Layout, Overrides, naming, parse_file
from ingest.market.layouts import detect_layout, is_headerless_klines
from ingest.market.store import import_files
from ingest.market.values import CellError, parse_number
from models.db import init_engine

REPO = Path(__file__).resolve().parents[2]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("header", "layout"),
    [
        ("open_time,open,high,low,close,volume,close_time,quote_asset_volume,number_of_trades",
         Layout.KLINES),
        ("timestamp,open,high,low,close,volume", Layout.OHLCV),
        ("Date,Open,High,Low,Close,Adj Close,Volume", Layout.OHLCV),
        (",open,high,low,close,volume,Log_Return", Layout.OHLCV),
        ("observation_date,SOFR", Layout.FRED),
        ("DATE,DGS10", Layout.FRED),
        ("date,value", Layout.VALUE),
        ("Date,Total", Layout.VALUE),
        ("date,total_usd_m", Layout.VALUE),
        ("date,IBIT,FBTC,Total", Layout.WIDE),
        (",SPY,QQQ,GLD", Layout.WIDE),
    ],
)  # fmt: skip
def test_layout_detection(header: str, layout: Layout) -> None:
    assert detect_layout(header.split(",")) is layout


def test_unknown_layout_names_the_flag() -> None:
    with pytest.raises(ImportFormatError, match="--layout"):
        detect_layout(["name", "colour", "size"])


def test_headerless_binance_klines(tmp_path: Path) -> None:
    row = (
        '1704067200000,"42283.58","44184.10","42180.77","44179.55","27174.29",1704153599999,'
        '"1.1e9",1359336,"13950.1","6.0e8","0"'
    )
    assert is_headerless_klines(row.replace('"', "").split(","))
    path = _write(
        tmp_path,
        "BTCUSDT-1d-2024-01.csv",
        row + "\n" + row.replace("1704067200000", "1704153600000000", 1) + "\n",
    )
    parsed = parse_file(path, Overrides(keep_last=True))  # a data.binance.vision file name
    assert parsed.layout is Layout.KLINES and parsed.errors == []
    points = parsed.series[0].points
    # milliseconds and (data.binance.vision since 2025) microseconds both read as UTC days
    assert [(p.ts, p.day) for p in points] == [
        (datetime(2024, 1, 1), date(2024, 1, 1)), (datetime(2024, 1, 2), date(2024, 1, 2)),
    ]  # fmt: skip
    assert (points[0].open, points[0].high, points[0].low, points[0].close) == (
        42283.58, 44184.10, 42180.77, 44179.55,
    )  # fmt: skip
    assert points[0].volume == 27174.29
    assert parsed.series[0].spec.entity_id == "crypto:btc"


def test_bad_rows_are_reported_with_file_and_line_and_the_rest_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "prices.csv",
        "date,open,high,low,close,volume\n"
        "2024-01-01,1,2,0.5,1.5,10\n"
        "2024-13-45,1,2,0.5,1.5,10\n"
        "2024-01-03,1,2,0.5,abc,10\n"
        "2024-01-04,1,2\n"
        "2024-01-05,1,0.5,2,1.5,10\n"
        "\n"
        "2024-01-07,1,2,0.5,1.7,10\n",
    )
    parsed = parse_file(path)
    assert [str(e) for e in parsed.errors] == [
        f"{path}:3: not a date: '2024-13-45'",
        f"{path}:4: not a number: 'abc'",
        f"{path}:5: too few columns: 3, expected at least 6",
        f"{path}:6: high below low: 0.5 < 2.0",
    ]
    assert [p.day for p in parsed.series[0].points] == [date(2024, 1, 1), date(2024, 1, 7)]
    engine = init_engine(f"sqlite:///{tmp_path / 'm.db'}")
    report = import_files(engine, [path, tmp_path / "missing.csv"])
    assert (report.points, report.new, len(report.errors)) == (2, 2, 4)
    assert len(report.failed_files) == 1 and "missing.csv" in report.failed_files[0]


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    engine = init_engine(f"sqlite:///{tmp_path / 'm.db'}")
    empty = _write(tmp_path, "empty.csv", "\n\n")
    odd = _write(tmp_path, "odd.csv", "name,colour,size\na,b,c\n")
    binary = tmp_path / "latin1.csv"
    binary.write_bytes(b"date,value\n2024-01-01,\xff\n")
    report = import_files(engine, [empty, odd, binary])
    assert [f.split(": ", 1)[1] for f in report.failed_files] == [
        f"{empty}: empty file",
        "unknown layout (header ['name', 'colour', 'size']): pass --layout "
        "klines|ohlcv|fred|value|wide",
        f"{binary}: not UTF-8 text (invalid start byte)",
    ]


def test_time_zones(tmp_path: Path) -> None:
    # yfinance writes US tickers' days as New York midnights; DST starts 2023-03-12
    spy = _write(
        tmp_path,
        "yahoo_SPY.csv",
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2023-03-10 00:00:00-05:00,390,393,384,385.91,380,189000000\n"
        "2023-03-13 00:00:00-04:00,381,390,380,385.36,380,157790000\n",
    )
    points = parse_file(spy).series[0].points
    assert [(p.day, p.ts) for p in points] == [
        (date(2023, 3, 10), datetime(2023, 3, 10, 14, 30)),
        (date(2023, 3, 13), datetime(2023, 3, 13, 13, 30)),
    ]
    assert points[1].close == 385.36  # Close, not Adj Close
    hourly = _write(
        tmp_path,
        "eth_hourly.csv",
        "time,open,high,low,close\n"
        "2024-06-01T02:00:00+02:00,1,1,1,10\n"
        "2024-06-01T03:00:00+02:00,1,1,1,11\n"
        "2024-06-01T04:00:00+02:00,1,1,1,12\n",
    )
    parsed = parse_file(hourly)
    assert parsed.series[0].spec.interval == "1h"
    assert [(p.ts, p.day) for p in parsed.series[0].points] == [
        (datetime(2024, 6, 1, 0), None), (datetime(2024, 6, 1, 1), None),
        (datetime(2024, 6, 1, 2), None),
    ]  # fmt: skip
    naive = _write(tmp_path, "naive.csv", "time,value\n2024-01-15 09:00,1\n2024-01-15 10:00,2\n")
    in_ny = parse_file(naive, Overrides(tz="America/New_York")).series[0].points
    assert [p.ts for p in in_ny] == [datetime(2024, 1, 15, 14), datetime(2024, 1, 15, 15)]
    in_utc = parse_file(naive).series[0].points
    assert in_utc[0].ts == datetime(2024, 1, 15, 9)


def test_fred_dot_is_missing_and_zero_is_zero(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "fredgraph.csv",
        "observation_date,DFF\n2020-12-24,0.09\n2020-12-25,.\n2020-12-28,0\n2020-12-29,\n",
    )
    parsed = parse_file(path)
    spec = parsed.series[0].spec
    assert (parsed.layout, spec.symbol, spec.source, spec.kind, spec.unit) == (
        Layout.FRED, "DFF", "fred", "rate", "PERCENT",
    )  # fmt: skip
    assert [(p.day, p.value) for p in parsed.series[0].points] == [
        (date(2020, 12, 24), 0.09), (date(2020, 12, 28), 0.0),
    ]  # fmt: skip
    assert [(n.line, n.reason.partition(":")[0]) for n in parsed.notes] == [
        (3, "missing value"), (5, "missing value"),
    ]  # fmt: skip


FLOWS = (
    "date,IBIT,FBTC,NEWF,Total\n"
    "2024-03-01,10.0,5.0,0.0,15.0\n"  # Friday
    "2024-03-02,0.0,0.0,0.0,0.0\n"  # Saturday fill
    "2024-03-03,1.0,0.0,0.0,1.0\n"  # Sunday with a value: an error, not a flow
    "2024-03-04,0.0,0.0,0.0,0.0\n"  # Monday, all zero inside the table: a real zero day
    '2024-03-05,"(1,204.5)",2.5,3.0,"-1,199.0"\n'  # NEWF's first reported flow
    "2024-03-06,0.0,0.0,0.0,0.0\n"  # trailing placeholders: not reported yet
    "2024-03-07,0.0,0.0,0.0,0.0\n"
)


def test_flow_rules(tmp_path: Path) -> None:
    parsed = parse_file(_write(tmp_path, "farside_flows.csv", FLOWS))
    assert [str(e) for e in parsed.errors] == [
        f"{tmp_path / 'farside_flows.csv'}:4: flow on a day the NYSE was closed: 2024-03-03"
    ]
    notes = [(n.line, n.reason) for n in parsed.notes]
    assert notes == [
        (3, "NYSE closed that day: weekend/holiday fill"),
        (8, "not reported yet: all-zero row at the end of the file"),
        (7, "not reported yet: all-zero row at the end of the file"),
        (2, "zeros before a fund's first reported flow: NEWF x2"),
    ]
    series = {s.spec.symbol: s for s in parsed.series}
    assert set(series) == {"IBIT-FLOW", "FBTC-FLOW", "NEWF-FLOW", "US-SPOT-BTC-ETF-FLOW"}
    ibit = [(p.day, p.value) for p in series["IBIT-FLOW"].points]
    assert ibit == [
        (date(2024, 3, 1), 10e6), (date(2024, 3, 4), 0.0), (date(2024, 3, 5), -1204.5e6),
    ]  # fmt: skip
    assert [p.day for p in series["NEWF-FLOW"].points] == [date(2024, 3, 5)]
    assert series["NEWF-FLOW"].spec.entity_id is None  # unknown ticker: no entity
    assert series["US-SPOT-BTC-ETF-FLOW"].points[-1].value == -1199e6
    # without the calendar every row stays (the zeros still stop at the last reported day)
    loose = parse_file(_write(tmp_path, "farside_flows.csv", FLOWS), Overrides(calendar="none"))
    assert len(next(s for s in loose.series if s.spec.symbol == "IBIT-FLOW").points) == 7


def test_generic_wide_table_and_overrides(tmp_path: Path) -> None:
    path = _write(tmp_path, "closes.csv", "date,SPY,QQQ\n2024-01-02,472.65,402.0\n")
    parsed = parse_file(path, Overrides(kind="index", unit="POINTS", symbol="IGNORED"))
    specs = [(s.spec.symbol, s.spec.kind, s.spec.unit, s.spec.source) for s in parsed.series]
    assert specs == [
        ("CLOSES-SPY", "index", "POINTS", "file"),
        ("CLOSES-QQQ", "index", "POINTS", "file"),
    ]
    one = _write(tmp_path, "tvl.csv", "date,value\n2024-01-02,1.5\n2024-01-03,1.6\n")
    spec = parse_file(
        one,
        Overrides(
            symbol="AAVE-TVL",
            entity="protocol:aave",
            unit="USD",
            scale=1e9,
            source="defillama",
            day_close="utc-00:00",
        ),
    ).series[0]
    assert (spec.spec.symbol, spec.spec.entity_id, spec.spec.unit, spec.spec.source) == (
        "AAVE-TVL", "protocol:aave", "USD", "defillama",
    )  # fmt: skip
    assert [p.value for p in spec.points] == [1.5e9, 1.6e9]
    assert spec.points[0].ts == datetime(2024, 1, 2)
    cleared = parse_file(
        _write(tmp_path, "fred_SOFR.csv", "date,value\n2024-01-02,5.4\n"), Overrides(entity="none")
    )
    assert cleared.series[0].spec.entity_id is None


def test_duplicates_and_summary_rows(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "btc_total.csv",
        'Date,Total\n11 Jan 2024,655.3\n12 Jan 2024,200\n12 Jan 2024,203\nTotal,"56,594.20"\n',
    )
    parsed = parse_file(path, Overrides(source="farside"))
    assert [(p.day, p.value) for p in parsed.series[0].points] == [
        (date(2024, 1, 11), 655.3e6), (date(2024, 1, 12), 203e6),
    ]  # fmt: skip
    assert [(n.line, n.reason) for n in parsed.notes] == [
        (5, "summary row: 'Total'"), (3, "duplicate time: line 4 is kept"),
    ]  # fmt: skip
    assert parsed.series[0].spec.symbol == "US-SPOT-BTC-ETF-FLOW"


def test_binance_last_candle_only_for_exchange_exports(tmp_path: Path) -> None:
    text = "timestamp,open,high,low,close,volume\n2024-01-01,1,2,1,2,5\n2024-01-02,2,3,2,3,1\n"
    binance = parse_file(_write(tmp_path, "binance_SOLUSDT_1d.csv", text))
    assert [p.day for p in binance.series[0].points] == [date(2024, 1, 1)]
    assert binance.series[0].spec.entity_id == "crypto:sol"
    other = parse_file(_write(tmp_path, "sol.csv", text))
    assert len(other.series[0].points) == 2


@pytest.mark.parametrize(
    ("cell", "value"),
    [("1,045.00", 1045.0), ("(12.5)", -12.5), ("-3", -3.0), ("−7.5", -7.5), ("$1,000", 1000.0),
     (".", None), ("", None), ("null", None), ("NaN", None), ("0.0", 0.0)],
)  # fmt: skip
def test_parse_number(cell: str, value: float | None) -> None:
    assert parse_number(cell) == value


def test_parse_number_rejects_text() -> None:
    with pytest.raises(CellError, match=r"not a number: 'n\.a\.x'"):
        parse_number("n.a.x")


def test_every_mapped_entity_is_in_the_knowledge_base() -> None:
    ids = {
        entry["id"]
        for path in (REPO / "nlp" / "kb").glob("*.yaml")
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if isinstance(entry, dict) and "id" in entry
    }
    mapped = {
        *naming.CRYPTO_ENTITIES.values(), *naming.SYMBOL_ENTITIES.values(),
        *naming.BTC_FUNDS.values(), *naming.ETH_FUNDS.values(),
        *(entity for _, entity, _ in naming.FAMILIES.values()),
    }  # fmt: skip
    assert mapped - ids == set()


def _check_upsert(engine: Engine, folder: Path) -> None:
    path = _write(
        folder, "fred_SOFR.csv", "observation_date,SOFR\n2024-01-02,5.40\n2024-01-03,5.38\n"
    )
    first = import_files(engine, [path])
    again = import_files(engine, [path])
    assert (first.new, again.new, again.points) == (2, 0, 2)
    _write(folder, "fred_SOFR.csv", "observation_date,SOFR\n2024-01-03,5.31\n2024-01-04,5.32\n")
    fixed = import_files(engine, [path])
    assert (fixed.new, fixed.points) == (1, 2)
    with Session(engine) as session:
        series = get_series(session, "SOFR", source="fred")
        assert series is not None and series.id is not None
        assert series.entity_id == "macro:sofr"
        values = [(p.day, p.value) for p in load_points(session, series.id)]
        assert values == [
            (date(2024, 1, 2), 5.40), (date(2024, 1, 3), 5.31), (date(2024, 1, 4), 5.32),
        ]  # fmt: skip
        assert [s.count for s in list_series(session)] == [3]
    # an inferred blank never erases an entity given earlier
    import_files(engine, [path], Overrides(entity="macro:custom"))
    import_files(engine, [path])
    with Session(engine) as session:
        series = get_series(session, "SOFR", source="fred")
        assert series is not None and series.entity_id == "macro:sofr"


def test_upsert_sqlite(tmp_path: Path) -> None:
    _check_upsert(init_engine(f"sqlite:///{tmp_path / 'm.db'}"), tmp_path)


@pytest.mark.postgres
def test_upsert_postgres(pg_engine: Engine, tmp_path: Path) -> None:
    _check_upsert(pg_engine, tmp_path)
