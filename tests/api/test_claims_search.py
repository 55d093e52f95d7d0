"""Claim search on a real SQLite (FTS5) and a real PostgreSQL (tsvector + GIN) store."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from api.services.claims_search import ClaimQuery, fts5_query, search_claims
from models.articles import Article
from models.claims import Claim
from models.db import init_engine, session_scope

ARTICLES = [
    ("https://example.com/etf-week", "ETF week", datetime(2025, 11, 5, 8, tzinfo=UTC)),
    ("https://example.com/october", "October wrap", datetime(2025, 10, 2, 8, tzinfo=UTC)),
]
# article, text, value, unit, metric, subject, subject_id, direction, type, start, end, by,
# sentence
CLAIMS = [
    (
        0,
        "$802 million",
        802e6,
        "USD",
        "net_flow",
        "US spot bitcoin ETFs",
        "etf:us-spot-btc",
        "down",
        "observation",
        date(2025, 10, 27),
        date(2025, 10, 31),
        None,
        "Last week, US-listed bitcoin ETFs had a net outflow of $802 million.",
    ),
    (
        0,
        "$149 million",
        149e6,
        "USD",
        "outflow",
        "iShares Bitcoin Trust",
        "etf:ibit",
        "down",
        "observation",
        date(2025, 10, 31),
        date(2025, 10, 31),
        None,
        "On October 31 it saw a single-day outflow of $149 million, an industry record.",
    ),
    (
        0,
        "$84,000",
        84000.0,
        "USD",
        "price_target",
        "Bitcoin",
        "crypto:btc",
        "down",
        "forecast",
        None,
        None,
        "Banmuxia",
        "Bitcoin will gradually fall to $84,000, Banmuxia said.",
    ),
    (
        0,
        "22 basis points",
        22.0,
        "BASIS_POINTS",
        "rate_change",
        "SOFR",
        None,
        "up",
        "observation",
        date(2025, 10, 31),
        date(2025, 10, 31),
        "Bloomberg",
        "According to Bloomberg, SOFR surged by 22 basis points on October 31.",
    ),
    (
        1,
        "$1.2 billion",
        1.2e9,
        "USD",
        "inflow",
        "US spot bitcoin ETFs",
        "etf:us-spot-btc",
        "up",
        "observation",
        date(2025, 9, 22),
        date(2025, 9, 26),
        "Farside",
        "Spot bitcoin ETFs took in $1.2 billion of inflows last week, Farside data shows.",
    ),
]


def _fill(engine: Engine) -> None:
    """Two articles and their claims, written through the models."""
    with session_scope(engine) as session:
        ids = []
        for url, title, published in ARTICLES:
            article = Article(url=url, title=title, published_at=published, content_hash=url)
            session.add(article)
            session.flush()
            ids.append(article.id)
        for row in CLAIMS:
            art, txt, value, unit, metric, subj, sid, dirn, kind, t0, t1, by, sentence = row
            session.add(
                Claim(
                    article_id=ids[art],
                    start=0,
                    end=len(txt),
                    text=txt,
                    value=value,
                    unit=unit,
                    metric=metric,
                    subject=subj,
                    subject_id=sid,
                    direction=dirn,
                    claim_type=kind,
                    time_start=t0,
                    time_end=t1,
                    attributed_to=by,
                    sentence_text=sentence,
                    sentence_index=0,
                )
            )


@pytest.fixture
def filled(engine: Engine) -> Engine:
    """The store (SQLite, then PostgreSQL) with the claims above."""
    _fill(engine)
    return engine


def _texts(engine: Engine, query: ClaimQuery) -> list[str]:
    with Session(engine) as session:
        return [hit.claim.text for hit in search_claims(session, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            ClaimQuery(),
            ["$802 million", "$149 million", "$84,000", "22 basis points", "$1.2 billion"],
        ),
        (ClaimQuery(entity="etf:us-spot-btc"), ["$802 million", "$1.2 billion"]),
        (ClaimQuery(entity="bitcoin"), ["$84,000"]),
        (ClaimQuery(metric="price_target"), ["$84,000"]),
        (ClaimQuery(metric="outflow"), ["$802 million", "$149 million"]),
        (ClaimQuery(metric="inflow"), ["$1.2 billion"]),
        (ClaimQuery(unit="basis_points"), ["22 basis points"]),
        (ClaimQuery(value_min=5e8), ["$802 million", "$1.2 billion"]),
        (ClaimQuery(value_min=1e5, value_max=5e8), ["$149 million"]),
        (ClaimQuery(claim_type="forecast"), ["$84,000"]),
        (ClaimQuery(direction="up"), ["22 basis points", "$1.2 billion"]),
        (ClaimQuery(attributed_to="bloom"), ["22 basis points"]),
        (
            ClaimQuery(since=date(2025, 11, 1)),
            ["$802 million", "$149 million", "$84,000", "22 basis points"],
        ),
        (ClaimQuery(until=date(2025, 10, 2)), ["$1.2 billion"]),
        (
            ClaimQuery(period_since=date(2025, 10, 31), period_until=date(2025, 11, 30)),
            ["$802 million", "$149 million", "22 basis points"],
        ),
        (ClaimQuery(limit=2, offset=1), ["$149 million", "$84,000"]),
    ],
)
def test_structured_filters(filled: Engine, query: ClaimQuery, expected: list[str]) -> None:
    assert _texts(filled, query) == expected


def test_outflow_over_500m_in_november(filled: Engine) -> None:
    query = ClaimQuery(
        text="ETF outflow",
        metric="outflow",
        value_min=5e8,
        since=date(2025, 11, 1),
        until=date(2025, 11, 30),
    )
    assert _texts(filled, query) == ["$802 million"]


@pytest.mark.parametrize(
    ("text_query", "expected"),
    [
        ("outflows", ["$802 million", "$149 million"]),  # stemmed: outflow / outflows
        ('"industry record"', ["$149 million"]),  # a phrase
        ('"record industry"', []),  # word order matters in a phrase
        ("Bloomberg", ["22 basis points"]),  # the source column is indexed
        ("Banmuxia bitcoin", ["$84,000"]),  # all words must match
        ("price_target", ["$84,000"]),  # the metric column is indexed
        ('"unbalanced', []),  # bad syntax never raises
    ],
)
def test_full_text(filled: Engine, text_query: str, expected: list[str]) -> None:
    assert sorted(_texts(filled, ClaimQuery(text=text_query))) == sorted(expected)


def test_full_text_ranks_better_matches_first(filled: Engine) -> None:
    with Session(filled) as session:
        hits = search_claims(session, ClaimQuery(text="bitcoin ETFs"))
    assert [h.claim.text for h in hits][:1] in (["$802 million"], ["$1.2 billion"])
    assert all(h.rank is not None for h in hits)
    assert [h.rank for h in hits] == sorted(h.rank for h in hits if h.rank is not None)


def test_fts_index_follows_updates_and_deletes(filled: Engine) -> None:
    with session_scope(filled) as session:
        claim = session.get(Claim, 1)
        assert claim is not None
        claim.sentence_text = "A sentence about liquidations."
        session.add(claim)
    assert _texts(filled, ClaimQuery(text="liquidations")) == ["$802 million"]
    assert _texts(filled, ClaimQuery(text="US-listed")) == []
    with session_scope(filled) as session:
        session.delete(session.get(Claim, 1))
    assert _texts(filled, ClaimQuery(text="liquidations")) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ETF outflow", '"ETF" "outflow"'),
        ('"net outflow" ETF', '"net outflow" "ETF"'),
        ("NEAR* OR (x)", '"NEAR" "OR" "x"'),
        ('"', ""),
    ],
)
def test_fts5_query(raw: str, expected: str) -> None:
    assert fts5_query(raw) == expected


def test_cli_search_json_and_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import app
    from api.context import get_engine
    from models.settings import get_database_settings

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    _fill(init_engine(url))
    monkeypatch.setenv("TIDINGS_DATABASE_URL", url)
    get_database_settings.cache_clear()
    get_engine.cache_clear()
    runner = CliRunner()
    try:
        result = runner.invoke(
            app,
            [
                "claims",
                "search",
                "ETF outflow",
                "--metric",
                "outflow",
                "--min",
                "5e8",
                "--since",
                "2025-11-01",
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)
        assert [(r["text"], r["value"], r["title"]) for r in rows] == [
            ("$802 million", 802e6, "ETF week")
        ]
        table = runner.invoke(
            app, ["claims", "search", "--type", "forecast"], env={"COLUMNS": "400"}
        )
        assert table.exit_code == 0 and "$84,000" in table.output and "Banmuxia" in table.output
        bad = runner.invoke(app, ["claims", "search", "--since", "November"])
        assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
    finally:
        get_database_settings.cache_clear()
        get_engine.cache_clear()
