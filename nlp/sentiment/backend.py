"""The sentiment backend protocol, helpers every backend shares, and the result cache.

Backends (embedded, hf) import this module; nlp.sentiment.registry, above them, picks one by name.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from nlp.errors import NlpError
from nlp.sentiment.labels import LABELS

Probs = dict[str, float]


class SentimentError(NlpError):
    """A sentiment backend cannot be built or run."""


@runtime_checkable
class SentimentBackend(Protocol):
    """Classifies sentences into negative / neutral / positive probabilities."""

    name: str
    version: str

    def predict(self, texts: Sequence[str]) -> list[Probs]:
        """One {negative, neutral, positive} probability dict per text, in input order."""
        ...


def length_sorted_batches(lengths: Sequence[int], size: int) -> Iterator[list[int]]:
    """Indices in batches of `size`, shortest items first, so that each batch pads little;
    callers write each batch's results back by index (input order is kept)."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    for start in range(0, len(order), size):
        yield order[start : start + size]


def score_of(probs: Probs) -> float:
    """Signed score in [-1, 1]: p(positive) − p(negative)."""
    return probs["positive"] - probs["negative"]


def label_of(probs: Probs) -> str:
    """The most probable label (ties resolved in LABELS order)."""
    return max(LABELS, key=lambda lab: probs[lab])


def text_hash(text: str) -> str:
    """Cache key of a sentence."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class CachedBackend:
    """Wraps a backend with a thread-safe LRU cache keyed by the sentence hash."""

    def __init__(self, inner: SentimentBackend, *, size: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = inner.version
        self.size = size
        self.hits = 0
        self.misses = 0
        self._cache: OrderedDict[str, Probs] = OrderedDict()
        self._lock = threading.Lock()

    def predict(self, texts: Sequence[str]) -> list[Probs]:
        """Cached results where known; the rest in one call to the wrapped backend."""
        keys = [text_hash(t) for t in texts]
        out: dict[str, Probs] = {}
        with self._lock:
            for key in keys:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    out[key] = self._cache[key]
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in out}
        self.hits += len(keys) - sum(1 for k in keys if k in todo)
        self.misses += len(todo)
        if todo:
            fresh = self.inner.predict(list(todo.values()))
            with self._lock:
                for key, probs in zip(todo, fresh, strict=True):
                    out[key] = probs
                    self._cache[key] = probs
                    self._cache.move_to_end(key)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return [dict(out[k]) for k in keys]

    def clear(self) -> None:
        """Forget every cached result."""
        with self._lock:
            self._cache.clear()
