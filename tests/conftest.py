"""Shared test helpers: where ../shared is, and skipping cleanly when it is absent."""

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


def shared_dir() -> Path:
    """The ../shared folder, or skip the calling test when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip("../shared is absent: data-dependent test skipped")
    return SHARED_DIR


@pytest.fixture
def shared_path() -> Path:
    """Fixture form of shared_dir(): the ../shared folder, or skip."""
    return shared_dir()


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
    """A URL whose search_path is a new, empty schema (dropped afterwards), or skip."""
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
