"""Schemathesis against the OpenAPI schema of a real server on a seeded store: no 5xx from any
generated input, and every response matches the schema."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.http.keys import create_key
from api.http.settings import ApiSettings
from models.db import init_engine
from models.keys import KeyScope
from tests.api.conftest import seed_store
from tests.conftest import served

# Written for this test: two weeks of daily BTC bars.
BARS = "date,open,high,low,close\n" + "".join(
    f"2025-11-{d:02d},{90000 + d},{91000 + d},{89000 + d},{90500 + d}\n" for d in range(3, 17)
)


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str]]:
    """The schema of a real server on a seeded store (with a market series), and a write key."""
    folder: Path = tmp_path_factory.mktemp("schema")
    engine = init_engine(f"sqlite:///{folder / 'tidings.db'}")
    seed_store(engine, folder)
    _, key = create_key(engine, KeyScope.WRITE)
    with served(engine, ApiSettings(api_rate_limit_per_minute=1_000_000)) as base:
        upload = httpx.post(
            f"{base}/api/v1/market/series/BTC-USD", params={"entity": "crypto:btc"},
            content=BARS, headers={"X-API-Key": key, "Content-Type": "text/csv"},
        )  # fmt: skip
        assert upload.status_code == 200, upload.text
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json").exclude(
            path_regex="/(analyze|stream)$"  # models (test_http_access); endless (test_http_stream)
        )
        yield schema, key
    engine.dispose()


def test_no_server_errors_and_responses_match_the_schema(api_schema: tuple[object, str]) -> None:
    # Operations are driven one by one with Hypothesis (schemathesis's pytest plugin does not
    # load under this pytest); every generated case must pass both checks. Calls carry a write
    # key so that uploads and source changes reach the code behind them.
    schema, key = api_schema
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[attr-defined]
    paths = {operation.path for operation in operations}
    assert len(operations) >= 22 and {"/api/v1/market/series/{symbol}", "/api/v1/correlate",
        "/api/v1/claims/checks", "/api/v1/forecasts/scorecard", "/api/v1/narratives/{narrative_id}",
    } <= paths  # fmt: skip
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers={"X-API-Key": key},
                checks=[not_a_server_error, response_schema_conformance],
            )

        check()
