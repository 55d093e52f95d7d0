"""Sentiment series from a real store (SQLite and PostgreSQL): aggregates, point in time,
duplicates, model versions, narratives and sources."""

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from api.services.series import SentimentSeries, SeriesError, SeriesQuery, sentiment_series
from models.analysis import EntitySentiment, Sentence
from models.articles import Article, PublishedFrom, TextSource
from models.db import init_engine
from models.narratives import NarrativeAssignment
from models.sources import Source, SourceKind

V1 = {"sentiment": "minilm-fin-4", "entities": "kb-1"}
_ids = count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated store on SQLite, then on PostgreSQL (skipped when none answers)."""
    if request.param == "sqlite":
        eng = init_engine(f"sqlite:///{tmp_path / 'series.db'}")
    else:
        eng = request.getfixturevalue("pg_engine")
    yield eng
    eng.dispose()


def add_article(
    session: Session,
    *,
    score: float,
    known: datetime,
    archived: bool = True,
    published: datetime | None = None,
    entities: dict[str, tuple[float, float, int]] | None = None,
    source_id: int | None = None,
    duplicate_of: int | None = None,
    versions: dict[str, str] | None = None,
    confidence: float = 0.8,
) -> Article:
    """A processed article known at `known`: archived (published then) or crawled live (first
    seen then, with an earlier feed date `published`)."""
    n = next(_ids)
    article = Article(
        url=f"https://example.com/{n}",
        content_hash=f"h{n}",
        title=f"a{n}",
        text="x",
        source_id=source_id,
        status="done",
        duplicate_of=duplicate_of,
        model_versions=versions or V1,
        sentiment_score=score,
        sentiment_confidence=confidence,
        sentiment_label="neutral",
        text_source=TextSource.FILE if archived else TextSource.PAGE,
        published_from=PublishedFrom.RECORD if archived else PublishedFrom.FEED,
        published_at=known if archived else published,
        first_seen_at=datetime(2026, 12, 1, tzinfo=UTC) if archived else known,
    )
    session.add(article)
    session.flush()
    assert article.id is not None
    for entity_id, (es_score, es_conf, mentions) in (entities or {}).items():
        session.add(
            EntitySentiment(
                article_id=article.id,
                entity_id=entity_id,
                name=entity_id,
                score=es_score,
                confidence=es_conf,
                n=mentions,
            )
        )
    session.commit()
    return article


def day(d: int, hour: int = 12) -> datetime:
    return datetime(2024, 3, d, hour, tzinfo=UTC)


def btc(session: Session, **query: Any) -> SentimentSeries:
    return sentiment_series(session, SeriesQuery(entity="crypto:btc", **query))


def test_entity_series_aggregates(engine: Engine) -> None:
    with Session(engine) as s:
        add_article(s, score=0.1, known=day(1), entities={"crypto:btc": (0.5, 1.0, 3)})
        add_article(s, score=0.0, known=day(1, 23), entities={"crypto:btc": (-0.3, 0.5, 1)})
        add_article(s, score=0.2, known=day(1, 0), entities={"crypto:btc": (0.05, 0.5, 2)})
        add_article(s, score=0.9, known=day(1), entities={"crypto:eth": (0.9, 1.0, 1)})
        add_article(s, score=-0.4, known=day(3), entities={"crypto:btc": (-0.4, 1.0, 1)})
        series = btc(s)
    assert [t.day for t in series.times] == [1, 2, 3]
    assert series.articles.tolist() == [3, 0, 1]
    assert series.mentions[0] == 6 and np.isnan(series.mentions[1])
    scores = np.array([0.5, -0.3, 0.05])
    assert series.mean[0] == pytest.approx(scores.mean())
    assert series.weighted[0] == pytest.approx((0.5 - 0.15 + 0.025) / 2.0)
    assert series.bullish_share[0] == pytest.approx(1 / 3)
    assert series.bearish_share[0] == pytest.approx(1 / 3)
    assert series.dispersion[0] == pytest.approx(scores.std())
    assert series.share_of_voice[0] == pytest.approx(3 / 4)
    assert series.share_of_voice[2] == pytest.approx(1.0)
    assert np.isnan(series.share_of_voice[1])  # no articles at all that day
    assert np.isnan(series.mean[1]) and series.mean[2] == pytest.approx(-0.4)
    assert series.model_versions == [{"versions": V1, "articles": 4}]
    assert not series.mixed_versions
    assert series.rows()[1]["mean"] is None and series.rows()[0]["articles"] == 3


def test_hourly_buckets_and_explicit_range(engine: Engine) -> None:
    with Session(engine) as s:
        add_article(s, score=0.1, known=day(1, 9), entities={"crypto:btc": (0.4, 1.0, 1)})
        add_article(s, score=0.1, known=day(1, 11), entities={"crypto:btc": (-0.4, 1.0, 1)})
        hourly = btc(s, bucket="1h")
        ranged = btc(s, start=datetime(2024, 2, 28), end=datetime(2024, 3, 2))
    assert [t.hour for t in hourly.times] == [9, 10, 11]
    assert hourly.mean.tolist()[0] == pytest.approx(0.4) and hourly.articles[1] == 0
    assert [t.isoformat() for t in ranged.times] == [
        "2024-02-28T00:00:00",
        "2024-02-29T00:00:00",
        "2024-03-01T00:00:00",
        "2024-03-02T00:00:00",
    ]
    assert ranged.articles.tolist() == [0, 0, 2, 0]


def test_an_article_first_seen_later_never_moves_an_earlier_bucket(engine: Engine) -> None:
    """Look-ahead: a live article whose feed claims day 1 but which we first saw on day 3
    counts on day 3; the day-1 and day-2 buckets are exactly what they were before it came."""
    with Session(engine) as s:
        add_article(s, score=0.1, known=day(1), entities={"crypto:btc": (0.2, 1.0, 1)})
        add_article(s, score=0.1, known=day(2), entities={"crypto:btc": (0.3, 1.0, 1)})
        add_article(s, score=0.1, known=day(3), entities={"crypto:btc": (0.1, 1.0, 1)})
        before = btc(s)
        add_article(
            s,
            score=-0.9,
            known=day(3, 18),
            archived=False,
            published=day(1, 6),
            entities={"crypto:btc": (-0.9, 1.0, 1)},
        )
        after = btc(s)
    for name in ("articles", "mean", "weighted", "bullish_share", "share_of_voice"):
        assert getattr(after, name)[:2].tolist() == getattr(before, name)[:2].tolist()
    assert after.articles[2] == 2 and after.mean[2] == pytest.approx(-0.4)
    assert after.zscore[:2].tolist() == pytest.approx(before.zscore[:2].tolist(), nan_ok=True)


def test_archived_articles_count_when_published(engine: Engine) -> None:
    with Session(engine) as s:
        add_article(s, score=0.1, known=day(5), entities={"crypto:btc": (0.2, 1.0, 1)})
        series = btc(s)
    assert [t.day for t in series.times] == [5]  # not 2026-12-01, when it was imported


def test_duplicates_count_once(engine: Engine) -> None:
    with Session(engine) as s:
        original = add_article(s, score=0.5, known=day(1), entities={"crypto:btc": (0.5, 1, 1)})
        add_article(
            s,
            score=0.5,
            known=day(2),
            duplicate_of=original.id,
            entities={"crypto:btc": (-0.5, 1.0, 1)},
        )
        series = btc(s)
        everything = sentiment_series(s, SeriesQuery())
    assert series.articles.tolist() == [1]
    assert everything.articles.tolist() == [1]


def test_series_says_which_model_versions_it_holds(engine: Engine) -> None:
    v2 = {"sentiment": "minilm-fin-5", "entities": "kb-1"}
    with Session(engine) as s:
        for d in (1, 2):
            add_article(s, score=0.1, known=day(d), entities={"crypto:btc": (0.2, 1.0, 1)})
        add_article(s, score=0.1, known=day(3), entities={"crypto:btc": (0.2, 1, 1)}, versions=v2)
        series = btc(s)
    assert series.mixed_versions
    assert series.model_versions == [
        {"versions": V1, "articles": 2},
        {"versions": v2, "articles": 1},
    ]


def test_source_and_all_series_use_document_sentiment(engine: Engine) -> None:
    with Session(engine) as s:
        src = Source(name="CoinTelegraph", url="import:CoinTelegraph", kind=SourceKind.FILE)
        s.add(src)
        s.commit()
        add_article(s, score=0.6, known=day(1), source_id=src.id, confidence=1.0)
        add_article(s, score=-0.2, known=day(1), confidence=0.5)
        by_name = sentiment_series(s, SeriesQuery(source="cointelegraph"))
        by_id = sentiment_series(s, SeriesQuery(source=str(src.id)))
        everything = sentiment_series(s, SeriesQuery())
        with pytest.raises(SeriesError, match="no source 'nope'"):
            sentiment_series(s, SeriesQuery(source="nope"))
    assert by_name.mean.tolist() == [0.6] == by_id.mean.tolist()
    assert by_name.share_of_voice.tolist() == [0.5]
    assert everything.mean[0] == pytest.approx(0.2)
    assert everything.weighted[0] == pytest.approx((0.6 - 0.1) / 1.5)
    assert np.isnan(everything.mentions[0])


def test_narrative_series_reads_assigned_sentences(engine: Engine) -> None:
    with Session(engine) as s:
        a = add_article(s, score=0.1, known=day(1))
        b = add_article(s, score=0.1, known=day(1))
        add_article(s, score=0.1, known=day(1))
        add_article(s, score=0.1, known=day(2))  # a day without the narrative
        assert a.id is not None and b.id is not None
        for article_id, index, score, fit in ((a.id, 0, 0.8, 1.0), (a.id, 1, -0.2, 0.5)):
            s.add(
                Sentence(article_id=article_id, index=index, start=0, end=1, text="s", score=score)
            )
            s.add(
                NarrativeAssignment(
                    article_id=article_id,
                    sentence_index=index,
                    narrative_id="etf-flows",
                    score=fit,
                    model_version="n1",
                )
            )
        s.add(Sentence(article_id=b.id, index=0, start=0, end=1, text="s", score=0.5))
        s.add(
            NarrativeAssignment(
                article_id=b.id,
                sentence_index=0,
                narrative_id="hacks",
                score=1.0,
                model_version="n1",
            )
        )
        s.commit()
        series = sentiment_series(s, SeriesQuery(narrative="etf-flows"))
        longer = sentiment_series(s, SeriesQuery(narrative="etf-flows", end=datetime(2024, 3, 2)))
    assert series.times == [datetime(2024, 3, 1)]  # the grid spans the narrative's buckets
    assert series.articles.tolist() == [1] and series.mentions.tolist() == [2]
    assert series.mean[0] == pytest.approx(0.3)
    assert series.weighted[0] == pytest.approx((0.8 - 0.1) / 1.5)
    assert series.share_of_voice[0] == pytest.approx(1 / 3)
    assert longer.share_of_voice[1] == 0.0 and longer.articles[1] == 0  # talked of nowhere


def test_bad_requests_are_refused(engine: Engine) -> None:
    with Session(engine) as s:
        with pytest.raises(SeriesError, match="at most one"):
            sentiment_series(s, SeriesQuery(entity="crypto:btc", source="x"))
        with pytest.raises(SeriesError, match="unknown bucket"):
            sentiment_series(s, SeriesQuery(bucket="5m"))
        assert sentiment_series(s, SeriesQuery(entity="crypto:none")).times == []
