"""GET /sentiment/series and the sentiment and claims exports through a real uvicorn server, on
SQLite and PostgreSQL, checked against the series and claim-search services."""

import csv
import io
import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import numpy as np
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from api.http.settings import ApiSettings
from api.services.claims_search import ClaimQuery, search_claims
from api.services.sentiment_export import bucket_row
from api.services.series import SeriesQuery, sentiment_series
from tests.conftest import served

V1 = "/api/v1"
NUMBERS = ("mentions", "mean", "weighted", "bullish_share", "bearish_share", "neutral_share",
           "dispersion", "zscore", "share_of_voice")  # fmt: skip


@pytest.fixture(scope="module")
def http(store: Engine) -> Iterator[httpx.Client]:
    settings = ApiSettings(api_rate_limit_per_minute=1_000_000)
    with served(store, settings) as base, httpx.Client(base_url=base + V1, timeout=60) as client:
        yield client


def _service(store: Engine, **query: Any) -> Any:
    with Session(store) as session:
        return sentiment_series(session, SeriesQuery(**query))


def _close(got: Any, want: Any) -> bool:
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return got is None or got == ""
    return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-9)


def test_series_is_the_service_output(http: httpx.Client, store: Engine) -> None:
    response = http.get("/sentiment/series", params={"entity": "crypto:btc", "bucket": "1d"})
    assert response.status_code == 200, response.text
    body = response.json()
    series = _service(store, entity="crypto:btc", bucket="1d")
    assert body["scope"] == "entity:crypto:btc" and body["bucket"] == "1d"
    assert len(body["items"]) == len(series.times) > 1
    assert sum(p["articles"] for p in body["items"]) == series.articles.sum() > 0
    for i, point in enumerate(body["items"]):
        want = bucket_row(series, i)
        assert datetime.fromisoformat(point["bucket_start"]) == want["bucket_start"]
        assert point["as_of"] == point["bucket_end"] > point["bucket_start"]
        assert all(_close(point[name], want[name]) for name in NUMBERS), (point, want)
    assert body["model_versions"] and body["model_versions"][0]["versions"]["sentiment"]
    first = next(p for p in body["items"] if p["articles"])
    assert first["sentiment_model"] == body["model_versions"][0]["versions"]["sentiment"]


def test_series_range_and_hourly_buckets(http: httpx.Client, store: Engine) -> None:
    params = {"bucket": "1h", "since": "2025-11-18", "until": "2025-11-21T23:00:00Z"}
    body = http.get("/sentiment/series", params=params).json()
    assert len(body["items"]) == 4 * 24
    assert body["items"][0]["bucket_start"].startswith("2025-11-18T00:00:00")
    series = _service(store, bucket="1h", start=datetime(2025, 11, 18),
                      end=datetime(2025, 11, 21, 23))  # fmt: skip
    assert [p["articles"] for p in body["items"]] == series.articles.tolist()
    assert sum(p["articles"] for p in body["items"]) >= 4


BAD = [
    ({"bucket": "2h"}, 422, "bucket"),
    ({"entity": "crypto:btc", "narrative": "etf-flows"}, 422, "narrative"),
    ({"entity": "crypto:btc", "source": "x"}, 422, "source"),
    ({"since": "yesterday"}, 422, "since"),
    ({"until": "2025-13-01"}, 422, "until"),
    ({"since": "2025-11-02", "until": "2025-11-01"}, 422, "until"),
    ({"since": "1900-01-01", "until": "2025-01-01", "bucket": "1h"}, 422, "since"),
    ({"since": "1900-01-01", "bucket": "1h"}, 422, "since"),
    ({"until": "9999-12-31"}, 422, "until"),
    ({"until": "0001-01-01T00:00:00+00:01"}, 422, "until"),  # before year 1 once in UTC
    ({"since": "9999-12-31T23:59:00-00:01"}, 422, "since"),  # past year 9999 once in UTC
    ({"entity": "no:such"}, 404, "entity"),
    ({"narrative": "no-such"}, 404, "narrative"),
    ({"source": "no such source"}, 404, "source"),
]


@pytest.mark.parametrize("path", ["/sentiment/series", "/export/sentiment.csv"])
@pytest.mark.parametrize(("params", "status", "param"), BAD)
def test_bad_series_input_is_a_problem_naming_the_parameter(
    http: httpx.Client, path: str, params: dict[str, str], status: int, param: str
) -> None:
    response = http.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["param"] == param


def test_export_by_must_fit_the_scope(http: httpx.Client) -> None:
    response = http.get("/export/sentiment.csv", params={"entity": "crypto:btc", "by": "source"})
    assert response.status_code == 422 and response.json()["param"] == "by"


def _check_rows(rows: list[dict[str, Any]], store: Engine, kind: str) -> None:
    """Every row equals the service's bucket for its scope; every bucket with data is a row."""
    by_scope: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        assert row["scope_kind"] == kind and row["bucket"] == "1d"
        by_scope.setdefault(row["scope_id"], []).append(row)
    for scope, got in by_scope.items():
        series = _service(store, **{kind: scope}, bucket="1d")
        want = [bucket_row(series, i) for i in range(len(series.times)) if series.articles[i]]
        assert len(got) == len(want), scope
        for row, expected in zip(got, want, strict=True):
            start = row["bucket_start"]
            start = datetime.fromisoformat(start) if isinstance(start, str) else start
            assert start == expected["bucket_start"]
            assert int(row["articles"]) == expected["articles"]
            assert all(_close(row[name], expected[name]) for name in NUMBERS), (row, expected)
            assert row["sentiment_model"] == expected["sentiment_model"]
            assert row["taxonomy_version"] == expected["taxonomy_version"]


def test_sentiment_export_csv_and_parquet_match_the_service(
    http: httpx.Client, store: Engine
) -> None:
    params = {"min_mentions": "2"}
    csv_response = http.get("/export/sentiment.csv", params=params)
    assert csv_response.status_code == 200, csv_response.text
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    parquet = pq.ParquetFile(
        io.BytesIO(http.get("/export/sentiment.parquet", params=params).content)
    )
    table = parquet.read().to_pylist()
    assert len(rows) == len(table) > 3
    assert {r["scope_id"] for r in rows} == {r["scope_id"] for r in table} >= {"crypto:btc"}
    assert parquet.metadata.num_row_groups == len({r["scope_id"] for r in table})
    assert all(r["as_of"] == r["bucket_end"] for r in table)
    assert str(parquet.schema_arrow.field("as_of").type) == "timestamp[us, tz=UTC]"
    _check_rows(rows, store, "entity")
    _check_rows(table, store, "entity")
    fewer = http.get("/export/sentiment.csv", params={"min_mentions": "1000000"})
    assert list(csv.DictReader(io.StringIO(fewer.text))) == []


def test_sentiment_export_of_narratives_and_one_narrative(
    http: httpx.Client, store: Engine
) -> None:
    every = http.get("/export/sentiment.parquet", params={"by": "narrative", "min_mentions": 1})
    table = pq.read_table(io.BytesIO(every.content)).to_pylist()
    assert table and all(r["narratives_model"] for r in table)
    _check_rows(table, store, "narrative")
    one = table[0]["scope_id"]
    only = http.get("/export/sentiment.csv", params={"narrative": one})
    rows = list(csv.DictReader(io.StringIO(only.text)))
    assert rows and {r["scope_id"] for r in rows} == {one}
    assert len(rows) == sum(1 for r in table if r["scope_id"] == one)


def test_claims_export_walks_every_claim_by_id_in_small_batches(
    http: httpx.Client, store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.http.routes import export

    monkeypatch.setattr(export, "BATCH", 3)
    with Session(store) as session:
        usd = search_claims(session, ClaimQuery(unit="USD", limit=1000))
        every = search_claims(session, ClaimQuery(limit=1000))
    text = http.get("/export/claims.csv", params={"unit": "USD"}).text
    ids = [int(r["id"]) for r in csv.DictReader(io.StringIO(text))]
    assert ids == sorted(h.claim.id for h in usd if h.claim.id) and len(ids) > 3
    parquet = pq.ParquetFile(io.BytesIO(http.get("/export/claims.parquet").content))
    assert parquet.read().column("id").to_pylist() == sorted(h.claim.id for h in every)
    assert parquet.metadata.num_row_groups == -(-len(every) // 3)
    with Session(store) as session:
        batches = list(export.claim_batches(store, ClaimQuery(text="bitcoin")))
        ranked = search_claims(session, ClaimQuery(text="bitcoin", limit=1000))
    assert [row["id"] for batch in batches for row in batch] == sorted(h.claim.id for h in ranked)
    assert all(len(batch) == 3 for batch in batches[:-1]) and len(batches) > 1


def test_series_without_until_is_capped_in_buckets(http: httpx.Client) -> None:
    response = http.get("/sentiment/series", params={"since": "1971-01-01", "bucket": "1h"})
    assert response.status_code == 422 and response.json()["param"] == "since"
    assert "buckets" in response.json()["detail"]


def test_series_cache_follows_the_store(store: Engine) -> None:
    from sqlalchemy import text

    from api.services.series_cache import SeriesCache

    cache, query = SeriesCache(size=2, stamp_ttl=0), SeriesQuery(entity="crypto:btc")
    with Session(store) as session:
        first = cache.series(session, query)
        assert cache.series(session, query) is first
    with store.begin() as conn:  # a reprocess: one score and the article's processed_at change
        article_id, score = conn.execute(text(
            "SELECT article_id, score FROM entitysentiment WHERE entity_id = 'crypto:btc' "
            "ORDER BY article_id LIMIT 1")).one()  # fmt: skip
        conn.execute(text("UPDATE entitysentiment SET score = -score - 0.5 WHERE article_id = :a "
                          "AND entity_id = 'crypto:btc'"), {"a": article_id})  # fmt: skip
        conn.execute(text("UPDATE article SET processed_at = :t WHERE id = :a"),
                     {"t": datetime(2099, 1, 1), "a": article_id})  # fmt: skip
    try:
        with Session(store) as session:
            again = cache.series(session, query)
            fresh = sentiment_series(session, query)
        assert again is not first
        assert np.allclose(again.mean, fresh.mean, equal_nan=True)
        assert not np.allclose(again.mean, first.mean, equal_nan=True)
    finally:
        with store.begin() as conn:
            restore = (
                "UPDATE entitysentiment SET score = :s WHERE article_id = :a AND entity_id = :e"
            )
            conn.execute(text(restore), {"s": score, "a": article_id, "e": "crypto:btc"})
