"""The sentiment backends by name (TIDINGS_SENTIMENT_BACKEND) and the one way to build one.

This module sits above the backends: it imports them, they import only nlp.sentiment.backend.
"""

from collections.abc import Callable

from nlp.sentiment.backend import CachedBackend, SentimentBackend, SentimentError
from nlp.sentiment.embedded import embedded_factory
from nlp.sentiment.hf import hf_factory
from nlp.sentiment.settings import SentimentSettings

BackendFactory = Callable[[SentimentSettings], SentimentBackend]
BACKENDS: dict[str, BackendFactory] = {"embedded": embedded_factory, "hf": hf_factory}


def available_backends() -> list[str]:
    """Names of the backends TIDINGS_SENTIMENT_BACKEND may choose."""
    return sorted(BACKENDS)


def create_backend(settings: SentimentSettings) -> SentimentBackend:
    """Build the backend named by the settings, wrapped in the LRU result cache."""
    factory = BACKENDS.get(settings.sentiment_backend)
    if factory is None:
        raise SentimentError(
            f"unknown sentiment backend {settings.sentiment_backend!r}; "
            f"choose one of {', '.join(available_backends())}"
        )
    backend = factory(settings)
    if settings.sentiment_cache_size > 0:
        return CachedBackend(backend, size=settings.sentiment_cache_size)
    return backend
