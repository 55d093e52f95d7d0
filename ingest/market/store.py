"""Writing parsed series to the store: series upserted by (symbol, source), points by (series, ts).

Re-importing a file changes nothing; a corrected file overwrites the values of the bars it holds.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from ingest.errors import ImportFormatError
from ingest.market.parse import parse_file
from ingest.market.records import Overrides, ParsedSeries, Point, RowIssue, SeriesSpec
from models._time import utcnow
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
        series = MarketSeries(**vars(spec))
    else:
        for key, value in vars(spec).items():
            if value is not None:
                setattr(series, key, value)
        series.updated_at = utcnow()
    session.add(series)
    session.flush()
    return series


def upsert_points(session: Session, series_id: int, points: Sequence[Point]) -> int:
    """Insert or update `points` of a series; returns how many were not stored before."""
    before = _count(session, series_id)
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if dialect not in ("postgresql", "sqlite"):
        raise ImportFormatError(f"market import supports SQLite and PostgreSQL, not {dialect}")
    rows = [_row(series_id, p) for p in points]
    table = SQLModel.metadata.tables[MarketPoint.__tablename__]
    statement = insert(table)  # Core, not the ORM's bulk path: 3x faster
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
        except (ImportFormatError, OSError, ValueError) as exc:
            report.failed_files.append(f"{path}: {exc}")
            continue
        report.rows += parsed.rows
        report.errors.extend(parsed.errors)
        report.notes.extend(parsed.notes)
        report.series.extend(store_series(engine, parsed.series))
    return report


def last_point(session: Session, series_id: int) -> MarketPoint | None:
    """The newest stored point of a series."""
    return session.exec(
        select(MarketPoint)
        .where(MarketPoint.series_id == series_id)
        .order_by(col(MarketPoint.ts).desc())
    ).first()
