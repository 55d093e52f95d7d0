"""Claim checks, forecast scorecards, narratives and the claim filters through the real app on a
store processed by the real pipeline (SQLite and PostgreSQL), with real market data uploaded
through POST /market/series from ../shared; each answer is compared with the service the CLI
prints."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from api.cli import app as cli
from api.context import get_engine
from api.http import create_app
from api.http.keys import create_key
from api.http.settings import ApiSettings
from api.services.checks import check_claims
from api.services.forecasts import resolve_forecasts, score_report
from api.services.narratives import narrative_entries
from models.checks import ClaimCheck
from models.keys import KeyScope
from models.narratives import NarrativeAssignment
from models.settings import get_database_settings
from tests.conftest import shared_dir

V1 = "/api/v1"
UPLOADS = [  # symbol, file under ../shared/data, query parameters
    ("BTCUSDT", "crypto-daily-2017-2026/binance_BTCUSDT_1d.csv", {"entity": "crypto:btc"}),
    ("ETHUSDT", "crypto-daily-2017-2026/binance_ETHUSDT_1d.csv", {"entity": "crypto:eth"}),
    ("US-SPOT-BTC-ETF-FLOW", "etf-flows/farside_btc_etf_total_daily_clean.csv", {}),
]


@pytest.fixture(scope="module")
def client(store: Engine) -> Iterator[TestClient]:
    """The app on the seeded store, with the real BTC, ETH and Farside series uploaded."""
    data = shared_dir() / "data"
    key = create_key(store, KeyScope.WRITE)[1]
    with TestClient(create_app(ApiSettings(), engine=store)) as test_client:
        for symbol, name, params in UPLOADS:
            path = data / name
            answer = test_client.post(
                f"{V1}/market/series/{symbol}", content=path.read_bytes(),
                params={"filename": path.name, **params}, headers={"X-API-Key": key},
            )  # fmt: skip
            assert answer.status_code == 200, answer.text
            assert answer.json()["points"] > 400
        yield test_client


def _all(client: TestClient, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(500):
        page = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_uploads_were_read_as_the_cli_reads_the_files(client: TestClient) -> None:
    series = {s["symbol"]: s for s in _all(client, f"{V1}/market/series", {})}
    flows = series["US-SPOT-BTC-ETF-FLOW"]
    assert (flows["kind"], flows["unit"], flows["source"], flows["entity_id"]) == (
        "flow", "USD", "farside", "etf:us-spot-bitcoin-etfs",
    )  # fmt: skip
    assert (series["BTCUSDT"]["source"], series["BTCUSDT"]["kind"]) == ("binance", "ohlcv")
    day = client.get(f"{V1}/market/series/US-SPOT-BTC-ETF-FLOW",
                     params={"since": "2025-11-17", "until": "2025-11-17"}).json()  # fmt: skip
    assert [p["value"] for p in day["items"]] == [pytest.approx(-254.6e6)]


def test_checks_are_the_cli_verdicts(client: TestClient, store: Engine) -> None:
    items = _all(client, f"{V1}/claims/checks", {"limit": 2})
    with Session(store) as session:
        assert session.exec(select(ClaimCheck)).first() is None  # a GET stores nothing
        expected = {r.claim_id: r for r in check_claims(session)}
        session.commit()
    assert [i["id"] for i in items] == sorted(expected)
    for item in items:
        judgement = expected[item["id"]].judgement
        assert (item["verdict"], item["reference_value"], item["reason"]) == (
            judgement.verdict.value, judgement.reference_value, judgement.reason,
        )  # fmt: skip
    flow = next(i for i in items if i["value"] == 523e6)
    assert flow["series"] == "US-SPOT-BTC-ETF-FLOW" and flow["verdict"] != "unverifiable"
    for verdict in {i["verdict"] for i in items}:
        chosen = _all(client, f"{V1}/claims/checks", {"verdict": verdict, "limit": 1})
        assert [i["id"] for i in chosen] == [i["id"] for i in items if i["verdict"] == verdict]
        listed = {c["id"] for c in _all(client, f"{V1}/claims", {"verdict": verdict})}
        assert listed == {i["id"] for i in items if i["verdict"] == verdict}
    bad = client.get(f"{V1}/claims/checks", params={"verdict": "true"})
    assert bad.status_code == 422 and bad.json()["param"] == "verdict"


def test_claims_sort_orders(client: TestClient) -> None:
    def values(sort: str) -> list[Any]:
        return [c["value"] for c in _all(client, f"{V1}/claims", {"sort": sort, "limit": 7})]

    high_first = values("value_desc")
    numbers = [v for v in high_first if v is not None]
    assert len(numbers) > 5 and numbers == sorted(numbers, reverse=True)
    assert high_first[: len(numbers)] == numbers  # claims without a value come last
    low_first = [v for v in values("value_asc") if v is not None]
    assert low_first == sorted(low_first)
    oldest = [c["published_at"] for c in _all(client, f"{V1}/claims", {"sort": "oldest"})]
    assert [d for d in oldest if d] == sorted(d for d in oldest if d)
    ranked = _all(client, f"{V1}/claims", {"q": "outflows", "sort": "relevance"})
    assert ranked and all(c["rank"] is not None for c in ranked)


def test_claims_search_cli_sorts_as_the_api(
    client: TestClient, store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_DATABASE_URL", store.url.render_as_string(hide_password=False))
    for cached in (get_engine, get_database_settings):
        cached.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["claims", "search", "--sort", "value_desc", "--json"])
        bad = CliRunner().invoke(cli, ["claims", "search", "--sort", "biggest"])
    finally:
        get_engine().dispose()
        for cached in (get_engine, get_database_settings):
            cached.cache_clear()
    assert result.exit_code == 0, result.output
    api = client.get(f"{V1}/claims", params={"sort": "value_desc", "limit": 50}).json()["items"]
    assert [c["id"] for c in json.loads(result.stdout)] == [c["id"] for c in api]
    assert bad.exit_code == 2 and "--sort takes one of" in bad.output


def test_scorecard_is_the_cli_report(client: TestClient, store: Engine) -> None:
    for by in ("source", "author", "outlet"):
        answer = client.get(f"{V1}/forecasts/scorecard", params={"by": by})
        assert answer.status_code == 200, answer.text
        with Session(store) as session:
            report = score_report(resolve_forecasts(session, store=False), by)
        report.pop("items")
        assert answer.json() == json.loads(json.dumps(report))
    assert answer.json()["forecasts"] >= 1
    bad = client.get(f"{V1}/forecasts/scorecard", params={"by": "mood"})
    assert bad.status_code == 422 and bad.json()["param"] == "by"
    empty = client.get(f"{V1}/forecasts/scorecard", params={"since": "2025-02-01",
                                                             "until": "2025-01-01"})  # fmt: skip
    assert empty.status_code == 422 and empty.json()["param"] == "until"


def test_narratives_list_and_detail(client: TestClient, store: Engine) -> None:
    listed = _all(client, f"{V1}/narratives", {"limit": 4})
    assert listed == narrative_entries(store)
    with Session(store) as session:
        assignments = session.exec(select(NarrativeAssignment)).all()
    used = {a.narrative_id for a in assignments}
    assert used, "the seed articles speak to no narrative"
    name = max(used, key=lambda n: sum(a.narrative_id == n for a in assignments))
    detail = client.get(f"{V1}/narratives/{name}").json()
    mine = [a for a in assignments if a.narrative_id == name]
    assert (detail["sentences"], detail["articles"]) == (
        len(mine),
        len({a.article_id for a in mine}),
    )
    assert {(r["article_id"], r["sentence_index"]) for r in detail["recent"]} <= {
        (a.article_id, a.sentence_index) for a in mine
    }
    articles = {a["id"] for a in _all(client, f"{V1}/articles", {"narrative": name})}
    assert articles == {a.article_id for a in mine}
    assert {a["id"] for a in detail["recent_articles"]} <= articles
    missing = client.get(f"{V1}/narratives/no-such-thing")
    assert missing.status_code == 404 and missing.json()["param"] == "narrative_id"
    assert _all(client, f"{V1}/articles", {"narrative": "no-such-thing"}) == []
    discovered = client.get(f"{V1}/narratives", params={"kind": "discovered"}).json()
    assert discovered["items"] == [e for e in listed if e["kind"] == "discovered"]
    with Session(store) as session:
        ids = session.exec(select(col(NarrativeAssignment.article_id))).all()
    assert set(ids) >= articles
