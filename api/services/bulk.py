"""Replacing many result rows fast: one DELETE per chunk of keys, one DBAPI executemany.

SQLAlchemy's executemany builds parameters per row in Python; for hundreds of thousands of
verdicts the driver's own executemany with values already converted by the column types' bind
processors is several times faster, on SQLite and PostgreSQL alike. The DELETE goes to the driver
too: compiling an IN of thousands of bound keys through SQLAlchemy costs more than running it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table
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
    converters = [table.c[name].type.bind_processor(dialect) for name in names]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join([mark] * len(names))})'
    for i in range(0, len(rows), CHUNK):
        part = rows[i : i + CHUNK]
        keys = tuple(r[key] for r in part)
        connection.exec_driver_sql(
            f'DELETE FROM "{table.name}" WHERE "{key}" IN ({", ".join([mark] * len(keys))})', keys
        )
        # column by column, then zipped into rows: far fewer Python calls than row by row
        values = []
        for name, convert in zip(names, converters, strict=True):
            column = [row[name] for row in part]
            if convert is not None:
                column = [convert(v) for v in column]
            values.append(_adapted(column) if dialect.name == "sqlite" else column)
        connection.exec_driver_sql(sql, list(zip(*values, strict=True)))


def _adapted(column: list[Any]) -> list[Any]:
    """A column as sqlite3 stores it: dates and datetimes go through the driver's registered
    adapters in Python, once per value; here once per distinct value (a run shares a few)."""
    kinds = {type(v) for v in column} - {type(None)}
    if not kinds & {date, datetime}:
        return column
    known: dict[Any, Any] = {}
    out = []
    for value in column:
        adapt = sqlite3.adapters.get((type(value), sqlite3.PrepareProtocol))
        if adapt is None:
            out.append(value)
        elif value in known:
            out.append(known[value])
        else:
            known[value] = converted = adapt(value)
            out.append(converted)
    return out
