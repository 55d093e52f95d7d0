"""Reading one market-data file into series and points, with every dropped row accounted for.

Rules (docs/ARCHITECTURE.md, "Market data"):
- Missing cells (FRED ".", empty, "null", "NaN") are missing values, never zeros: the row is set
  aside as a note.
- Daily points carry the calendar day as written in the file; `ts` is 00:00 UTC of that day for
  series that roll at midnight UTC (crypto) and 09:30 New York of that day (in UTC) for US dailies.
- An exchange export's last candle (Binance) is the one in progress at export time: dropped
  unless --keep-last.
- Flow tables (Farside): rows on days the NYSE did not trade (the scrapers' weekend and holiday
  fills) are dropped, all-zero rows at the end of the file (days not reported yet) are dropped,
  and a fund's zeros before its first reported flow are dropped (the fund did not trade yet).
  All-zero rows inside the file are kept: they are real zero-flow days.
- A row that cannot be read is reported with file, line and reason; the rest still loads.
"""

import csv
import io
import itertools
import statistics
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ingest.errors import ImportFormatError
from ingest.market import calendar, cleaning, naming
from ingest.market.layouts import (
    Columns,
    detect_layout,
    is_headerless_klines,
    plan_columns,
)
from ingest.market.records import (
    Layout,
    Overrides,
    ParsedFile,
    ParsedSeries,
    Point,
    RowIssue,
    SeriesSpec,
)
from ingest.market.values import CellError, naive_utc, parse_moment, parse_number, utc_midnight

SUMMARY_ROWS = frozenset({"total", "average", "mean", "maximum", "minimum", "max", "min", "sum"})
CALENDAR_INTERVALS = frozenset({"1d", "1w", "1M"})
_GAPS = ((60, "1m"), (300, "5m"), (900, "15m"), (1800, "30m"), (3600, "1h"), (14400, "4h"),
         (86400, "1d"), (604800, "1w"))  # fmt: skip


@dataclass
class RawRow:
    """One readable data row before the series rules run."""

    line: int
    moment: datetime
    written: date
    values: dict[str, float | None]


def read_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank CSV row (comma, semicolon or tab separated)."""
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for cells in reader:
        if any(c.strip() for c in cells):
            rows.append((reader.line_num, cells))
    return rows


def read_text(path: Path) -> str:
    """A file's text (UTF-8, a byte-order mark dropped); ImportFormatError when not UTF-8."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def parse_file(path: Path, flags: Overrides | None = None) -> ParsedFile:
    """Every series in `path` with its points; ImportFormatError when the file is unreadable."""
    return parse_text(read_text(path), path, flags)


def parse_text(
    text: str, path: Path, flags: Overrides | None = None, *, label: str | None = None
) -> ParsedFile:
    """Every series in CSV `text`; `path` names it (its name is read for source and symbol),
    `label` is what row problems cite (default: the path)."""
    flags = flags or Overrides()
    rows = read_rows(text)
    if not rows:
        raise ImportFormatError(f"{label or path}: empty file")
    header: list[str] | None = rows[0][1]
    if flags.layout in (None, Layout.KLINES) and is_headerless_klines(rows[0][1]):
        header, layout = None, Layout.KLINES
    else:
        layout = flags.layout or detect_layout(rows[0][1])
        rows = rows[1:]
    columns = plan_columns(layout, header)
    parsed = ParsedFile(path=label or str(path), layout=layout, rows=len(rows))
    tz = ZoneInfo(flags.tz) if flags.tz else None
    raw = [
        r
        for r in (_read_row(parsed, line, cells, columns=columns, tz=tz) for line, cells in rows)
        if r
    ]
    raw = cleaning.dedupe(parsed, raw)
    name = _file_name(path, layout, columns, flags=flags)
    interval = flags.interval or name.interval or _infer_interval(raw)
    specs = _specs(layout, columns, name=name, path=path)
    single = len(specs) == 1
    for spec in specs.values():
        naming.apply_overrides(spec, flags, single=single)
        spec.interval = interval
    scale = flags.scale or naming.default_scale(name, layout, list(specs))
    if layout in (Layout.KLINES, Layout.OHLCV):
        spec = specs["close"]
        if spec.source == "binance" and not flags.keep_last and raw:
            raw = cleaning.drop_last_candle(parsed, raw)
        parsed.series.append(ParsedSeries(spec, _price_points(raw, spec, scale)))
        return parsed
    is_flow = any(s.kind == "flow" for s in specs.values())
    if is_flow and (flags.calendar or "nyse") == "nyse" and interval == "1d":
        raw = cleaning.drop_closed_days(parsed, raw)
        raw = cleaning.drop_trailing_placeholders(parsed, raw)
    for key, spec in specs.items():
        kept = cleaning.drop_leading_zeros(parsed, raw, key) if is_flow else raw
        parsed.series.append(ParsedSeries(spec, _value_points(kept, key, spec=spec, scale=scale)))
    return parsed


def _file_name(
    path: Path, layout: Layout, columns: Columns, *, flags: Overrides
) -> naming.FileName:
    """Source, symbol and interval from the file name, FRED's header, and --source/--symbol
    (read before the series are described, so that they steer the entity and the close)."""
    name = naming.read_name(path)
    if layout is Layout.FRED:
        name = naming.FileName("fred", columns.values[0][0], name.interval)
    one_series = layout is not Layout.WIDE
    return naming.FileName(
        flags.source or name.source,
        (flags.symbol if one_series else None) or name.symbol,
        name.interval,
    )


def _read_row(
    parsed: ParsedFile, line: int, cells: list[str], *, columns: Columns, tz: ZoneInfo | None
) -> RawRow | None:
    """One row's date and numbers, or None after recording why it was not read."""

    def issue(reason: str, *, error: bool = True) -> None:
        parsed.issues.append(RowIssue(parsed.path, line, reason, error))

    first = cells[columns.date].strip() if len(cells) > columns.date else ""
    if first.lower() in SUMMARY_ROWS:
        issue(f"summary row: {first!r}", error=False)
        return None
    if len(cells) < columns.width:
        issue(f"too few columns: {len(cells)}, expected at least {columns.width}")
        return None
    try:
        moment, written, _ = parse_moment(first, tz=tz)
        fields = columns.prices or dict(columns.values)
        values = {key: parse_number(cells[i]) for key, i in fields.items()}
    except CellError as exc:
        issue(str(exc))
        return None
    if all(v is None for v in values.values()) or (columns.prices and values["close"] is None):
        issue("missing value: empty, '.', 'null' or NaN", error=False)
        return None
    high, low = values.get("high"), values.get("low")
    if high is not None and low is not None and high < low:
        issue(f"high below low: {high} < {low}")
        return None
    return RawRow(line, moment, written, values)


def _infer_interval(raw: list[RawRow]) -> str:
    """The bar length from the median gap between consecutive rows (default 1d)."""
    moments = sorted(r.moment for r in raw)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(moments)]
    if not gaps:
        return "1d"
    median = statistics.median(gaps)
    if median >= 27 * 86400:
        return "1M"
    return min(_GAPS, key=lambda g: abs(g[0] - median))[1]


def _specs(
    layout: Layout, columns: Columns, *, name: naming.FileName, path: Path
) -> dict[str, SeriesSpec]:
    """The series a file holds, keyed by the value field or column that feeds each."""
    if layout in (Layout.KLINES, Layout.OHLCV):
        return {"close": naming.price_spec(name, name.symbol)}
    column_names = [c for c, _ in columns.values]
    family = naming.etf_family(column_names, path)
    flows = name.source == "farside" or (layout is Layout.WIDE and family is not None)
    if layout is Layout.VALUE:
        column = column_names[0]
        if flows or (family and column.lower() in naming.TOTAL_COLUMNS):
            return {column: naming.flow_spec(column, family, name)}
        return {column: naming.value_spec(name, name.symbol)}
    if layout is Layout.FRED:
        return {column_names[0]: naming.value_spec(name, name.symbol)}
    if flows:
        return {c: naming.flow_spec(c, family, name) for c in column_names}
    return {c: naming.value_spec(name, f"{name.symbol}-{c.upper()}") for c in column_names}


def _when(row: RawRow, spec: SeriesSpec) -> tuple[datetime, date | None]:
    """`ts` (naive UTC bar start) and `day` of a row under its series' interval and close."""
    if spec.interval not in CALENDAR_INTERVALS:
        return naive_utc(row.moment), None
    if spec.day_close == "us-close":
        return calendar.us_session_start(row.written), row.written
    return utc_midnight(row.written), row.written


def _price_points(raw: list[RawRow], spec: SeriesSpec, scale: float) -> list[Point]:
    points = []
    for row in raw:
        ts, day = _when(row, spec)
        v = {k: _scaled(x, scale) for k, x in row.values.items()}
        close = v["close"]
        assert close is not None  # rows without a close were set aside
        points.append(
            Point(
                ts,
                close,
                day,
                open=v.get("open"),
                high=v.get("high"),
                low=v.get("low"),
                close=close,
                volume=v.get("volume"),
                line=row.line,
            )
        )
    return points


def _value_points(raw: list[RawRow], key: str, *, spec: SeriesSpec, scale: float) -> list[Point]:
    points = []
    for row in raw:
        value = row.values.get(key)
        if value is None:
            continue
        ts, day = _when(row, spec)
        points.append(Point(ts, _scaled(value, scale) or 0.0, day, line=row.line))
    return points


def _scaled(value: float | None, scale: float) -> float | None:
    """`value` x `scale`, rounded to drop float noise (132.7 x 1e6 is 132700000, not ...99.99)."""
    if value is None or scale == 1.0:
        return value
    return round(value * scale, 6)
