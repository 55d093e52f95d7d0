"""PostgreSQL claim and article free text on the stored tsvector columns of migration
0016_claim_search_vector: filled for the rows stored before the upgrade and for those written
after, the same matches, ranks and order as the expressions they replace, a clean downgrade;
SQLite untouched."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session

from api.http import queries
from api.http.queries import ArticleQuery, search_articles
from api.services import claims_search
from api.services.claims_search import ClaimQuery, search_claims
from models.articles import Article
from models.claims import Claim
from models.db import alembic_config, make_engine, migrate, session_scope

BEFORE = "0015_claim_unit_inferred"
AFTER = "0016_claim_search_vector"
# (sentence, subject, metric, attributed_to) of the claims stored at 0015
Row = tuple[str, str, str | None, str | None]
OLD: list[Row] = [
    ("Bitcoin rose 5% after the spot bitcoin ETF approval", "Bitcoin", "price", None),
    ("Bitcoin bitcoin bitcoin: the spot market moved 2%", "Bitcoin", "price", "CoinDesk"),
    ("Ether fell 3% as outflows grew", "Ether", "outflow", None),
    ("Spot trading volume of bitcoin doubled to $40 billion", "Bitcoin", "volume", "Kaiko"),
    ("The quokka index climbed 9%", "Quokka", None, None),
]
# written after the upgrade
NEW: list[Row] = [
    ("Bitcoin spot ETFs took in $500 million", "Bitcoin", "inflow", "Farside"),
    ("Solana gained 12% while bitcoin slipped", "Solana", "price", None),
]
QUERIES = [
    ClaimQuery(text="bitcoin"),
    ClaimQuery(text='"spot bitcoin"'),
    ClaimQuery(text="quokka"),  # a rare word
    ClaimQuery(text="kaiko"),  # attributed_to is part of the vector
    ClaimQuery(text="outflows"),  # stemmed, and the metric column
    ClaimQuery(text="bitcoin", metric="price"),
    ClaimQuery(text="bitcoin -etf", until=date(2025, 3, 2)),
    ClaimQuery(text="bitcoin", sort="newest"),
    ClaimQuery(text="bitcoin", sort="value_desc"),
    ClaimQuery(text="dogecoin"),
]

ARTICLE_QUERIES = [
    ArticleQuery(text="bitcoin"),
    ArticleQuery(text='"spot bitcoin"'),
    ArticleQuery(text="quokka"),
    ArticleQuery(text="solana", since=date(2025, 3, 2)),
    ArticleQuery(text="dogecoin"),
]


def _write(engine: Engine, rows: list[Row], day: int) -> None:
    """One article and its claims (ORM inserts, as `process` writes them)."""
    published = datetime(2025, 3, day, 9, tzinfo=UTC)
    with session_scope(engine) as session:
        body = " ".join(row[0] for row in rows)
        article = Article(url=f"https://x.test/{day}", content_hash=f"h{day}", text=body,
                          title=f"Markets, day {day}", published_at=published)  # fmt: skip
        session.add(article)
        session.flush()
        for i, (sentence, subject, metric, source) in enumerate(rows):
            session.add(
                Claim(article_id=int(article.id or 0), start=0, end=5, text=sentence,
                      sentence_text=sentence, subject=subject, metric=metric,
                      attributed_to=source, value=float(i), article_published_at=published)
            )  # fmt: skip


def _results(engine: Engine) -> list[list[tuple[int, float | None]]]:
    """(claim id, rank) of every claim query, then (article id, None) of every article query."""
    with Session(engine) as session:
        claims = [
            [(int(h.claim.id or 0), h.rank) for h in search_claims(session, query)]
            for query in QUERIES
        ]
        articles: list[list[tuple[int, float | None]]] = [
            [(int(row["id"]), None) for row in search_articles(session, query)]
            for query in ARTICLE_QUERIES
        ]
    return claims + articles


def _as_expressions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Query the tsvector expressions, as the builders did before 0016."""
    monkeypatch.setattr(claims_search, "CLAIM_VECTOR", claims_search.CLAIM_TSVECTOR)
    monkeypatch.setattr(queries, "ARTICLE_VECTOR", queries.ARTICLE_TSVECTOR)


def _pg_objects(engine: Engine) -> tuple[set[str], set[str]]:
    """The claim and article tables' column and index names ("table.name")."""
    found = inspect(engine)
    columns, indexes = set(), set()
    for table in ("claim", "article"):
        columns |= {f"{table}.{c['name']}" for c in found.get_columns(table)}
        indexes |= {f"{table}.{i['name']}" for i in found.get_indexes(table)}
    return columns, indexes


@pytest.mark.postgres
def test_stored_vector_keeps_every_result_and_downgrades(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(pg_url)
    migrate(engine, BEFORE)
    _write(engine, OLD, 1)
    _as_expressions(monkeypatch)
    at_0015 = _results(engine)  # the expression, as queries ran before 0016
    monkeypatch.undo()
    assert [len(r) for r in at_0015] == [3, 1, 1, 1, 1, 2, 2, 3, 3, 0, 1, 1, 1, 0, 0]

    migrate(engine)
    columns, indexes = _pg_objects(engine)
    for table in ("claim", "article"):
        assert f"{table}.search_vector" in columns
        assert f"{table}.ix_{table}_search_vector" in indexes
        assert f"{table}.ix_{table}_fts" not in indexes
        with engine.connect() as conn:  # filled for the rows stored before the upgrade
            empty = f"SELECT count(*) FROM {table} WHERE coalesce(length(search_vector), 0) = 0"
            assert conn.execute(text(empty)).scalar() == 0
    assert _results(engine) == at_0015  # same matches, ranks and order

    _write(engine, NEW, 2)  # written after the upgrade
    after = _results(engine)
    _as_expressions(monkeypatch)
    assert _results(engine) == after  # the column is the expression, row for row
    monkeypatch.undo()
    with Session(engine) as session:
        newest = search_claims(session, ClaimQuery(text="bitcoin", sort="newest"))
        assert [h.claim.text for h in newest[:2]] == [NEW[0][0], NEW[1][0]]  # newest article
        assert [h.claim.text for h in search_claims(session, ClaimQuery(text="farside"))] == [
            NEW[0][0]
        ]
        fresh = search_articles(session, ArticleQuery(text="million"))
        assert [row["url"] for row in fresh] == ["https://x.test/2"]
    with engine.begin() as conn:  # an update recomputes the vector
        conn.execute(text("UPDATE article SET title = 'Glassnode weekly' WHERE id = 1"))
        assert (
            conn.execute(
                text("SELECT id FROM article WHERE search_vector @@ to_tsquery('glassnode')")
            ).scalar_one()
            == 1
        )
        conn.execute(text("UPDATE claim SET attributed_to = 'Glassnode' WHERE subject = 'Solana'"))
        assert (
            conn.execute(
                text("SELECT count(*) FROM claim WHERE search_vector @@ to_tsquery('glassnode')")
            ).scalar()
            == 1
        )

    command.downgrade(alembic_config(pg_url), BEFORE)
    columns, indexes = _pg_objects(engine)
    assert not any("search_vector" in name for name in columns | indexes)
    assert {"claim.ix_claim_fts", "article.ix_article_fts"} <= indexes
    _as_expressions(monkeypatch)
    assert _results(engine) == after
    monkeypatch.undo()
    migrate(engine)  # and up again
    assert _results(engine) == after
    engine.dispose()


def test_sqlite_is_untouched(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    migrate(engine, BEFORE)
    before = _pg_objects(engine)
    migrate(engine, AFTER)
    assert _pg_objects(engine) == before
    _write(engine, OLD, 1)
    with Session(engine) as session:
        assert len(search_claims(session, ClaimQuery(text="bitcoin"))) == 3
    command.downgrade(alembic_config(url), BEFORE)
    assert _pg_objects(engine) == before
    engine.dispose()
