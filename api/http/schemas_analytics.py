"""Response bodies of the market, analytics, narrative and stream routes."""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.http.pagination import Page
from api.http.schemas import ArticleSummary, ClaimOut, UtcDatetime

Verdict = Literal["consistent", "approximate", "contradicted", "unverifiable"]
ClaimSort = Literal["relevance", "newest", "oldest", "value_asc", "value_desc"]


def _example(value: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class SeriesOut(BaseModel):
    """A market series with its first and last point and how many points it holds."""

    model_config = _example(
        {"id": 1, "symbol": "BTCUSDT", "source": "binance", "kind": "ohlcv", "unit": "USD",
         "interval": "1d", "entity_id": "crypto:btc", "day_close": "utc-00:00",
         "first": "2017-08-17T00:00:00", "last": "2025-11-30T00:00:00", "count": 3028}
    )  # fmt: skip
    id: int
    symbol: str
    source: str
    kind: str
    unit: str
    interval: str
    entity_id: str | None
    day_close: str | None
    first: str | None
    last: str | None
    count: int


class PointOut(BaseModel):
    """One bar or value (a bucket of them when resampled); `ts` is the bar start (UTC)."""

    model_config = _example(
        {"ts": "2025-11-18T00:00:00+00:00", "day": "2025-11-18", "open": 92100.0,
         "high": 93400.5, "low": 89250.0, "close": 92950.1, "volume": 31245.7, "value": 92950.1}
    )  # fmt: skip
    ts: UtcDatetime
    day: date | None
    open: float | None
    high: float | None
    low: float | None
    close: float | None
    volume: float | None
    value: float


class SeriesPoints(Page[PointOut]):
    """A page of a series' points at `interval`."""

    series: SeriesOut
    interval: str


class RowProblem(BaseModel):
    """A CSV row that was not loaded (or was set aside on purpose), by line (1 = header)."""

    line: int
    reason: str


class ImportOut(BaseModel):
    """What an upload stored: rows read, points written, bad rows and rows set aside with their
    line numbers (the first 1000 of each listed, all counted)."""

    model_config = _example(
        {"rows": 3, "points": 2, "new": 2, "series": [
            {"symbol": "BTC-USD", "source": "file", "kind": "ohlcv", "entity_id": "crypto:btc",
             "points": 2, "new": 2}],
         "errors": [{"line": 3, "reason": "close: 'abc' is not a number"}], "set_aside": [],
         "bad_rows": 1, "set_aside_rows": 0}
    )  # fmt: skip
    rows: int
    points: int
    new: int
    series: list[dict[str, Any]]
    errors: list[RowProblem]
    set_aside: list[RowProblem]
    bad_rows: int
    set_aside_rows: int


class CheckOut(ClaimOut):
    """An observation claim held against the market data, with its verdict."""

    model_config = _example(  # type: ignore[assignment]  # merged into SQLModel's config
        {"id": 7, "article_id": 1, "start": 32, "end": 44, "text": "$523 million",
         "value": 523000000.0, "unit": "USD", "unit_inferred": False, "metric": "outflow",
         "subject": "bitcoin ETFs", "subject_id": "crypto:btc", "direction": "down",
         "claim_type": "observation",
         "time_start": "2025-11-17", "time_end": "2025-11-17", "time_text": "Monday",
         "attributed_to": "Farside", "qualifier": None, "sentence_index": 0, "stance": None,
         "sentence_text": "US spot bitcoin ETFs saw net outflows of $523 million on Monday.",
         "verdict": "contradicted", "reference_value": -254600000.0, "reference_low": None,
         "reference_high": None, "series": "US-SPOT-BTC-ETF-FLOW", "relative_error": 1.05,
         "reason": None}
    )  # fmt: skip

    verdict: Verdict
    reference_value: float | None
    reference_low: float | None
    reference_high: float | None
    series: str | None
    relative_error: float | None
    reason: str | None


class ScoreRowOut(BaseModel):
    key: str
    n: int
    hit: int
    missed: int
    open: int
    hit_rate: float | None
    ci_low: float | None
    ci_high: float | None
    median_days_to_hit: float | None


class ScorecardOut(BaseModel):
    """Forecasts resolved on price paths (`tidings forecasts score --json` without the items)."""

    model_config = _example(
        {"forecasts": 12, "resolvable": 7, "resolved": 5, "hit": 3, "missed": 2, "open": 2,
         "unresolvable": 5, "median_days_to_hit": 21.0, "by": "source", "scorecard": [
             {"key": "Standard Chartered", "n": 2, "hit": 1, "missed": 1, "open": 0,
              "hit_rate": 0.5, "ci_low": 0.09, "ci_high": 0.91, "median_days_to_hit": 40.0}]}
    )  # fmt: skip
    forecasts: int
    resolvable: int
    resolved: int
    hit: int
    missed: int
    open: int
    unresolvable: int
    median_days_to_hit: float | None
    by: Literal["source", "author", "outlet"]
    scorecard: list[ScoreRowOut]


class MarketRef(BaseModel):
    symbol: str
    source: str
    kind: str
    transform: str
    horizon: int


class CorrelationOut(BaseModel):
    """`tidings correlate --json`: lag profile, Granger tests both ways and an event study."""

    model_config = _example(
        {"scope": "entity:crypto:btc", "signal": "mean", "market": {
            "symbol": "BTC-USD", "source": "yahoo", "kind": "ohlcv", "transform": "log_return",
            "horizon": 1}, "bucket": "1d", "start": "2025-01-01T00:00:00",
         "end": "2025-06-30T00:00:00", "articles": 4210,
         "model_versions": [{"versions": {"sentiment": "v3"}, "articles": 4210}],
         "mixed_versions": False, "n": 180, "max_lag": 7, "null_band": 0.146,
         "lags": [{"lag": 1, "n": 179, "pearson": 0.21}], "significant_lags": [1],
         "granger": {"sentiment_to_market": {}, "market_to_sentiment": {}},
         "event_study": {"up": {"direction": "up", "n_events": 4, "windows": []}}}
    )  # fmt: skip
    scope: str
    signal: str
    market: MarketRef
    bucket: str
    start: str | None
    end: str | None
    articles: int
    model_versions: list[dict[str, Any]]
    mixed_versions: bool
    n: int
    max_lag: int
    null_band: float | None
    lags: list[dict[str, Any]]
    significant_lags: list[int]
    granger: dict[str, Any]
    event_study: dict[str, Any]


class NarrativeOut(BaseModel):
    """A narrative of the taxonomy (or a discovered candidate) with its stored sentence count."""

    model_config = _example(
        {"id": "etf-flows", "kind": "built-in", "name": "ETF flows",
         "keywords": ["etf", "inflows", "outflows"], "sentences": 312}
    )  # fmt: skip
    id: str
    kind: str
    name: str
    keywords: list[str]
    sentences: int


class NarrativeSentence(BaseModel):
    article_id: int
    sentence_index: int
    sentence: str
    score: float
    url: str
    title: str
    published_at: UtcDatetime | None


class NarrativeDetail(NarrativeOut):
    """One narrative: description, seeds, counts, its latest sentences and articles."""

    model_config = _example(
        {"id": "etf-flows", "kind": "built-in", "name": "Spot ETF flows", "keywords": ["etf"],
         "sentences": 2, "articles": 1, "description": "Money moving in and out of spot ETFs.",
         "seeds": ["Spot bitcoin ETFs saw record inflows."], "recent": [
             {"article_id": 1, "sentence_index": 0, "score": 0.71,
              "sentence": "US spot bitcoin ETFs saw net outflows of $523 million on Monday.",
              "url": "https://example.com/etf", "title": "ETF outflows deepen",
              "published_at": "2025-11-18T00:00:00Z"}], "recent_articles": []}
    )  # fmt: skip

    description: str
    seeds: list[str]
    articles: int
    recent: list[NarrativeSentence]
    recent_articles: list[ArticleSummary]


class StreamEvent(BaseModel):
    """The data of one `article` event of GET /stream."""

    article: ArticleSummary
    processed_at: UtcDatetime
    claims: list[ClaimOut] = Field(default_factory=list)
