"""The HTTP API through the real app (TestClient runs the lifespan) on SQLite and PostgreSQL."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from api.http import create_app
from api.http.settings import ApiSettings
from api.services.claims_search import ClaimQuery, search_claims
from models.analysis import Mention, Sentence
from models.articles import Article
from models.claims import Claim

V1 = "/api/v1"


@pytest.fixture(scope="module")
def client(store: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(), engine=store)) as test_client:
        yield test_client


def _all_pages(client: TestClient, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a list route, following next_cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(200):
        page = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_articles_pages_cover_every_article_once_newest_id_first(
    client: TestClient, store: Engine
) -> None:
    items = _all_pages(client, f"{V1}/articles", {"limit": 3})
    ids = [item["id"] for item in items]
    with Session(store) as session:
        stored = sorted((a.id for a in session.exec(select(Article)).all()), reverse=True)
    assert ids == stored


def test_articles_filters(client: TestClient, store: Engine) -> None:
    def titles(**params: Any) -> set[str]:
        return {item["title"] for item in _all_pages(client, f"{V1}/articles", params)}

    assert titles(q="outflows Farside") == {"ETF outflows deepen"}
    assert titles(q="liquidations", since="2025-11-01") == {"Liquidations top $1.2 billion"}
    assert titles(since="2025-11-21", until="2025-11-21") == {
        "Liquidations top $1.2 billion",
        "Tether mints",
    }
    with Session(store) as session:
        btc = set(
            session.exec(
                select(Article.title).where(
                    col(Article.id).in_(
                        select(Mention.article_id).where(Mention.entity_id == "crypto:btc")
                    )
                )
            ).all()
        )
        negative = set(
            session.exec(select(Article.title).where(Article.sentiment_label == "negative")).all()
        )
    assert "ETF outflows deepen" in btc and titles(entity="crypto:btc") == btc
    assert titles(sentiment="negative") == negative
    assert titles(q="zzzunfindable") == set()


def test_article_detail_has_sentences_mentions_claims(client: TestClient, store: Engine) -> None:
    with Session(store) as session:
        article = session.exec(select(Article).where(Article.title == "ETF outflows deepen")).one()
        n_sentences = session.exec(
            select(func.count()).select_from(Sentence).where(Sentence.article_id == article.id)
        ).one()
    body = client.get(f"{V1}/articles/{article.id}").json()
    assert body["title"] == "ETF outflows deepen"
    assert len(body["sentences"]) == n_sentences == 2
    assert all(s["label"] in {"negative", "neutral", "positive"} for s in body["sentences"])
    assert {m["entity_id"] for m in body["mentions"]} >= {"crypto:btc"}
    outflow = [c for c in body["claims"] if c["value"] == 523e6]
    assert outflow and outflow[0]["unit"] == "USD" and outflow[0]["direction"] == "down"


def test_claims_match_the_cli_query_service(client: TestClient, store: Engine) -> None:
    params = {"unit": "USD", "min_value": 1e8}
    items = _all_pages(client, f"{V1}/claims", {**params, "limit": 2})
    with Session(store) as session:
        expected = search_claims(session, ClaimQuery(unit="USD", value_min=1e8, limit=1000))
    assert [i["id"] for i in items] == [h.claim.id for h in expected]
    assert len(items) >= 3 and all(i["value"] >= 1e8 for i in items)


def test_claims_free_text_and_structured_filters(client: TestClient) -> None:
    hits = client.get(f"{V1}/claims", params={"q": "outflow"}).json()["items"]
    assert hits[0]["value"] == 523e6 and hits[0]["title"] == "ETF outflows deepen"
    assert hits[0]["rank"] is not None
    down = _all_pages(client, f"{V1}/claims", {"direction": "down", "since": "2025-11-01"})
    assert down and all(h["direction"] == "down" for h in down)
    assert {h["title"] for h in down} >= {"ETF outflows deepen", "Liquidations top $1.2 billion"}


def test_claim_detail(client: TestClient, store: Engine) -> None:
    with Session(store) as session:
        claim = session.exec(select(Claim).where(Claim.value == 523e6)).first()
    assert claim is not None
    body = client.get(f"{V1}/claims/{claim.id}").json()
    assert body["article"]["title"] == "ETF outflows deepen"
    assert body["sentence"]["text"] == claim.sentence_text


def test_entities(client: TestClient) -> None:
    items = _all_pages(client, f"{V1}/entities", {"limit": 5})
    ids = [item["id"] for item in items]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) and "crypto:btc" in ids
    found = client.get(f"{V1}/entities", params={"q": "bitco", "type": "CRYPTO_ASSET"}).json()
    assert "crypto:btc" in [i["id"] for i in found["items"]]
    btc = client.get(f"{V1}/entities/crypto:btc").json()
    assert btc["mentions"] >= btc["articles"] >= 3 and btc["claims"] >= 1
    assert "ETF outflows deepen" in {a["title"] for a in btc["recent_articles"]}


def test_stats_healthz_metrics(client: TestClient, store: Engine) -> None:
    stats = client.get(f"{V1}/stats").json()
    with Session(store) as session:
        claims = session.exec(select(func.count()).select_from(Claim)).one()
        articles = session.exec(select(func.count()).select_from(Article)).one()
    assert stats["claims"] == claims and stats["articles"] == stats["processed"] == articles
    health = client.get(f"{V1}/healthz").json()
    assert health["status"] == "ok" and health["database"] == store.dialect.name
    metrics = client.get(f"{V1}/metrics")
    assert metrics.status_code == 200
    text = metrics.text
    assert f'tidings_articles{{status="done"}} {float(articles)}' in text
    assert 'tidings_http_request_duration_seconds_count{method="GET",route="/api/v1/stats"' in text
    assert "tidings_crawl_failures{" in text


BAD_REQUESTS = [
    ("/articles?limit=0", "limit"),
    ("/articles?limit=abc", "limit"),
    ("/articles?limit=100000", "limit"),
    ("/articles?since=2025-13-01", "since"),
    ("/articles?since=2025-11-05&until=2025-11-01", "until"),
    ("/articles?sentiment=great", "sentiment"),
    ("/articles?source=-1", "source"),
    ("/articles?cursor=not-a-cursor", "cursor"),
    ("/articles?cursor=eyJvZmZzZXQiOjF9", "cursor"),  # a claims cursor
    ("/articles/0", "article_id"),
    ("/articles/99999999", "article_id"),
    ("/articles/abc", "article_id"),
    ("/articles/99999999999999999999999", "article_id"),
    ("/claims?min_value=nan", "min_value"),
    ("/claims?min_value=5&max_value=1", "max_value"),
    ("/claims?claim_type=rumour", "claim_type"),
    ("/claims?direction=sideways", "direction"),
    ("/claims?cursor=eyJvZmZzZXQiOi0xfQ", "cursor"),  # offset -1
    ("/claims/99999999", "claim_id"),
    ("/entities/no:such", "entity_id"),
    ("/entities?cursor=%00", "cursor"),
    ("/entities?cursor=eyJhZnRlcl9pZCI6ImFcdTAwMDAifQ", "cursor"),  # after_id with a NUL
    ("/claims?cursor=eyJvZmZzZXQiOjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5fQ", "cursor"),  # huge offset
    ("/export/claims.csv?until=x", "until"),
    ("/sources/99999999", None),
    ("/articles?q=bitcoin%00", "q"),
    ("/claims?entity=crypto%00btc", "entity"),
    ("/entities/crypto%00btc", "entity_id"),
    ("/claims?q=x&since=2025-01-01%00", "since"),
]


@pytest.mark.parametrize(("path", "param"), BAD_REQUESTS)
def test_bad_parameters_get_a_problem_naming_them(
    client: TestClient, path: str, param: str | None
) -> None:
    response = client.get(V1 + path)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "param"} <= set(body)
    assert body["status"] == response.status_code and body["detail"]
    if param is not None:
        assert body["param"] == param


def test_free_text_of_only_punctuation_finds_nothing(client: TestClient) -> None:
    for path in ("/articles", "/claims"):
        response = client.get(V1 + path, params={"q": '"*():^ '})
        assert response.status_code == 200 and response.json()["items"] == []


def test_export_claims_csv_has_every_filtered_claim(client: TestClient, store: Engine) -> None:
    import csv
    import io

    response = client.get(f"{V1}/export/claims.csv", params={"unit": "USD"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    with Session(store) as session:
        expected = search_claims(session, ClaimQuery(unit="USD", limit=1000))
    assert [int(r["id"]) for r in rows] == sorted(h.claim.id for h in expected if h.claim.id)
    assert {r["unit"] for r in rows} == {"USD"} and rows[0]["sentence_text"]


def test_export_claims_parquet_in_row_groups(
    client: TestClient, store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    import pyarrow.parquet as pq

    from api.http.routes import export

    monkeypatch.setattr(export, "BATCH", 4)
    response = client.get(f"{V1}/export/claims.parquet")
    assert response.status_code == 200
    parquet = pq.ParquetFile(io.BytesIO(response.content))
    with Session(store) as session:
        total = session.exec(select(func.count()).select_from(Claim)).one()
    assert parquet.metadata.num_rows == total > 8
    assert parquet.metadata.num_row_groups == -(-total // 4)
    table = parquet.read()
    assert len(set(table.column("id").to_pylist())) == total
    empty = client.get(f"{V1}/export/claims.parquet", params={"q": "zzzunfindable"})
    assert pq.ParquetFile(io.BytesIO(empty.content)).metadata.num_rows == 0


def test_dashboard_pages_render_from_the_store(client: TestClient, store: Engine) -> None:
    overview = client.get("/")
    assert overview.status_code == 200 and '<div id="sentiment-chart"' in overview.text
    assert '"2025-11-21"' in overview.text  # a day of the sentiment series
    search = client.get("/claims", params={"q": "outflows", "unit": "USD", "min_value": ""})
    assert search.status_code == 200 and "$523 million" in search.text
    with Session(store) as session:
        article = session.exec(select(Article).where(Article.title == "ETF outflows deepen")).one()
    page = client.get(f"/articles/{article.id}")
    assert page.status_code == 200
    assert '<mark class="claim" title="net_flow: $523M">$523 million</mark>' in page.text
    assert 'id="s0" class="sentence s-' in page.text
    entity = client.get("/entities/crypto:btc")
    assert entity.status_code == 200 and "ETF outflows deepen" in entity.text
    assert client.get("/claims", params={"since": "yesterday"}).status_code == 422
    assert client.get("/claims", params={"verdict": "maybe"}).status_code == 422
    narratives = client.get("/narratives")
    assert narratives.status_code == 200 and 'href="/narratives/etf-flows"' in narratives.text
    assert 'href="/narratives/etf-flows"' in overview.text  # ranked by share of voice
    narrative = client.get("/narratives/etf-flows")
    assert narrative.status_code == 200 and "ETF outflows deepen" in narrative.text
    assert client.get("/narratives/no-such-thing").status_code == 404
    correlation = client.get("/correlation")
    assert correlation.status_code == 200 and "No market series stored yet" in correlation.text
    assert client.get("/correlation", params={"max_lag": 99}).status_code == 422
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/javascript")
    assert len(js.content) > 1_000_000  # the bundled plotly.js, not a stub
