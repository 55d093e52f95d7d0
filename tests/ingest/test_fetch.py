"""Fetcher against a real local server: statuses, retries, redirects, size caps, SSRF guard."""

import asyncio
import gzip

import pytest
from fixture_server import FIXTURES, FixtureServer

from ingest.fetch import Fetcher, FetchResult, is_blocked_address, parse_retry_after
from ingest.settings import IngestSettings


def fetch(settings: IngestSettings, url: str, headers: dict[str, str] | None = None) -> FetchResult:
    """One fetch through a fresh Fetcher."""

    async def go() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, headers=headers)

    return asyncio.run(go())


def test_plain_feed_is_fetched_whole(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings, f"{server.base}/feeds/rss20.xml")
    assert (result.status, result.ok, result.error, result.attempts) == (200, True, None, 1)
    assert result.content == server.fixture("feeds/rss20.xml")
    assert result.content_type == "application/rss+xml"


def test_conditional_get_gives_304(server: FixtureServer, settings: IngestSettings) -> None:
    first = fetch(settings, f"{server.base}/etag.xml")
    assert (first.status, first.headers["etag"]) == (200, '"v1"')
    second = fetch(settings, f"{server.base}/etag.xml", {"If-None-Match": '"v1"'})
    assert (second.status, second.not_modified, second.content) == (304, True, None)


def test_404_is_not_retried(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings, f"{server.base}/missing.xml")
    assert (result.status, result.ok, result.attempts) == (404, False, 1)
    assert server.hits["/missing.xml"] == 1


def test_429_waits_for_retry_after_then_succeeds(
    server: FixtureServer, settings: IngestSettings
) -> None:
    result = fetch(settings, f"{server.base}/ratelimited.xml")
    assert (result.status, result.ok, result.attempts) == (200, True, 2)
    assert result.elapsed_ms >= 1000  # Retry-After: 1 honoured, not the 0.05 s backoff
    assert server.hits["/ratelimited.xml"] == 2


def test_429_with_too_long_retry_after_is_not_retried(
    server: FixtureServer, settings: IngestSettings
) -> None:
    result = fetch(
        settings.model_copy(update={"max_retry_after_s": 0.5}), f"{server.base}/ratelimited.xml"
    )
    assert (result.status, result.retry_after_s, result.attempts) == (429, 1.0, 1)


def test_500_is_retried_then_reported(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings, f"{server.base}/error500.xml")
    assert (result.status, result.ok, result.attempts) == (500, False, 2)
    assert server.hits["/error500.xml"] == 2


def test_slow_response_times_out(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings.model_copy(update={"max_retries": 0}), f"{server.base}/slow.xml")
    assert result.status is None
    assert result.error == "transient: timeout (ReadTimeout)"


def test_redirect_chain_is_followed(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings, f"{server.base}/r/1")
    assert (result.status, result.url, result.final_url) == (
        200,
        f"{server.base}/r/1",
        f"{server.base}/feeds/rss20.xml",
    )
    assert [server.hits[p] for p in ("/r/1", "/r/2", "/r/3")] == [1, 1, 1]


def test_redirects_are_bounded(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings.model_copy(update={"max_redirects": 2}), f"{server.base}/r/1")
    assert result.error == f"more than 2 redirects from {server.base}/r/1"
    assert server.hits["/feeds/rss20.xml"] == 0


def test_redirect_loop_is_detected(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings, f"{server.base}/loop/a")
    b = server.base
    assert result.error == f"redirect loop: {b}/loop/a -> {b}/loop/b -> {b}/loop/a"
    assert (server.hits["/loop/a"], server.hits["/loop/b"]) == (1, 1)


def test_oversized_body_is_cut_off(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings, f"{server.base}/oversized.xml")
    assert (result.ok, result.content) == (False, None)
    assert result.error == "body larger than 1000000 bytes"


def test_declared_oversized_body_is_refused_before_reading(
    server: FixtureServer, settings: IngestSettings
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 100})
    result = fetch(small, f"{server.base}/feeds/rss20.xml")
    size = len(server.fixture("feeds/rss20.xml"))
    assert result.error == f"Content-Length {size} above cap 100"


def test_gzip_body_is_decompressed(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings, f"{server.base}/gzip.xml")
    expected = server.fixture("feeds/rss20.xml")
    assert (result.ok, result.content) == (True, expected)
    assert result.raw_bytes == len(gzip.compress(expected))


def test_gzip_bomb_is_stopped_at_the_cap(server: FixtureServer, settings: IngestSettings) -> None:
    result = fetch(settings, f"{server.base}/bomb.xml")
    assert (result.ok, result.content) == (False, None)
    assert result.error == "decompressed body larger than 2000000 bytes"


def test_loopback_is_refused_unless_allowed(
    server: FixtureServer, settings: IngestSettings
) -> None:
    strict = settings.model_copy(update={"allow_private_addresses": False})
    result = fetch(strict, f"{server.base}/feeds/rss20.xml")
    assert result.status is None
    assert result.error is not None
    assert result.error.startswith("127.0.0.1 resolves to non-public address 127.0.0.1; refused")
    assert server.hits["/feeds/rss20.xml"] == 0


def test_localhost_name_is_refused(server: FixtureServer, settings: IngestSettings) -> None:
    strict = settings.model_copy(update={"allow_private_addresses": False})
    port = server.server_address[1]
    result = fetch(strict, f"http://localhost:{port}/feeds/rss20.xml")
    assert result.error is not None and "non-public address" in result.error
    assert server.hits["/feeds/rss20.xml"] == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/feed.xml", "gopher://x/"])
def test_non_http_schemes_are_refused(settings: IngestSettings, url: str) -> None:
    result = fetch(settings, url)
    scheme = url.split(":", 1)[0]
    assert result.error == f"only http and https URLs are fetched, not {scheme!r}: {url}"


def test_redirect_to_other_scheme_is_refused(
    server: FixtureServer, settings: IngestSettings
) -> None:
    server.routes["/to-file"] = lambda h: (302, {"Location": "file:///etc/passwd"}, b"")
    result = fetch(settings, f"{server.base}/to-file")
    assert result.error == "only http and https URLs are fetched, not 'file': file:///etc/passwd"


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.9", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("224.0.0.1", True),
        ("0.0.0.0", True),
        ("::1", True),
        ("fe80::1", True),
        ("fd00::1", True),
        ("::ffff:127.0.0.1", True),
        ("8.8.8.8", False),
        ("151.101.1.69", False),
        ("2606:4700::6810:84e5", False),
    ],
)
def test_blocked_address_table(address: str, blocked: bool) -> None:
    assert is_blocked_address(address) is blocked


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (None, None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds


def test_fixture_dir_exists() -> None:
    assert (FIXTURES / "feeds" / "rss20.xml").is_file()
