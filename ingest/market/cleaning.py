"""The series rules that set rows aside on purpose, each leaving a note with file and line."""

from datetime import datetime
from typing import TYPE_CHECKING

from ingest.market import calendar
from ingest.market.records import ParsedFile, RowIssue

if TYPE_CHECKING:
    from ingest.market.parse import RawRow


def _note(parsed: ParsedFile, line: int, reason: str) -> None:
    parsed.issues.append(RowIssue(parsed.path, line, reason, error=False))


def dedupe(parsed: ParsedFile, raw: list["RawRow"]) -> list["RawRow"]:
    """One row per date (the later row wins), sorted by time."""
    by_moment: dict[datetime, RawRow] = {}
    for row in raw:
        earlier = by_moment.get(row.moment)
        if earlier is not None:
            _note(parsed, earlier.line, f"duplicate time: line {row.line} is kept")
        by_moment[row.moment] = row
    return sorted(by_moment.values(), key=lambda r: r.moment)


def drop_last_candle(parsed: ParsedFile, raw: list["RawRow"]) -> list["RawRow"]:
    """Drop an exchange export's last bar: it was still forming when the file was written."""
    _note(parsed, raw[-1].line, "in-progress candle: an exchange export's last bar")
    return raw[:-1]


def drop_closed_days(parsed: ParsedFile, raw: list["RawRow"]) -> list["RawRow"]:
    """Drop rows on days the NYSE was closed (weekend/holiday fills); a non-zero one is an error."""
    kept = []
    for row in raw:
        day = row.written
        if not calendar.covered(day) or calendar.is_nyse_session(day):
            kept.append(row)
        elif any(v for v in row.values.values()):
            parsed.issues.append(
                RowIssue(parsed.path, row.line, f"flow on a day the NYSE was closed: {day}")
            )
        else:
            _note(parsed, row.line, "NYSE closed that day: weekend/holiday fill")
    return kept


def drop_trailing_placeholders(parsed: ParsedFile, raw: list["RawRow"]) -> list["RawRow"]:
    """Drop all-zero rows at the end: days listed before their flows were reported."""
    end = len(raw)
    while end and not any(v for v in raw[end - 1].values.values()):
        end -= 1
        _note(parsed, raw[end].line, "not reported yet: all-zero row at the end of the file")
    return raw[:end]


def drop_leading_zeros(parsed: ParsedFile, raw: list["RawRow"], key: str) -> list["RawRow"]:
    """Drop one column's zeros before its first non-zero flow (the fund was not trading yet)."""
    first = next((i for i, r in enumerate(raw) if r.values.get(key)), len(raw))
    if first and len(raw[0].values) > 1:
        _note(parsed, raw[0].line, f"zeros before a fund's first reported flow: {key} x{first}")
        return raw[first:]
    return raw
