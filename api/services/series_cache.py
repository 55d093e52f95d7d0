"""Series answered from memory while the store has not changed since they were computed.

A series aggregates every article of its scope, so it costs a scan however narrow the answer;
the API asks the same few again and again. The stamp — article count, newest article id, newest
processing time (all from indexes) — changes whenever an article is added, removed, processed or
reprocessed; it is read at most once a second, so a series is at most a second behind the store.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from api.services.series import SentimentSeries, SeriesQuery, sentiment_series
from models.articles import Article


def store_stamp(session: Session) -> tuple[Any, ...]:
    """What changes whenever the articles behind any series change."""
    count = session.execute(select(func.count()).select_from(Article)).scalar_one()
    newest = session.execute(select(func.max(col(Article.id)))).scalar_one()
    processed = session.execute(select(func.max(col(Article.processed_at)))).scalar_one()
    return count, newest, str(processed)


class SeriesCache:
    """An LRU of series keyed by query and store stamp, safe across request threads; a series
    asked for by many requests at once is computed by one of them while the others wait."""

    def __init__(self, size: int = 256, stamp_ttl: float = 1.0) -> None:
        self.size = size
        self.stamp_ttl = stamp_ttl
        self._items: OrderedDict[tuple[Any, ...], SentimentSeries] = OrderedDict()
        self._lock = threading.Lock()
        self._stamp: tuple[float, tuple[Any, ...]] | None = None
        # articles per bucket of every scope's share of voice, for the store as of _totals_stamp
        self._totals: dict[Any, dict[str, int]] = {}
        self._totals_stamp: tuple[Any, ...] | None = None
        self._bodies: dict[int, tuple[SentimentSeries, bytes]] = {}
        # one lock per series being computed: concurrent asks for it wait for that one result
        self._flights: dict[tuple[Any, ...], threading.Lock] = {}

    def _current_stamp(self, session: Session) -> tuple[Any, ...]:
        """The store stamp, read at most once per `stamp_ttl` seconds (counting the articles is
        a scan of an index; under load it would cost more than the answer from memory)."""
        now = time.monotonic()
        with self._lock:
            if self._stamp is not None and now - self._stamp[0] < self.stamp_ttl:
                return self._stamp[1]
        stamp = store_stamp(session)
        with self._lock:
            self._stamp = (now, stamp)
        return stamp

    def series(self, session: Session, query: SeriesQuery) -> SentimentSeries:
        """`sentiment_series(session, query)`, from memory when the store is unchanged (as
        seen at most `stamp_ttl` seconds ago)."""
        stamp = self._current_stamp(session)
        key = (query, stamp)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            try:
                with self._lock:
                    if key in self._items:  # computed while this request waited
                        return self._items[key]
                    if self._totals_stamp != stamp or len(self._totals) > self.size:
                        self._totals, self._totals_stamp = {}, stamp
                    totals = self._totals
                result = sentiment_series(session, query, totals_cache=totals)
                with self._lock:
                    self._items[key] = result
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
                return result
            finally:
                with self._lock:
                    self._flights.pop(key, None)

    def rendered(
        self, series: SentimentSeries, render: Callable[[SentimentSeries], bytes]
    ) -> bytes:
        """`render(series)`, kept while `series` is cached (a series of hundreds of buckets
        costs more to serialize than to look up)."""
        with self._lock:
            hit = self._bodies.get(id(series))
            if hit is not None and hit[0] is series:
                return hit[1]
        body = render(series)
        with self._lock:
            self._bodies[id(series)] = (series, body)  # the reference keeps the id unique
            while len(self._bodies) > self.size:
                self._bodies.pop(next(iter(self._bodies)))
        return body
