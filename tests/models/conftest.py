"""Store fixtures: a fresh PostgreSQL schema per test (skipped when no server answers)."""

import socket
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_available() -> bool:
    """True when something listens on 127.0.0.1:5432."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose search_path is a new, empty schema; the schema is dropped afterwards."""
    if not pg_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: PostgreSQL test skipped")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """A migrated engine on a fresh PostgreSQL schema."""
    from models.db import init_engine

    engine = init_engine(pg_url)
    yield engine
    engine.dispose()
