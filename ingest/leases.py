"""One poller per source across processes and machines: a lease held while a source is polled.

PostgreSQL: a session-level advisory lock keyed by the source id, held on a connection of its
own for the whole poll; the server releases it when that connection ends, so a poller killed
with `kill -9` never leaves a source locked. SQLite (one machine): a lock file per source beside
the database, released by the operating system when its holder dies. Nothing is waited for: a
source someone else is polling is simply not polled now.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, func, select

LOCK_CLASS = 0x7469  # "ti": the advisory-lock key space of source polls
_memory_locks: dict[tuple[str, int], threading.Lock] = {}
_memory_guard = threading.Lock()


@contextmanager
def source_lease(engine: Engine, source_id: int) -> Iterator[bool]:
    """Hold the poll lease of one source for the block; yields False when another holds it."""
    if engine.dialect.name == "postgresql":
        with _advisory_lease(engine, source_id) as held:
            yield held
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        lock = FileLock(Path(database).with_name(f"{Path(database).name}.source-{source_id}.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
        return
    with _memory_lease(str(engine.url), source_id) as held:
        yield held


@contextmanager
def _advisory_lease(engine: Engine, source_id: int) -> Iterator[bool]:
    """pg_try_advisory_lock on a dedicated connection, unlocked when the block ends."""
    with engine.connect() as connection:
        held = bool(
            connection.execute(select(func.pg_try_advisory_lock(LOCK_CLASS, source_id))).scalar()
        )
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(select(func.pg_advisory_unlock(LOCK_CLASS, source_id)))
                connection.commit()


@contextmanager
def _memory_lease(key: str, source_id: int) -> Iterator[bool]:
    """An in-process lock (in-memory databases live in one process anyway)."""
    with _memory_guard:
        lock = _memory_locks.setdefault((key, source_id), threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()
