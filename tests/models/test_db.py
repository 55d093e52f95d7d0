"""The store on SQLite (WAL, foreign keys) and PostgreSQL: migrations up, constraints enforced."""

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.articles import Article
from models.db import MIGRATIONS_DIR, alembic_config, init_engine
from models.sources import FetchRecord, Source

TABLES = {"source", "fetchrecord", "article"}


def head_revision() -> str:
    """The newest migration's revision id."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None and MIGRATIONS_DIR.is_dir()
    return head


def check_store(engine: Engine) -> None:
    """Schema at head, core tables present, foreign keys and URL uniqueness enforced."""
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == head_revision()
        )
    assert set(inspect(engine).get_table_names()) >= TABLES
    with Session(engine) as session:
        session.add(Article(url="https://x.example/a", content_hash="h", source_id=999_999))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        source = Source(name="s", url="https://x.example/feed")
        session.add(source)
        session.commit()
        session.add(FetchRecord(source_id=source.id, url=source.url, body_gz=b"\x1f\x8b"))
        session.add(Article(url="https://x.example/a", content_hash="h", source_id=source.id))
        session.commit()
        session.add(Article(url="https://x.example/a", content_hash="h2"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_sqlite_wal_foreign_keys_and_migrations(tmp_path: Path) -> None:
    engine = init_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    check_store(engine)
    # migrating again is a no-op
    again = init_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with again.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM article")).scalar() == 1


@pytest.mark.postgres
def test_postgres_migrations_and_constraints(pg_engine: Engine) -> None:
    assert pg_engine.dialect.name == "postgresql"
    check_store(pg_engine)


def _schema_drift(engine: Engine) -> list[object]:
    """Differences between the migrated schema and the SQLModel tables (FTS objects aside: the
    FTS5 tables, and PostgreSQL's claim.search_vector and its index, which the model leaves out)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import models  # noqa: F401  (registers every table)

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    fts = ("claim_fts", "article_fts", "search_vector")
    return [d for d in diff if not any(name in str(d) for name in fts)]


def test_sqlite_migrations_match_the_tables_and_downgrade(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'drift.db'}"
    engine = init_engine(url)
    assert _schema_drift(engine) == []
    command.downgrade(alembic_config(url), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}


@pytest.mark.postgres
def test_postgres_migrations_match_the_tables(pg_engine: Engine) -> None:
    assert _schema_drift(pg_engine) == []
