"""Correlate benchmark: series and correlation for one entity over two years of daily buckets on
a store of 100,000 articles (target: well under a second).

Builds a synthetic store once (bulk inserts; articles over 730 days, half archived and half
crawled live, 5 % duplicates, 1-3 entity sentiments each, BTC in ~40 %) and a daily BTC-USD
series, then times, median of several runs after a warm-up:
- the series alone (`sentiment_series`, one SQL GROUP BY), against a baseline that loads the
  entity's rows through the ORM and aggregates them per day in Python (same numbers, checked);
- the whole `run_correlation` (series + market + lags -7..+7 with 1,000 bootstrap resamples,
  Granger both ways, event study, rolling correlation), and the same without the bootstrap.
Writes the "## Correlate" section of docs/BENCHMARKS.md (other sections are left as they are).
"""

import argparse
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchdoc import write_section  # noqa: E402
from sqlalchemy import Engine, insert, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from api.analytics import CorrelateOptions  # noqa: E402
from api.services.correlation import CorrelateRequest, run_correlation  # noqa: E402
from api.services.series import SeriesQuery, known_at, sentiment_series  # noqa: E402
from models.analysis import EntitySentiment  # noqa: E402
from models.articles import Article, PublishedFrom, TextSource  # noqa: E402
from models.db import init_engine  # noqa: E402
from models.market import MarketPoint, MarketSeries  # noqa: E402

DOC = REPO / "docs" / "BENCHMARKS.md"
START = datetime(2023, 1, 1)
DAYS = 730
OTHERS = [f"crypto:c{i}" for i in range(60)]


def _article_rows(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    rows = []
    offsets = np.sort(rng.uniform(0, DAYS * 86400, n))
    for i, off in enumerate(offsets):
        moment = START + timedelta(seconds=float(off))
        live = i % 2 == 0
        rows.append(
            {
                "id": i + 1,
                "url": f"https://example.com/{i}",
                "title": "",
                "content_hash": f"h{i}",
                "text": "x",
                "status": "done",
                "duplicate_of": i if i % 20 == 19 else None,
                "model_versions": {"sentiment": "minilm-fin-4", "entities": "kb-1"},
                "sentiment_score": float(rng.uniform(-1, 1)),
                "sentiment_confidence": float(rng.uniform(0.2, 1)),
                "text_source": TextSource.PAGE if live else TextSource.FILE,
                "published_from": PublishedFrom.FEED if live else PublishedFrom.RECORD,
                "published_at": (moment - timedelta(hours=1)) if live else moment,
                "first_seen_at": moment if live else datetime(2026, 12, 1),
            }
        )
    return rows


def build_store(engine: Engine, n: int, seed: int = 0) -> None:
    """The synthetic store: n articles, their entity sentiment and a daily BTC-USD series."""
    rng = np.random.default_rng(seed)
    articles = _article_rows(n, rng)
    sentiments = []
    for row in articles:
        ids = ["crypto:btc"] if rng.random() < 0.4 else []
        ids += list(rng.choice(OTHERS, size=int(rng.integers(1, 3)), replace=False))
        for entity_id in ids:
            sentiments.append(
                {
                    "article_id": row["id"],
                    "entity_id": entity_id,
                    "name": entity_id,
                    "score": float(rng.uniform(-1, 1)),
                    "confidence": float(rng.uniform(0.2, 1)),
                    "n": int(rng.integers(1, 5)),
                }
            )
    prices = 20_000 * np.exp(np.cumsum(0.03 * rng.standard_normal(DAYS + 10)))
    with Session(engine) as session:
        for chunk in range(0, n, 5000):
            session.execute(insert(Article), articles[chunk : chunk + 5000])
        for chunk in range(0, len(sentiments), 5000):
            session.execute(insert(EntitySentiment), sentiments[chunk : chunk + 5000])
        series = MarketSeries(symbol="BTC-USD", kind="ohlcv", unit="USD", source="yahoo")
        session.add(series)
        session.flush()
        assert series.id is not None
        for i, price in enumerate(prices):
            ts = START - timedelta(days=5) + timedelta(days=i)
            session.add(MarketPoint(series_id=series.id, ts=ts, day=ts.date(), value=price))
        session.commit()
    print(f"built {n:,} articles, {len(sentiments):,} entity sentiments")


def orm_baseline(session: Session) -> dict[date, tuple[int, float]]:
    """The naive way: load every row of the entity, aggregate per day in Python."""
    stmt = (
        select(EntitySentiment, Article, known_at())
        .join(Article, Article.id == EntitySentiment.article_id)  # type: ignore[arg-type]
        .where(EntitySentiment.entity_id == "crypto:btc")  # type: ignore[arg-type]
    )
    days: dict[date, list[float]] = defaultdict(list)
    for es, article, known in session.execute(stmt):
        if article.duplicate_of is None and article.status == "done":
            moment = known if isinstance(known, datetime) else datetime.fromisoformat(known)
            days[moment.astimezone(UTC).date() if moment.tzinfo else moment.date()].append(es.score)
    return {d: (len(v), float(np.mean(v))) for d, v in days.items()}


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float], Any, float]:
    """Median wall seconds over `repeats` runs after one warm-up, the runs, the last result and
    the median CPU seconds of this process (on a shared machine the wall time includes waiting
    for a core; the CPU time of an in-process SQLite query does not)."""
    result = fn()
    runs, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(runs), runs, result, statistics.median(cpu)


def measure(engine: Engine, repeats: int) -> dict[str, Any]:
    """Time the series, the baseline and the correlation on one store."""
    query = SeriesQuery(entity="crypto:btc", bucket="1d")
    out: dict[str, Any] = {"dialect": engine.dialect.name}
    with Session(engine) as session:
        out["series"] = timed(lambda: sentiment_series(session, query), repeats)
        out["series_nosov"] = timed(
            lambda: sentiment_series(session, replace(query, share_of_voice=False)), repeats
        )
        out["baseline"] = timed(lambda: orm_baseline(session), repeats)
        series, base = out["series"][2], out["baseline"][2]
        for i, t in enumerate(series.times):
            count, mean = base.get(t.date(), (0, float("nan")))
            assert count == series.articles[i], (t, count, series.articles[i])
            assert count == 0 or abs(mean - series.mean[i]) < 1e-9
        for label, boot in (("correlate", 1000), ("correlate_noboot", 0)):
            request = CorrelateRequest(
                series=query, market="BTC-USD", options=CorrelateOptions(max_lag=7, n_boot=boot)
            )
            out[label] = timed(partial(run_correlation, session, request), repeats)
    out["n"] = out["correlate"][2].report.n
    out["buckets"] = len(series.times)
    out["btc_articles"] = int(series.articles.sum())
    return out


def section(results: list[dict[str, Any]], n_articles: int) -> str:
    """The "## Correlate" section of docs/BENCHMARKS.md."""
    lines = []
    for r in results:
        for key, label in (
            ("baseline", "baseline: ORM rows + Python per-day aggregation"),
            ("series", "series (`sentiment_series`, SQL GROUP BY, with share of voice)"),
            ("series_nosov", "series without share of voice (what correlate reads)"),
            ("correlate_noboot", "series + correlation, no bootstrap"),
            ("correlate", "series + correlation, 1,000 bootstrap resamples per lag"),
        ):
            median, runs, _, cpu = r[key]
            runs_text = ", ".join(f"{x:.3f}" for x in runs)
            lines.append(f"| {r['dialect']} | {label} | {median:.3f} | {cpu:.3f} | {runs_text} |")
    r0 = results[0]
    load = f"{os.getloadavg()[0]:.1f}"
    table = "\n".join(lines)
    return f"""## Correlate

`python bench/correlate.py` — a synthetic store of {n_articles:,} articles over 730 days (half
archived, half crawled live, 5 % duplicates, 1-3 entity sentiments each; `crypto:btc` in
{r0["btc_articles"]:,} non-duplicate articles) and a daily BTC-USD series. One entity
(`crypto:btc`), 1d buckets ({r0["buckets"]} buckets, n = {r0["n"]} overlapping), lags -7..+7.
Median of the timed runs after one warm-up, wall clock and CPU time of the process (the machine is
shared, so wall time includes waiting for a core; an in-process SQLite query's CPU time does
not). The baseline's per-day counts and means are checked
equal to the series'.

| store | operation | median wall (s) | median CPU (s) | runs, wall (s) |
|---|---|---|---|---|
{table}

Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, 2 CPUs
shared with other jobs; measured {date.today().isoformat()} at a load average of {load}.
"""


def main() -> None:
    """Build (or reuse) the stores, measure and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sqlite", default="/tmp/tidings_bench_correlate.db")
    parser.add_argument("--pg", default=None, help="also a PostgreSQL URL (an empty database)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    results = []
    for url in [f"sqlite:///{args.sqlite}", args.pg]:
        if not url:
            continue
        engine = init_engine(url)
        with Session(engine) as session:
            if session.execute(select(Article.id).limit(1)).first() is None:  # type: ignore[call-overload]
                build_store(engine, args.articles)
        results.append(measure(engine, args.repeats))
        engine.dispose()
    text = section(results, args.articles)
    print(text)
    if not args.no_write:
        write_section("Correlate", text)


if __name__ == "__main__":
    main()
