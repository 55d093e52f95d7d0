"""Errors the crawler raises on purpose; bad input from the web is recorded, not raised."""


class IngestError(Exception):
    """Base class for every error the ingest package raises on purpose."""


class UnsafeURLError(IngestError):
    """A URL that the crawler refuses: a scheme other than http(s) or a private address."""


class FetchError(IngestError):
    """A fetch that failed after all retries (network error, bad status, size cap)."""


class BodyTooLargeError(FetchError):
    """A response body (raw or decompressed) above the configured cap."""


class SourceError(IngestError):
    """A source registry operation that cannot be done (unknown source, bad OPML)."""


class ImportFormatError(IngestError):
    """A file given to `tidings import` that cannot be read as the requested format."""
