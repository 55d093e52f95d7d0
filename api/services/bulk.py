"""Replacing many result rows fast: one DELETE per chunk of keys, one DBAPI executemany.

SQLAlchemy's executemany builds parameters per row in Python; for hundreds of thousands of
verdicts the driver's own executemany with values already converted by the column types' bind
processors is several times faster, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, delete
from sqlmodel import Session

CHUNK = 5000


def replace_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], *, key: str
) -> None:
    """Delete the rows whose `key` the new rows carry, then insert the new rows."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    identity: Callable[[Any], Any] = lambda value: value  # noqa: E731
    binds = [table.c[name].type.bind_processor(dialect) or identity for name in names]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join([mark] * len(names))})'
    for i in range(0, len(rows), CHUNK):
        part = rows[i : i + CHUNK]
        connection.execute(delete(table).where(table.c[key].in_([r[key] for r in part])))
        values = [
            tuple(bind(row[name]) for bind, name in zip(binds, names, strict=True)) for row in part
        ]
        connection.exec_driver_sql(sql, values)
