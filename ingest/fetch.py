"""HTTP fetching for the crawler: SSRF guard, size caps, bounded redirects, retries, politeness.

`Fetcher.fetch` never raises for anything the web does: the outcome (status, body or error) comes
back as a `FetchResult` so the caller can record it and move on.
"""

import asyncio
import email.utils
import ipaddress
import socket
import time
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from ingest.errors import BodyTooLargeError, FetchError, UnsafeURLError
from ingest.settings import IngestSettings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass
class FetchResult:
    """What one fetch produced: final status and decompressed body, or why it failed."""

    url: str
    final_url: str | None = None
    status: int | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    elapsed_ms: int = 0
    raw_bytes: int = 0
    error: str | None = None
    retry_after_s: float | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        """True for a 2xx response whose body was read completely."""
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        """True when a conditional GET found nothing new (304)."""
        return self.status == 304

    @property
    def content_type(self) -> str | None:
        """The response's Content-Type header, if any."""
        return self.headers.get("content-type")


def is_blocked_address(address: str) -> bool:
    """True for loopback, private, link-local, multicast, reserved or unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise UnsafeURLError unless `url` is http(s) to a host with only public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(f"only http and https URLs are fetched, not {parts.scheme!r}: {url}")
    host = parts.hostname
    if not host:
        raise UnsafeURLError(f"URL has no host: {url}")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        address = str(info[4][0])
        if is_blocked_address(address):
            raise UnsafeURLError(
                f"{host} resolves to non-public address {address}; refused "
                "(set TIDINGS_ALLOW_PRIVATE_ADDRESSES=true to allow)"
            )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _CappedDecoder:
    """Decompresses a streamed body while enforcing raw and decompressed size caps."""

    def __init__(self, encoding: str, *, max_raw: int, max_out: int) -> None:
        self.max_raw, self.max_out = max_raw, max_out
        self.raw = 0
        self.parts: list[bytes] = []
        self.size = 0
        enc = encoding.strip().lower()
        if enc in ("", "identity"):
            self._zlib = None
        elif enc in ("gzip", "x-gzip", "deflate"):
            self._zlib = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes) -> None:
        """Add one raw chunk; raise BodyTooLargeError when a cap is passed."""
        self.raw += len(chunk)
        if self.raw > self.max_raw:
            raise BodyTooLargeError(f"body larger than {self.max_raw} bytes")
        if self._zlib is None:
            self._add(chunk)
            return
        try:
            # max_length bounds memory: a decompression bomb never expands past the cap + 1.
            self._add(self._zlib.decompress(chunk, self.max_out - self.size + 1))
            while self._zlib.unconsumed_tail:
                tail = self._zlib.unconsumed_tail
                self._add(self._zlib.decompress(tail, self.max_out - self.size + 1))
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body: {exc}") from exc

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_out:
            raise BodyTooLargeError(f"decompressed body larger than {self.max_out} bytes")
        self.parts.append(data)

    def body(self) -> bytes:
        """The decompressed body read so far."""
        return b"".join(self.parts)


class Fetcher:
    """An async HTTP client with the crawler's safety and politeness rules."""

    def __init__(self, settings: IngestSettings) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(settings.global_concurrency)
        self._host_sems: dict[str, asyncio.Semaphore] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._next_at: dict[str, float] = {}
        timeout = httpx.Timeout(
            settings.read_timeout_s, connect=settings.connect_timeout_s, pool=None
        )
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=settings.global_concurrency * 2),
            trust_env=False,
        )

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._client.aclose()

    @asynccontextmanager
    async def _host_slot(self, host: str) -> AsyncIterator[None]:
        """Hold a per-host slot after the politeness delay, then a global slot."""
        per_host = self.settings.per_host_concurrency
        sem = self._host_sems.setdefault(host, asyncio.Semaphore(per_host))
        lock = self._host_locks.setdefault(host, asyncio.Lock())
        async with sem:
            async with lock:
                wait = self._next_at.get(host, 0.0) - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_at[host] = time.monotonic() + self.settings.politeness_delay_s
            async with self._global:
                yield

    async def fetch(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        """GET `url` with retries and backoff; never raises for network or server trouble."""
        result = FetchResult(url=url)
        started = time.monotonic()
        for attempt in range(self.settings.max_retries + 1):
            result = await self._fetch_following(url, headers or {})
            result.attempts = attempt + 1
            if not self._should_retry(result, attempt):
                break
            delay = self.settings.retry_base_delay_s * (2**attempt)
            await asyncio.sleep(max(delay, result.retry_after_s or 0.0))
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        return result

    def _should_retry(self, result: FetchResult, attempt: int) -> bool:
        """Retry transient failures unless out of attempts or told to wait too long."""
        if attempt >= self.settings.max_retries:
            return False
        wait = result.retry_after_s
        if wait is not None and wait > self.settings.max_retry_after_s:
            return False
        if result.status in RETRY_STATUSES:
            return True
        return result.status is None and result.error is not None and "transient" in result.error

    async def _fetch_following(self, url: str, headers: dict[str, str]) -> FetchResult:
        """One attempt: follow redirects (each hop checked) up to the configured limit."""
        seen = [url]
        current = url
        for _ in range(self.settings.max_redirects + 1):
            result = await self._fetch_one(current, headers)
            result.url = url
            location = result.headers.get("location")
            if result.status not in REDIRECT_STATUSES or not location:
                return result
            current = urljoin(current, location)
            if current in seen:
                result.error = f"redirect loop: {' -> '.join([*seen, current])}"
                return result
            seen.append(current)
        result.error = f"more than {self.settings.max_redirects} redirects from {url}"
        return result

    async def _fetch_one(self, url: str, headers: dict[str, str]) -> FetchResult:
        """One request with no redirect following; errors become `result.error`."""
        result = FetchResult(url=url, final_url=url)
        try:
            await check_url(url, allow_private=self.settings.allow_private_addresses)
            host = urlsplit(url).hostname or ""
            async with self._host_slot(host):
                await self._send(url, headers, result)
        except (UnsafeURLError, FetchError) as exc:
            result.error = str(exc)
        except httpx.TimeoutException as exc:
            result.error = f"transient: timeout ({type(exc).__name__})"
        except httpx.TransportError as exc:
            result.error = f"transient: {type(exc).__name__}: {exc}"
        except httpx.HTTPError as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        return result

    async def _send(self, url: str, headers: dict[str, str], result: FetchResult) -> None:
        """Send the request and stream the body through the size caps into `result`."""
        request = self._client.build_request("GET", url, headers=headers)
        response = await self._client.send(request, stream=True)
        try:
            result.status = response.status_code
            result.headers = {k.lower(): v for k, v in response.headers.items()}
            result.retry_after_s = parse_retry_after(response.headers.get("retry-after"))
            if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                return
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.settings.max_body_bytes:
                raise BodyTooLargeError(
                    f"Content-Length {declared} above cap {self.settings.max_body_bytes}"
                )
            decoder = _CappedDecoder(
                response.headers.get("content-encoding", ""),
                max_raw=self.settings.max_body_bytes,
                max_out=self.settings.max_decompressed_bytes,
            )
            async for chunk in response.aiter_raw():
                decoder.feed(chunk)
            result.raw_bytes = decoder.raw
            result.content = decoder.body()
        finally:
            await response.aclose()
