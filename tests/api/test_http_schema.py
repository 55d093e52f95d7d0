"""Schemathesis against the OpenAPI schema of a real server on a seeded store: no 5xx from any
generated input, and every response matches the schema."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.http.settings import ApiSettings
from models.db import init_engine
from tests.api.conftest import seed_store
from tests.conftest import served


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    folder: Path = tmp_path_factory.mktemp("schema")
    engine = init_engine(f"sqlite:///{folder / 'tidings.db'}")
    seed_store(engine, folder)
    with served(engine, ApiSettings(api_rate_limit_per_minute=1_000_000)) as base:
        yield schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json").exclude(
            path_regex="/analyze$"  # loads the NLP models; covered by test_http_access
        )
    engine.dispose()


def test_no_server_errors_and_responses_match_the_schema(api_schema: object) -> None:
    # Operations are driven one by one with Hypothesis (schemathesis's pytest plugin does not
    # load under this pytest); every generated case must pass both checks.
    operations = [result.ok() for result in api_schema.get_all_operations()]  # type: ignore[attr-defined]
    assert len(operations) >= 14
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        check()
