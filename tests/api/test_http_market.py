"""The market routes through the real app on SQLite and PostgreSQL: CSV upload through the
importer of `tidings market import`, the series list, points by range, resampled and paged."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.http import create_app
from api.http.keys import create_key
from api.http.settings import ApiSettings
from api.services.market import list_series
from models.keys import KeyScope

V1 = "/api/v1"
# Written for these tests: nine daily BTC bars (Mon 2025-11-03 .. Tue 2025-11-11), one bad row
# (line 6).
BARS = [
    ("2025-11-03", 110000, 111000, 105000, 106500, 10.0),
    ("2025-11-04", 106500, 107000, 100000, 101000, 20.0),
    ("2025-11-05", 101000, 104000, 98900, 103800, 30.0),
    ("2025-11-06", 103800, 104200, 100200, 101300, 40.0),
    ("2025-11-07", 101300, 104000, 99200, 103400, 50.0),
    ("2025-11-08", 103400, 103500, 101400, 102300, 60.0),
    ("2025-11-09", 102300, 105000, 101000, 104700, 70.0),
    ("2025-11-10", 104700, 106600, 104300, 105900, 80.0),
    ("2025-11-11", 105900, 107000, 102500, 103000, 90.0),
]
CSV = "date,open,high,low,close,volume\n" + "".join(
    f"{d},{o},{h},{lo},{c},{v}\n" for d, o, h, lo, c, v in BARS[:4]
) + "2025-11-12,oops,1,1,1,1\n" + "".join(
    f"{d},{o},{h},{lo},{c},{v}\n" for d, o, h, lo, c, v in BARS[4:]
)  # fmt: skip


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    settings = ApiSettings(api_max_upload_bytes=20_000)
    with TestClient(create_app(settings, engine=engine)) as test_client:
        yield test_client


@pytest.fixture
def writer(engine: Engine) -> dict[str, str]:
    return {"X-API-Key": create_key(engine, KeyScope.WRITE)[1], "Content-Type": "text/csv"}


def _upload(client: TestClient, headers: dict[str, str], symbol: str, body: str | bytes,
            **params: Any) -> Any:  # fmt: skip
    content = body.encode() if isinstance(body, str) else body
    return client.post(f"{V1}/market/series/{symbol}", content=content, headers=headers,
                       params=params)  # fmt: skip


def test_upload_reports_bad_rows_by_line_and_loads_the_rest(
    client: TestClient, writer: dict[str, str], engine: Engine
) -> None:
    answer = _upload(client, writer, "BTC-TEST", CSV, entity="crypto:btc", source="test")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["rows"], report["points"], report["new"], report["bad_rows"]) == (10, 9, 9, 1)
    bad = report["errors"][0]
    assert bad["line"] == 6 and "oops" in bad["reason"]
    assert report["series"] == [{"symbol": "BTC-TEST", "source": "test", "kind": "ohlcv",
                                 "entity_id": "crypto:btc", "points": 9, "new": 9}]  # fmt: skip
    again = _upload(client, writer, "BTC-TEST", CSV, entity="crypto:btc", source="test").json()
    assert (again["points"], again["new"]) == (9, 0)
    with Session(engine) as session:
        stored = {s.series.symbol: s for s in list_series(session)}
    assert stored["BTC-TEST"].count == 9 and stored["BTC-TEST"].series.entity_id == "crypto:btc"


@pytest.mark.parametrize(
    ("body", "params", "status", "words"),
    [
        (b"\xff\xfe\x00bad", {}, 422, "not UTF-8"),
        (b"", {}, 422, "empty"),
        (b"date,IBIT,FBTC\n2025-11-03,1.5,2.5\n", {}, 422, "holds 2 series"),
        (CSV.encode(), {"tz": "Mars/Olympus"}, 422, "unknown time zone"),
        (CSV.encode() * 100, {}, 413, "over 20000 bytes"),
    ],
)
def test_upload_refuses_what_it_cannot_read_and_stores_nothing(
    client: TestClient, writer: dict[str, str], engine: Engine, body: bytes,
    params: dict[str, str], status: int, words: str,
) -> None:  # fmt: skip
    answer = _upload(client, writer, "X", body, **params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert words in answer.json()["detail"]
    with Session(engine) as session:
        assert list_series(session) == []


def test_upload_needs_a_write_key(client: TestClient, engine: Engine) -> None:
    reader = {"X-API-Key": create_key(engine, KeyScope.READ)[1]}
    assert _upload(client, {}, "X", CSV).status_code == 401
    refused = _upload(client, reader, "X", CSV)
    assert refused.status_code == 403 and refused.json()["param"] == "X-API-Key"
    bad_kind = _upload(client, {"X-API-Key": create_key(engine, KeyScope.WRITE)[1]}, "X", CSV,
                       kind="price")  # fmt: skip
    assert bad_kind.status_code == 422 and bad_kind.json()["param"] == "kind"


def test_series_list_filters_and_pages(client: TestClient, writer: dict[str, str]) -> None:
    for symbol, kind, entity in [
        ("A1", "ohlcv", "crypto:btc"),
        ("B1", "rate", None),
        ("C1", "ohlcv", "crypto:eth"),
        ("D1", "ohlcv", "crypto:btc"),
    ]:
        extra = {"entity": entity} if entity else {}
        assert _upload(client, writer, symbol, CSV, kind=kind, **extra).status_code == 200
    seen, cursor = [], None
    while True:
        page = client.get(
            f"{V1}/market/series", params={"limit": 3, **({"cursor": cursor} if cursor else {})}
        )
        body = page.json()
        seen += [item["symbol"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["A1", "B1", "C1", "D1"]
    btc = client.get(f"{V1}/market/series", params={"entity": "crypto:btc", "kind": "ohlcv"})
    assert [s["symbol"] for s in btc.json()["items"]] == ["A1", "D1"]
    first = btc.json()["items"][0]
    assert (first["count"], first["first"][:10], first["last"][:10]) == (
        9,
        "2025-11-03",
        "2025-11-11",
    )
    bad = client.get(f"{V1}/market/series", params={"kind": "bogus"})
    assert bad.status_code == 422 and bad.json()["param"] == "kind"


def test_points_by_range_resampled_and_paged(client: TestClient, writer: dict[str, str]) -> None:
    assert _upload(client, writer, "BTC-TEST", CSV).status_code == 200
    url = f"{V1}/market/series/BTC-TEST"
    ranged = client.get(url, params={"since": "2025-11-04", "until": "2025-11-06"}).json()
    assert [p["day"] for p in ranged["items"]] == ["2025-11-04", "2025-11-05", "2025-11-06"]
    assert ranged["items"][0]["close"] == 101000 and ranged["interval"] == "1d"
    assert ranged["series"]["symbol"] == "BTC-TEST" and ranged["series"]["count"] == 9
    weeks = client.get(url, params={"interval": "1w"}).json()["items"]
    good = BARS
    first_week, second_week = good[:7], good[7:]
    assert [w["day"] for w in weeks] == ["2025-11-03", "2025-11-10"]
    assert weeks[0] == {
        "ts": "2025-11-03T00:00:00Z", "day": "2025-11-03", "open": first_week[0][1],
        "high": max(b[2] for b in first_week), "low": min(b[3] for b in first_week),
        "close": first_week[-1][4], "volume": sum(b[5] for b in first_week),
        "value": first_week[-1][4],
    }  # fmt: skip
    assert weeks[1]["close"] == second_week[-1][4]
    days, cursor = [], None
    while True:
        body = client.get(url, params={"limit": 3, **({"cursor": cursor} if cursor else {})})
        days += [p["day"] for p in body.json()["items"]]
        cursor = body.json()["next_cursor"]
        if cursor is None:
            break
    assert days == [b[0] for b in good]
    paged_weeks = client.get(url, params={"interval": "1w", "limit": 1}).json()
    following = client.get(url, params={"interval": "1w", "cursor": paged_weeks["next_cursor"]})
    assert [w["day"] for w in following.json()["items"]] == ["2025-11-10"]


@pytest.mark.parametrize(
    ("path", "params", "status", "param"),
    [
        ("NOPE", {}, 404, "symbol"),
        ("BTC-TEST", {"interval": "1h"}, 422, "interval"),
        ("BTC-TEST", {"interval": "2d"}, 422, "interval"),
        ("BTC-TEST", {"since": "2025-11-09", "until": "2025-11-01"}, 422, "until"),
        ("BTC-TEST", {"cursor": "garbage"}, 422, "cursor"),
        ("BTC-TEST", {"source": "elsewhere"}, 404, "symbol"),
    ],
)
def test_points_bad_parameters(
    client: TestClient, writer: dict[str, str], path: str, params: dict[str, str], status: int,
    param: str,
) -> None:  # fmt: skip
    assert _upload(client, writer, "BTC-TEST", CSV).status_code == 200
    answer = client.get(f"{V1}/market/series/{path}", params=params)
    assert answer.status_code == status, answer.text
    assert answer.json()["param"] == param
