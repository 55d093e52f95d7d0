"""GET /correlate through the real app on SQLite and PostgreSQL: the JSON of `tidings correlate`
for the same parameters, and a 4xx naming the parameter for every bad one."""

import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.analytics import CorrelateOptions
from api.http import create_app
from api.http.routes.analytics import finite
from api.http.settings import ApiSettings
from api.services.correlation import CorrelateRequest, run_correlation
from api.services.series import SeriesQuery
from tests.api.test_cli_correlate import build_store

V1 = "/api/v1"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """200 days of BTC talk whose sentiment leads the next day's return, and BTC prices."""
    build_store(engine.url.render_as_string(hide_password=False), 200)
    with TestClient(create_app(ApiSettings(), engine=engine)) as test_client:
        yield test_client


def test_correlate_answers_what_the_cli_prints(client: TestClient, engine: Engine) -> None:
    params = {"entity": "crypto:btc", "market": "BTC-USD", "max_lag": 3, "boot": 50,
              "since": "2022-01-10", "until": "2022-06-30"}  # fmt: skip
    answer = client.get(f"{V1}/correlate", params=params)
    assert answer.status_code == 200, answer.text
    request = CorrelateRequest(
        series=SeriesQuery(entity="crypto:btc", start=datetime(2022, 1, 10),
                           end=datetime(2022, 6, 30)),
        market="BTC-USD", options=CorrelateOptions(max_lag=3, n_boot=50),
    )  # fmt: skip
    with Session(engine) as session:
        expected = run_correlation(session, request).to_dict()
    assert answer.json() == json.loads(json.dumps(finite(expected)))
    body = answer.json()
    assert body["scope"] == "entity:crypto:btc" and body["market"]["transform"] != "none"
    assert 1 in body["significant_lags"]  # the planted lead: sentiment today, return tomorrow


@pytest.mark.parametrize(
    ("params", "status", "param"),
    [
        ({}, 422, "market"),
        ({"market": "NOPE"}, 404, "market"),
        ({"market": "BTC-USD", "bucket": "1h"}, 422, "bucket"),
        ({"market": "BTC-USD", "bucket": "1w"}, 422, "bucket"),
        ({"market": "BTC-USD", "signal": "vibes"}, 422, "signal"),
        ({"market": "BTC-USD", "max_lag": 61}, 422, "max_lag"),
        ({"market": "BTC-USD", "horizon": 0}, 422, "horizon"),
        ({"market": "BTC-USD", "boot": -1}, 422, "boot"),
        ({"market": "BTC-USD", "entity": "crypto:btc", "narrative": "etf-flows"}, 422,
         "narrative"),
        ({"market": "BTC-USD", "source": "Nowhere Daily"}, 404, "source"),
        ({"market": "BTC-USD", "since": "2022-03-01", "until": "2022-02-01"}, 422, "until"),
        ({"market": "BTC-USD", "since": "2022-03-01", "until": "2022-03-03"}, 422, "since"),
        ({"market": "BTC-USD", "since": "March"}, 422, "since"),
    ],
)  # fmt: skip
def test_bad_parameters_are_named(
    client: TestClient, params: dict[str, object], status: int, param: str
) -> None:
    answer = client.get(f"{V1}/correlate", params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["param"] == param
