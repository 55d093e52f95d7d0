"""The store behind bench/api.py: real articles processed once, then replicated in SQL.

A few dozen real 2023 articles (../shared/data/crypto-news-articles, read at run time) are
imported and processed by the real pipeline; then every row they produced (article, sentences,
mentions, entity sentiment, narrative assignments, claims) is copied R times by one
`INSERT ... SELECT ... CROSS JOIN bench_copy` per table, each copy with new ids (id + k * stride),
its own URL and content hash, and dates shifted by k * SHIFT_HOURS, until the store holds at
least the asked numbers of articles and claims. Full-text indexes follow through the store's own
triggers (SQLite FTS5) or expression indexes (PostgreSQL).
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlmodel import SQLModel

from models.analysis import EntitySentiment, Mention, Sentence
from models.articles import Article
from models.claims import Claim
from models.narratives import NarrativeAssignment

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = (
    REPO.parent / "shared" / "data" / "crypto-news-articles" / "cryptonews_com_2023_fulltext.json"
)
SHIFT_HOURS = 4
DATE_COLUMNS = {"published_at", "first_seen_at", "processed_at", "article_published_at"}
CHILDREN = (Sentence, Mention, EntitySentiment, NarrativeAssignment, Claim)


@dataclass
class StoreInfo:
    """What the built store holds and how long building took."""

    base_articles: int
    base_claims: int
    copies: int
    articles: int
    claims: int
    sentences: int
    process_s: float
    replicate_s: float


def import_and_process(engine: Engine, count: int) -> None:
    """Import the first `count` distinct real articles and process them with the real pipeline."""
    from api.services.processing import process_articles
    from ingest.imports import FieldNames, ImportOptions, import_paths
    from nlp.pipeline import Analyzer

    records = json.loads(ARCHIVE.read_text(encoding="utf-8"))[:count]
    with tempfile.TemporaryDirectory() as folder:
        subset = Path(folder) / "articles.json"
        subset.write_text(json.dumps(records), encoding="utf-8")
        options = ImportOptions(fields=FieldNames(text="paragraphs", published="date"))
        import_paths(engine, [subset], options=options)
    stats = process_articles(engine, analyzer=Analyzer())
    if stats.failed:
        raise RuntimeError(f"processing the base articles failed: {stats.errors}")


def _count(engine: Engine, model: type[SQLModel]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())  # type: ignore[arg-type]


def _max_id(engine: Engine, model: type[SQLModel]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(model.id))).scalar_one() or 0)  # type: ignore[attr-defined]


def _shifted(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"{column} + (c.k * INTERVAL '{SHIFT_HOURS} hours')"
    return f"datetime({column}, '+' || (c.k * {SHIFT_HOURS}) || ' hours')"


def _expression(name: str, dialect: str, strides: dict[str, int]) -> str:
    """The SELECT expression giving copy k's value of column `name`."""
    concat = "||"
    exprs = {
        "id": f"t.id + c.k * {strides['self']}",
        "article_id": f"t.article_id + c.k * {strides['article']}",
        "duplicate_of": f"t.duplicate_of + c.k * {strides['article']}",
        "url": f"t.url {concat} '#copy-' {concat} c.k",
        "content_hash": f"t.content_hash {concat} '-' {concat} c.k",
        "fetch_id": "NULL",
    }
    if name in exprs:
        return exprs[name]
    if name in DATE_COLUMNS:
        return _shifted(f"t.{name}", dialect)
    return f't."{name}"'


def _copy_table(conn: Any, model: Any, strides: dict[str, int], *, base_max: int) -> None:
    """INSERT copies 1..R of the base rows (ids up to `base_max`) of one table."""
    table = model.__table__  # type: ignore[attr-defined]
    names = [column.name for column in table.columns]
    dialect = conn.dialect.name
    quoted = ", ".join(f'"{name}"' for name in names)
    exprs = ", ".join(_expression(name, dialect, strides) for name in names)
    conn.execute(
        text(
            f'INSERT INTO "{table.name}" ({quoted}) SELECT {exprs} '
            # SQLite keeps a CROSS JOIN's order: copies outside, rows by id inside, so new ids
            # arrive ascending (appends, no sort) without an ORDER BY over the wide rows
            f'FROM bench_copy c CROSS JOIN "{table.name}" t WHERE t.id <= {base_max}'
        )
    )


def _secondary_indexes(conn: Any) -> list[str]:
    """SQLite: the CREATE INDEX statements of the copied tables (dropped during the copy and
    made again after it: one sort per index instead of a b-tree insert per row)."""
    if conn.dialect.name != "sqlite":
        return []
    tables = ", ".join(f"'{m.__table__.name}'" for m in (Article, *CHILDREN))  # type: ignore[union-attr]
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({tables})"
    ).all()
    for name, _sql in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


def replicate(engine: Engine, copies: int) -> None:
    """Copy every base row `copies` times (see the module docstring)."""
    strides = {"article": _max_id(engine, Article) + 1}
    maxima = {model: _max_id(engine, model) for model in (Article, *CHILDREN)}
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
            conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB
        indexes = _secondary_indexes(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_copy")
        conn.exec_driver_sql("CREATE TABLE bench_copy (k INTEGER PRIMARY KEY)")
        conn.execute(
            text("INSERT INTO bench_copy (k) VALUES (:k)"), [{"k": k} for k in range(1, copies + 1)]
        )
        for model in (Article, *CHILDREN):
            stride = maxima[model] + 1
            _copy_table(conn, model, strides | {"self": stride}, base_max=maxima[model])
        conn.exec_driver_sql("DROP TABLE bench_copy")
        for statement in indexes:
            conn.exec_driver_sql(statement)
        if conn.dialect.name == "postgresql":
            for model in (Article, *CHILDREN):
                name = model.__table__.name  # type: ignore[union-attr]
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{name}"))'
                    )
                )
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def build_store(engine: Engine, *, min_articles: int, min_claims: int, base: int) -> StoreInfo:
    """Process `base` real articles, then replicate them to at least the asked sizes."""
    started = time.perf_counter()
    import_and_process(engine, base)
    processed = time.perf_counter()
    base_articles, base_claims = _count(engine, Article), _count(engine, Claim)
    if base_claims == 0:
        raise RuntimeError("the base articles gave no claims")
    copies = max(math.ceil(min_articles / base_articles), math.ceil(min_claims / base_claims)) - 1
    replicate(engine, copies)
    done = time.perf_counter()
    return StoreInfo(
        base_articles=base_articles,
        base_claims=base_claims,
        copies=copies,
        articles=_count(engine, Article),
        claims=_count(engine, Claim),
        sentences=_count(engine, Sentence),
        process_s=processed - started,
        replicate_s=done - processed,
    )


def store_summary(engine: Engine) -> dict[str, int]:
    """Row counts of an existing store (for reuse with --store)."""
    return {
        "articles": _count(engine, Article),
        "claims": _count(engine, Claim),
        "sentences": _count(engine, Sentence),
        "mentions": _count(engine, Mention),
    }
