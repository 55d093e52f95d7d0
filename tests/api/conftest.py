"""A store for the HTTP API tests: articles imported and processed by the real pipeline, on
SQLite and (when it answers) PostgreSQL, built once per test module."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.conftest import PG_BASE, SHARED_DIR, pg_available

# Written for these tests (not real reporting).
SEED_ARTICLES = [
    ("ETF outflows deepen", "2025-11-18",
     "US spot bitcoin ETFs saw net outflows of $523 million on Monday, Farside data showed. "
     "Bitcoin fell 4% to $88,000 as traders cut risk."),
    ("Ether funds draw inflows", "2025-11-19",
     "Ether rose 6% to $3,200 on Tuesday. Inflows into ether funds reached $150 million."),
    ("Fed holds rates", "2025-11-05",
     "The Federal Reserve held interest rates steady. Powell said inflation remains elevated."),
    ("Solana rallies", "2025-11-20",
     "Solana gained 12% this week. Analysts expect SOL to reach $300 by December."),
    ("Liquidations top $1.2 billion", "2025-11-21",
     "Crypto markets crashed as liquidations topped $1.2 billion. Bitcoin dropped 8% in a day."),
    ("Tether mints", "2025-11-21", "Tether minted $1 billion of USDT on Friday."),
]  # fmt: skip
SHARED_ARCHIVE = SHARED_DIR / "data" / "crypto-news-articles" / "cryptonews_com_2023_fulltext.json"
SHARED_COUNT = 4


def _seed_files(folder: Path) -> list[Path]:
    """The written articles as JSONL, plus the first few real archive articles when present."""
    seed = folder / "seed.jsonl"
    with seed.open("w", encoding="utf-8") as out:
        for i, (title, day, body) in enumerate(SEED_ARTICLES):
            row = {"title": title, "text": body, "url": f"https://seed.test/{i}", "published": day}
            out.write(json.dumps(row) + "\n")
    return [seed]


def seed_store(engine: Engine, folder: Path) -> None:
    """Import and process the seed articles with the real importer and pipeline."""
    from api.services.processing import process_articles
    from ingest.imports import FieldNames, ImportOptions, import_paths
    from nlp.pipeline import Analyzer

    stats = import_paths(engine, _seed_files(folder))
    assert stats.new == len(SEED_ARTICLES), stats
    if SHARED_ARCHIVE.is_file():
        records = json.loads(SHARED_ARCHIVE.read_text(encoding="utf-8"))[:SHARED_COUNT]
        subset = folder / "shared_subset.json"
        subset.write_text(json.dumps(records), encoding="utf-8")
        options = ImportOptions(fields=FieldNames(text="paragraphs", published="date"))
        import_paths(engine, [subset], options=options)
    done = process_articles(engine, analyzer=_analyzer(Analyzer))
    assert done.failed == 0, done.errors


_ANALYZER: list[object] = []


def _analyzer(factory: type) -> object:
    if not _ANALYZER:
        _ANALYZER.append(factory())
    return _ANALYZER[0]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated, seeded engine on SQLite or on a private PostgreSQL schema."""
    from models.db import init_engine

    folder = tmp_path_factory.mktemp("store")
    if request.param == "sqlite":
        engine = init_engine(f"sqlite:///{folder / 'tidings.db'}")
        seed_store(engine, folder)
        yield engine
        engine.dispose()
        return
    if not pg_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: PostgreSQL test skipped")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = init_engine(f"{PG_BASE}?options=-csearch_path%3D{schema}")
    try:
        seed_store(engine, folder)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
