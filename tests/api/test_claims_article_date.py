"""Claims carry their article's published_at (migration 0014_claims_article_date): filled on
upgrade, kept in step by `process`, by reprocessing and by an article's new date, dropped on
downgrade; free text ranks a bounded set of the newest matches; on SQLite and PostgreSQL."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, col, select

from api.services import claims_search
from api.services.claims_search import ClaimQuery, search_claims
from api.services.processing import process_articles
from models.articles import Article
from models.claims import Claim
from models.db import alembic_config, make_engine, migrate, session_scope
from nlp.pipeline import Analyzer

BEFORE = "0013_uncurated_entities"
DAY_1 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
DAY_2 = datetime(2025, 4, 2, 18, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def bare_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def _naive(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC, PostgreSQL aware: compare both as naive UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _dates(engine: Engine) -> dict[int, datetime | None]:
    with Session(engine) as session:
        rows = session.exec(select(Claim.id, Claim.article_published_at)).all()
    return {int(claim_id): _naive(day) for claim_id, day in rows if claim_id is not None}


def _raw_claim(engine: Engine, article_id: int, words: str) -> None:
    """A claim written in SQL, without the date (as a writer that knows nothing of it would)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO claim (article_id, start, "end", text, sentence_text) '
                "VALUES (:a, 0, 5, :t, :s)"
            ),
            {"a": article_id, "t": words, "s": words},
        )


def test_migration_fills_keeps_and_drops_the_date(bare_url: str) -> None:
    from alembic import command

    engine = make_engine(bare_url)
    migrate(engine, BEFORE)
    with session_scope(engine) as session:
        dated = Article(url="https://x.test/a", content_hash="a", published_at=DAY_1)
        undated = Article(url="https://x.test/b", content_hash="b")
        session.add_all([dated, undated])
        session.flush()
        ids = (int(dated.id or 0), int(undated.id or 0))
    _raw_claim(engine, ids[0], "Bitcoin rose 5%")
    _raw_claim(engine, ids[1], "Ether fell 2%")
    migrate(engine)  # 0014 fills the existing claims
    assert sorted(_dates(engine).values(), key=str) == [DAY_1.replace(tzinfo=None), None]

    _raw_claim(engine, ids[0], "Solana gained 3%")  # a new claim takes its article's date
    with session_scope(engine) as session:  # an article's new date reaches its claims
        article = session.get(Article, ids[1])
        assert article is not None
        article.published_at = DAY_2
        session.add(article)
    with Session(engine) as session:
        by_article = {int(c.id or 0): c.article_id for c in session.exec(select(Claim)).all()}
    dates = _dates(engine)
    expected = {ids[0]: DAY_1.replace(tzinfo=None), ids[1]: DAY_2.replace(tzinfo=None)}
    assert dates == {cid: expected[aid] for cid, aid in by_article.items()}
    # the claim's own text is still found (SQLite: claim_fts kept in step)
    with Session(engine) as session:
        assert [h.claim.text for h in search_claims(session, ClaimQuery(text="solana"))] == [
            "Solana gained 3%"
        ]

    command.downgrade(alembic_config(bare_url), BEFORE)
    columns = {c["name"] for c in inspect(engine).get_columns("claim")}
    assert "article_published_at" not in columns and "sentence_text" in columns
    _raw_claim(engine, ids[0], "Dogecoin doubled")  # no trigger left behind
    migrate(engine)
    assert len(_dates(engine)) == 4 and None not in _dates(engine).values()
    engine.dispose()


TEXTS = {
    "https://x.test/1": "Bitcoin fell 5% to $60,000 on Monday. Ether rose 3%.",
    "https://x.test/2": "Solana gained 12% this week, while Bitcoin dropped 2%.",
}


def test_process_and_reprocess_write_the_date(engine: Engine, analyzer: Analyzer) -> None:
    with session_scope(engine) as session:
        for i, (url, body) in enumerate(TEXTS.items()):
            session.add(Article(url=url, text=body, content_hash=f"h{i}", published_at=DAY_1))
    assert process_articles(engine, analyzer=analyzer).done == 2
    first = _dates(engine)
    assert first and set(first.values()) == {DAY_1.replace(tzinfo=None)}
    # a new date and stale model versions: reprocessing rewrites the claims with the new date
    with session_scope(engine) as session:
        for article in session.exec(select(Article)).all():
            article.model_versions = {"sentiment": "an older model"}
            session.add(article)
        session.execute(text("UPDATE article SET published_at = :d"), {"d": DAY_2})
    assert process_articles(engine, analyzer=analyzer, reprocess_stale=True).done == 2
    again = _dates(engine)
    assert again and set(again.values()) == {DAY_2.replace(tzinfo=None)}
    with Session(engine) as session:
        hits = search_claims(session, ClaimQuery(since=date(2025, 4, 2), until=date(2025, 4, 2)))
        assert {h.claim.id for h in hits} == set(again)
        assert search_claims(session, ClaimQuery(until=date(2025, 3, 31))) == []


@pytest.fixture
def many(engine: Engine) -> Iterator[Engine]:
    """Six claims mentioning bitcoin (ids ascending with their article's date), the word
    repeated more in the older ones, and one about ether."""
    with session_scope(engine) as session:
        for i in range(7):
            article = Article(url=f"https://x.test/{i}", content_hash=f"m{i}",
                              published_at=datetime(2025, 1, 1 + i, tzinfo=UTC))  # fmt: skip
            session.add(article)
            session.flush()
            words = "ether rose" if i == 6 else "bitcoin " * (6 - i) + "moved"
            session.add(Claim(article_id=int(article.id or 0), start=0, end=5, text=words,
                              sentence_text=words, subject="market",
                              article_published_at=article.published_at))  # fmt: skip
    yield engine


def test_free_text_ranks_the_newest_matches_only(
    many: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(many) as session:
        claims = session.exec(select(Claim).order_by(col(Claim.id))).all()
        bitcoin = [int(c.id or 0) for c in claims if "bitcoin" in c.text]
        every = search_claims(session, ClaimQuery(text="bitcoin"))
        # within the cap: every match, best first (the most repeated word ranks first)
        assert [h.claim.id for h in every] == bitcoin
        assert all(h.rank is not None for h in every)
        monkeypatch.setattr(claims_search, "RANKED_MATCHES", 3)
        capped = search_claims(session, ClaimQuery(text="bitcoin"))
        assert [h.claim.id for h in capped] == bitcoin[-3:]  # the newest 3, ranked
        # filters apply before the cap: the newest 3 matches on or before January 4
        early = search_claims(session, ClaimQuery(text="bitcoin", until=date(2025, 1, 4)))
        assert [h.claim.id for h in early] == bitcoin[1:4]
        # sort=newest walks every match
        newest = search_claims(session, ClaimQuery(text="bitcoin", sort="newest"))
        assert [h.claim.id for h in newest] == bitcoin[::-1]
        assert search_claims(session, ClaimQuery(text="dogecoin")) == []
