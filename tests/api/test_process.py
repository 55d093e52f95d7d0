"""`tidings process` on a real SQLite file and (when it answers) PostgreSQL."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from api.services.processing import build_analyzer, process_articles
from models.analysis import Entity, Mention, Sentence
from models.articles import Article
from models.db import session_scope
from nlp.pipeline import Analyzer
from nlp.settings import NlpSettings

TEXTS = [
    "Bitcoin fell 5% on Monday. CoinShares reported outflows.",
    "Ether rose.\nSolana (SOL) gained 3%.",
    "The Federal Reserve held rates. BlackRock said IBIT saw inflows.",
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    # A small size limit makes the long article a real, recorded failure.
    return Analyzer(NlpSettings(nlp_max_text_chars=2_000, nlp_batch_size=2))


def _add_articles(engine: Engine) -> list[int]:
    """Three articles, one too long to analyze, one duplicate; returns their ids in order."""
    with session_scope(engine) as session:
        rows = [
            Article(url=f"https://example.test/{i}", text=t, content_hash=f"h{i}",
                    published_at=datetime(2025, 11, 5, tzinfo=UTC))
            for i, t in enumerate([*TEXTS, "Bitcoin " * 400])
        ]  # fmt: skip
        session.add_all(rows)
        session.flush()
        dup = Article(url="https://example.test/dup", text=TEXTS[0], content_hash="h0",
                      duplicate_of=rows[0].id)  # fmt: skip
        session.add(dup)
        session.flush()
        return [int(r.id) for r in [*rows, dup] if r.id is not None]


def _counts(engine: Engine) -> tuple[int, int, dict[int, str]]:
    with Session(engine) as session:
        sentences = session.exec(select(func.count()).select_from(Sentence)).one()
        mentions = session.exec(select(func.count()).select_from(Mention)).one()
        status = {int(a.id): a.status for a in session.exec(select(Article)).all() if a.id}
    return int(sentences), int(mentions), status


def test_process_stores_rows_and_records_failures(engine: Engine, analyzer: Analyzer) -> None:
    ids = _add_articles(engine)
    stats = process_articles(engine, analyzer=analyzer)
    assert (stats.done, stats.failed) == (3, 1)
    assert stats.errors[0][0] == ids[3] and "3,200 characters" in stats.errors[0][1]
    sentences, mentions, status = _counts(engine)
    assert sentences == 6
    assert status == {
        ids[0]: "done",
        ids[1]: "done",
        ids[2]: "done",
        ids[3]: "failed",
        ids[4]: "new",
    }
    with Session(engine) as session:
        first = session.exec(select(Mention).where(col(Mention.article_id) == ids[0])).all()
        assert [(m.text, m.entity_id, m.sentence_index) for m in first][:1] == [
            ("Bitcoin", "crypto:btc", 0)
        ]
        btc = session.get(Entity, "crypto:btc")
        assert btc is not None and (btc.name, btc.type, btc.user_defined) == (
            "Bitcoin",
            "CRYPTO_ASSET",
            False,
        )
        article = session.get(Article, ids[0])
        assert article is not None and article.model_versions == analyzer.model_versions
        failed = session.get(Article, ids[3])
        assert (
            failed is not None
            and failed.error is not None
            and "TIDINGS_NLP_MAX_TEXT_CHARS" in failed.error
        )
    # idempotent: nothing pending, nothing duplicated
    again = process_articles(engine, analyzer=analyzer)
    assert (again.done, again.failed) == (0, 0)
    assert _counts(engine)[:2] == (sentences, mentions)


def test_process_resumes_after_a_crash(engine: Engine, analyzer: Analyzer) -> None:
    ids = _add_articles(engine)

    def crash(done: int, total: int) -> None:
        raise KeyboardInterrupt  # the process dies after its first batch

    with pytest.raises(KeyboardInterrupt):
        process_articles(engine, analyzer=analyzer, batch_size=1, progress=crash)
    assert _counts(engine)[2][ids[0]] == "done"
    assert _counts(engine)[2][ids[1]] == "new"
    stats = process_articles(engine, analyzer=analyzer)
    assert (stats.done, stats.failed) == (2, 1)
    assert _counts(engine)[0] == 6


def test_reprocess_stale_redoes_old_versions_only(engine: Engine, analyzer: Analyzer) -> None:
    ids = _add_articles(engine)
    process_articles(engine, analyzer=analyzer)
    before = _counts(engine)
    with session_scope(engine) as session:
        article = session.get(Article, ids[1])
        assert article is not None
        article.model_versions = {"spacy": "en_core_web_sm-3.0.0"}
        session.add(article)
    assert process_articles(engine, analyzer=analyzer).done == 0
    stats = process_articles(engine, analyzer=analyzer, reprocess_stale=True)
    assert (stats.done, stats.failed) == (1, 0)
    assert _counts(engine) == before


def test_user_entities_from_the_database_are_linked(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(Entity(id="crypto:zzt", name="Zeta Test Coin", type="CRYPTO_ASSET",
                           aliases=["Zeta Test"], symbol="ZZT", user_defined=True))  # fmt: skip
        session.add(
            Article(
                url="https://example.test/z", text="Zeta Test jumped; ZZT rose.", content_hash="z"
            )
        )
    stats = process_articles(engine, analyzer=build_analyzer(engine))
    assert stats.done == 1
    with Session(engine) as session:
        mentions = session.exec(select(Mention).order_by(col(Mention.start))).all()
        assert [(m.text, m.entity_id) for m in mentions] == [
            ("Zeta Test", "crypto:zzt"),
            ("ZZT", "crypto:zzt"),
        ]
        row = session.get(Entity, "crypto:zzt")
        assert row is not None and row.user_defined and row.name == "Zeta Test Coin"


def test_retry_failed_redoes_only_failed_articles(engine: Engine, analyzer: Analyzer) -> None:
    ids = _add_articles(engine)
    process_articles(engine, analyzer=analyzer)
    with session_scope(engine) as session:
        failed = session.get(Article, ids[3])
        assert failed is not None
        failed.text = "Bitcoin rose 2% to $104,000 on Tuesday."
    plain = process_articles(engine, analyzer=analyzer)
    assert (plain.done, plain.failed) == (0, 0)
    retried = process_articles(engine, analyzer=analyzer, retry_failed=True)
    assert (retried.done, retried.failed) == (1, 0)
    assert _counts(engine)[2][ids[3]] == "done"
