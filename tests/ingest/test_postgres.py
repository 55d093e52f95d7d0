"""The crawler and importer on PostgreSQL: same results as on SQLite."""

import pytest
from fixture_server import FIXTURES, FixtureServer
from sqlalchemy import Engine
from sqlmodel import Session, select

from ingest.imports import import_paths
from ingest.service import run_once
from ingest.settings import IngestSettings
from ingest.sources import add_source
from models.articles import Article, DedupeKind

pytestmark = pytest.mark.postgres


def test_crawl_and_rerun_on_postgres(
    server: FixtureServer, pg_engine: Engine, settings: IngestSettings
) -> None:
    ids = [add_source(pg_engine, server.base + p, name=p).id for p in
           ("/feeds/rss20.xml", "/feeds/outlet-a.xml", "/feeds/outlet-b.xml")]  # fmt: skip
    first = run_once(pg_engine, settings=settings, source_ids=[i for i in ids[:2] if i])
    assert [(s.status, s.new) for s in first] == [("ok", 3), ("ok", 1)]
    second = run_once(pg_engine, settings=settings, force=True)
    assert [(s.status, s.new, s.duplicates, s.known) for s in second] == [
        ("ok", 0, 0, 3), ("ok", 0, 0, 1), ("ok", 0, 1, 0)]  # fmt: skip
    with Session(pg_engine) as session:
        rows = session.exec(select(Article)).all()
    assert len(rows) == 5
    assert [r.duplicate_kind for r in rows if r.duplicate_of] == [DedupeKind.NEAR]
    assert all(r.published_at is not None and r.published_at.utcoffset() is not None for r in rows)


def test_import_on_postgres(pg_engine: Engine, settings: IngestSettings) -> None:
    stats = import_paths(pg_engine, [FIXTURES / "import" / "records.json"], settings=settings)
    assert (stats.new, stats.failed) == (2, 2)
    again = import_paths(pg_engine, [FIXTURES / "import" / "records.json"], settings=settings)
    assert (again.new, again.known) == (0, 2)
