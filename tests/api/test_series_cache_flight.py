"""The series cache computes a series asked for by many requests at once only once."""

import threading
import time
from typing import Any

import pytest

from api.services import series_cache
from api.services.series import SeriesQuery
from api.services.series_cache import SeriesCache


def test_concurrent_asks_compute_a_series_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[SeriesQuery] = []

    def slow_series(_session: Any, query: SeriesQuery, **_kw: Any) -> object:
        calls.append(query)
        time.sleep(0.3)
        return object()

    monkeypatch.setattr(series_cache, "store_stamp", lambda _session: (1, 1, "t"))
    monkeypatch.setattr(series_cache, "sentiment_series", slow_series)
    cache = SeriesCache()
    btc, eth = SeriesQuery(entity="crypto:btc"), SeriesQuery(entity="crypto:eth")
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda q=q: results.append(cache.series(None, q)))  # type: ignore[arg-type,misc]
        for q in [btc] * 8 + [eth] * 4
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(q.entity or "" for q in calls) == ["crypto:btc", "crypto:eth"]
    assert len(results) == 12 and len({id(r) for r in results}) == 2
    assert cache._flights == {}
