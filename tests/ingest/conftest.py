"""Fixtures for crawler tests: a live local HTTP server and fast settings (the store: `engine`
in tests/conftest.py)."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixture_server import FixtureServer, install_behaviours

from ingest.settings import IngestSettings


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    """A fresh fixture server per test, so hit counts and scripted states start at zero."""
    srv = FixtureServer()
    install_behaviours(srv)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def settings() -> IngestSettings:
    """Settings for tests: local addresses allowed, short timeouts and retry delays."""
    return IngestSettings(
        allow_private_addresses=True,
        connect_timeout_s=1.0,
        read_timeout_s=0.5,
        max_retries=1,
        retry_base_delay_s=0.05,
        max_retry_after_s=2.0,
        politeness_delay_s=0.0,
        per_host_concurrency=4,
        builtin_sources=False,
        max_body_bytes=1_000_000,
        max_decompressed_bytes=2_000_000,
        min_page_chars=200,
    )
