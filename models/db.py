"""Engine and session set-up for SQLite (WAL, foreign keys on) and PostgreSQL, and migrations."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from models.errors import DatabaseUnavailableError
from models.settings import get_database_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def _unsupported(url: str, why: str) -> DatabaseUnavailableError:
    shown = _PASSWORD.sub(r"\1***@", url)
    return DatabaseUnavailableError(
        f"unsupported database URL {shown!r} ({why}); use sqlite:///path/to/tidings.db or "
        "postgresql+psycopg://user@host/db in TIDINGS_DATABASE_URL"
    )


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: the configured database URL); DatabaseUnavailableError
    for a URL that is not SQLite or PostgreSQL, or that cannot be parsed."""
    url = url or get_database_settings().database_url
    if not url.startswith(("sqlite", "postgresql")):
        raise _unsupported(url, "only SQLite and PostgreSQL are supported")
    try:
        return _create(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise _unsupported(url, str(exc).splitlines()[0]) from exc


def _create(url: str) -> Engine:
    """The engine, with SQLite's pragmas on every connection."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    """An alembic Config pointing at the project's migrations and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of `engine`'s database up to `revision`."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise DatabaseUnavailableError(
            f"cannot open database {engine.url!r}: {str(exc.orig).strip().splitlines()[-1]}. "
            "Check TIDINGS_DATABASE_URL."
        ) from exc


def init_engine(url: str | None = None) -> Engine:
    """An engine whose database is migrated to the newest schema."""
    engine = make_engine(url)
    migrate(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def upsert_insert(session: Session, table: Any) -> Any:
    """An INSERT for `table` (a model class or Core table) in the session's dialect, so callers
    can add `.on_conflict_do_nothing()` / `.on_conflict_do_update()`: the store's one way to
    write rows that concurrent runs may also write (SQLite and PostgreSQL only)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise DatabaseUnavailableError(f"upserts need SQLite or PostgreSQL, not {dialect}")
