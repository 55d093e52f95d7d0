"""Writing parsed series to the store: series upserted by (symbol, source), points by (series, ts).

Re-importing a file changes nothing; a corrected file overwrites the values of the bars it holds.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, col, select

from ingest.errors import ImportFormatError
from ingest.market.parse import parse_file, parse_text
from ingest.market.records import (
    Overrides,
    ParsedFile,
    ParsedSeries,
    Point,
    RowIssue,
    SeriesSpec,
)
from models._time import utcnow
from models.db import upsert_insert
from models.market import MarketPoint, MarketSeries

BATCH = 1000
_UPDATED = ("open", "high", "low", "close", "volume", "value", "day")


@dataclass
class SeriesResult:
    """What one import did to one series."""

    symbol: str
    source: str
    kind: str
    entity_id: str | None
    points: int
    new: int


@dataclass
class ImportReport:
    """Counts, bad rows and notes of an import run over several files."""

    files: int = 0
    failed_files: list[str] = field(default_factory=list)
    rows: int = 0
    series: list[SeriesResult] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    notes: list[RowIssue] = field(default_factory=list)

    @property
    def points(self) -> int:
        """Points written (new or updated)."""
        return sum(s.points for s in self.series)

    @property
    def new(self) -> int:
        """Points that were not stored before."""
        return sum(s.new for s in self.series)


def upsert_series(session: Session, spec: SeriesSpec) -> MarketSeries:
    """The stored series for (symbol, source), created or brought up to date with `spec`.

    Inferred blanks (no entity, no description) never erase what an earlier import stored."""
    series = session.exec(
        select(MarketSeries).where(
            MarketSeries.symbol == spec.symbol, MarketSeries.source == spec.source
        )
    ).first()
    if series is None:
        series = MarketSeries(**spec.columns())
    elif series.interval != spec.interval:
        raise ImportFormatError(
            f"series {spec.symbol} ({spec.source}) holds {series.interval} bars, not "
            f"{spec.interval}: give these another --symbol"
        )
    else:
        for key, value in spec.columns().items():
            if value is not None or (key == "entity_id" and spec.clear_entity):
                setattr(series, key, value)
        series.updated_at = utcnow()
    session.add(series)
    session.flush()
    return series


def upsert_points(session: Session, series_id: int, points: Sequence[Point]) -> int:
    """Insert or update `points` of a series; returns how many were not stored before."""
    before = _count(session, series_id)
    rows = [_row(series_id, p) for p in points]
    table = SQLModel.metadata.tables[MarketPoint.__tablename__]
    statement = upsert_insert(session, table)  # Core, not the ORM's bulk path: 3x faster
    statement = statement.on_conflict_do_update(
        index_elements=["series_id", "ts"],
        set_={name: statement.excluded[name] for name in _UPDATED},
    )
    for start in range(0, len(rows), BATCH):
        session.connection().execute(statement, rows[start : start + BATCH])
    return _count(session, series_id) - before


def _count(session: Session, series_id: int) -> int:
    query = select(func.count()).select_from(MarketPoint).where(MarketPoint.series_id == series_id)
    return int(session.exec(query).one())


def _row(series_id: int, p: Point) -> dict[str, Any]:
    return {
        "series_id": series_id, "ts": p.ts, "day": p.day, "open": p.open, "high": p.high,
        "low": p.low, "close": p.close, "volume": p.volume, "value": p.value,
    }  # fmt: skip


def store_series(engine: Engine, parsed: Iterable[ParsedSeries]) -> list[SeriesResult]:
    """Write parsed series in one transaction; one result per series."""
    results = []
    with Session(engine) as session:
        for item in parsed:
            if not item.points:
                continue
            series = upsert_series(session, item.spec)
            assert series.id is not None
            new = upsert_points(session, series.id, item.points)
            results.append(
                SeriesResult(
                    symbol=series.symbol,
                    source=series.source,
                    kind=series.kind,
                    entity_id=series.entity_id,
                    points=len(item.points),
                    new=new,
                )
            )
        session.commit()
    return results


def import_files(
    engine: Engine, paths: Sequence[Path], flags: Overrides | None = None
) -> ImportReport:
    """Parse and store every file; a file that cannot be read is reported and the rest go on."""
    report = ImportReport()
    for path in paths:
        report.files += 1
        try:
            parsed = parse_file(path, flags)
            stored = store_series(engine, parsed.series)
        except (ImportFormatError, OSError, ValueError) as exc:
            report.failed_files.append(f"{path}: {exc}")
            continue
        _add(report, parsed, stored)
    return report


def import_text(
    engine: Engine,
    text: str,
    *,
    name: str,
    flags: Overrides | None = None,
    one_series: bool = False,
) -> ImportReport:
    """Parse and store CSV `text` as the file `name` (an upload); with `one_series`, a file that
    holds several series is refused. ImportFormatError when it cannot be read (nothing stored)."""
    report = ImportReport(files=1)
    parsed = parse_text(text, Path(name), flags, label=name)
    if one_series and len(parsed.series) > 1:
        names = ", ".join(s.spec.symbol for s in parsed.series)
        raise ImportFormatError(f"{name}: holds {len(parsed.series)} series ({names}), not one")
    _add(report, parsed, store_series(engine, parsed.series))
    return report


def _add(report: ImportReport, parsed: ParsedFile, stored: list[SeriesResult]) -> None:
    report.rows += parsed.rows
    report.errors.extend(parsed.errors)
    report.notes.extend(parsed.notes)
    report.series.extend(stored)


def last_point(session: Session, series_id: int) -> MarketPoint | None:
    """The newest stored point of a series."""
    return session.exec(
        select(MarketPoint)
        .where(MarketPoint.series_id == series_id)
        .order_by(col(MarketPoint.ts).desc())
    ).first()
