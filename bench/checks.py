"""Claim-check benchmark: check and resolve every claim of a 100k-article store.

Builds (once, then reuses) a SQLite store of N synthetic articles (default 100,000), each with
ten claims shaped like the extractor's output: ETF flow observations (total and per fund, one-
to five-day periods), BTC/ETH price observations, a SOFR level, two price forecasts and three
claims no series can check. Their values are the real data's, moved by a random error, so every
verdict kind occurs. Market series are the real ones, read at run time from ../shared/data
(Farside BTC ETF totals and per-fund flows, Binance BTCUSDT/ETHUSDT daily bars, FRED SOFR).

Times, in one run: the baseline (reading the same claim columns, the floor any check pays),
`check_claims` (map, judge, store every verdict) and `resolve_forecasts` (resolve, store). Writes
the figures under "## Claim checks" in docs/BENCHMARKS.md.
"""

import argparse
import csv
import json
import os
import platform
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchdoc import write_section  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from api.services.checks import check_claims, observation_claims, summary  # noqa: E402
from api.services.forecasts import resolve_forecasts  # noqa: E402
from models.articles import Article  # noqa: E402
from models.claims import Claim  # noqa: E402
from models.db import init_engine  # noqa: E402
from models.market import MarketPoint, MarketSeries  # noqa: E402

DATA = REPO.parent / "shared" / "data"
DOC = REPO / "docs" / "BENCHMARKS.md"
FUNDS = ["IBIT", "FBTC", "BITB", "ARKB", "GBTC"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _add_series(session: Session, series: MarketSeries, points: list[dict[str, object]]) -> None:
    session.add(series)
    session.flush()
    session.execute(insert(MarketPoint), [p | {"series_id": series.id} for p in points])


def _day_point(day: str, value: float, **bar: float) -> dict[str, object]:
    d = date.fromisoformat(day)
    return {"ts": datetime(d.year, d.month, d.day), "day": d, "value": value, **bar}


def load_market(session: Session) -> dict[str, dict[date, tuple[float, float, float]]]:
    """The real series into the store; returns per symbol day -> (low, high, value)."""
    known: dict[str, dict[date, tuple[float, float, float]]] = {}
    total = [
        (r["date"], float(r["total_usd_m"]) * 1e6)
        for r in _rows(DATA / "etf-flows" / "farside_btc_etf_total_daily_clean.csv")
    ]
    _add_series(
        session,
        MarketSeries(
            symbol="US-SPOT-BTC-ETF-FLOW",
            kind="flow",
            unit="USD",
            source="farside",
            entity_id="etf:us-spot-bitcoin-etfs",
        ),
        [_day_point(d, v) for d, v in total],
    )
    known["total"] = {date.fromisoformat(d): (v, v, v) for d, v in total}
    wide = _rows(DATA / "etf-flows" / "farside_btc_etf_flows_wide_daily.csv")[:-1]
    wide = [r for r in wide if date.fromisoformat(r["date"]).weekday() < 5]
    for fund in FUNDS:
        flows = [(r["date"], float(r[fund]) * 1e6) for r in wide]
        _add_series(
            session,
            MarketSeries(
                symbol=f"{fund}-FLOW",
                kind="flow",
                unit="USD",
                source="farside",
                entity_id=f"etf:{fund.lower()}",
            ),
            [_day_point(d, v) for d, v in flows],
        )
        known[fund] = {date.fromisoformat(d): (v, v, v) for d, v in flows}
    for asset in ("BTC", "ETH"):
        bars = _rows(DATA / "crypto-daily-2017-2026" / f"binance_{asset}USDT_1d.csv")[:-1]
        points = [
            _day_point(
                r["timestamp"],
                float(r["close"]),
                open=float(r["open"]),
                high=float(r["high"]),
                low=float(r["low"]),
                close=float(r["close"]),
            )
            for r in bars
        ]
        _add_series(
            session,
            MarketSeries(
                symbol=f"{asset}USDT",
                kind="ohlcv",
                unit="USD",
                source="binance",
                entity_id=f"crypto:{asset.lower()}",
            ),
            points,
        )
        known[asset] = {p["day"]: (p["low"], p["high"], p["value"]) for p in points}  # type: ignore[misc]
    sofr = [
        (r["observation_date"], float(r["SOFR"]))
        for r in _rows(DATA / "macro-daily" / "fred_SOFR.csv")
        if r["SOFR"] not in {"", "."}
    ]
    _add_series(
        session,
        MarketSeries(
            symbol="SOFR", kind="rate", unit="PERCENT", source="fred", entity_id="macro:sofr"
        ),
        [_day_point(d, v) for d, v in sofr],
    )
    known["SOFR"] = {date.fromisoformat(d): (v, v, v) for d, v in sofr}
    return known


def _claim(article_id: int, **fields: object) -> dict[str, object]:
    base = {
        "article_id": article_id,
        "start": 0,
        "end": 1,
        "sentence_text": "",
        "text": "",
        "unit": "USD",
        "direction": None,
        "qualifier": None,
        "claim_type": "observation",
        "subject": None,
        "subject_id": None,
        "time_start": None,
        "time_end": None,
        "attributed_to": None,
    }
    return base | fields


def _noise(rng: random.Random) -> float:
    """Mostly rounding-sized errors, some larger ones, a few wrong figures."""
    return rng.choice([0.0, 0.005, -0.01, 0.02, -0.03, 0.1, -0.15, 0.5, 1.0])


Known = dict[str, dict[date, tuple[float, float, float]]]


def article_claims(
    rng: random.Random, aid: int, *, day: date, known: Known
) -> list[dict[str, object]]:
    """Ten claims for one article published on `day`."""
    out = []
    week = [day - timedelta(days=k) for k in range(1, 8) if (day - timedelta(days=k)).weekday() < 5]
    fund = rng.choice(["total", *FUNDS])
    start, end = min(week[: rng.randint(1, 5)]), week[0]
    flow = sum(
        known[fund][start + timedelta(days=k)][2]
        for k in range((end - start).days + 1)
        if start + timedelta(days=k) in known[fund]
    )
    value = abs(flow) * (1 + _noise(rng))
    sid = "etf:us-spot-bitcoin-etfs" if fund == "total" else f"etf:{fund.lower()}"
    metric = "outflow" if flow < 0 else "inflow"
    out.append(
        _claim(
            aid,
            text=f"${value / 1e6:,.0f} million",
            value=round(value, -6),
            metric=metric,
            subject_id=sid,
            time_start=start,
            time_end=end,
            sentence_text="ETF flows",
        )
    )
    out.append(
        _claim(
            aid,
            text="$5 million",
            value=5e6,
            metric="net_flow",
            direction="up",
            subject_id="etf:us-spot-bitcoin-etfs",
            time_start=day - timedelta(days=1),
            time_end=day - timedelta(days=1),
            sentence_text="ETF",
        )
    )
    for asset in ("BTC", "ETH"):
        close = known[asset][day - timedelta(days=1)][2]
        price = close * (1 + _noise(rng) / 5)
        out.append(
            _claim(
                aid,
                text=f"${price:,.0f}",
                value=round(price),
                metric="price",
                subject_id=f"crypto:{asset.lower()}",
                time_start=day - timedelta(days=1),
                time_end=day - timedelta(days=1),
            )
        )
        for k in (1, 2):
            level = round(close * (1 + rng.choice([-1, 1]) * 0.05 * k * rng.random()), -3)
            out.append(
                _claim(
                    aid,
                    text=f"${level:,.0f}",
                    value=level,
                    metric="price_target",
                    claim_type="forecast",
                    subject_id=f"crypto:{asset.lower()}",
                    direction="up" if level > close else "down",
                    attributed_to=f"analyst {rng.randint(1, 200)}",
                )
            )
    out.append(
        _claim(
            aid,
            text="4.3%",
            value=4.3,
            unit="PERCENT",
            metric="rate",
            subject_id="macro:sofr",
            time_start=day - timedelta(days=1),
            time_end=day - timedelta(days=1),
        )
    )
    out.append(
        _claim(
            aid,
            text="$116 million",
            value=116e6,
            metric="hack_loss",
            subject_id="protocol:balancer",
            time_start=day,
            time_end=day,
        )
    )
    return out[:10]


def build(path: Path, n: int, seed: int = 18) -> None:
    """A fresh store of `n` articles published 2024-02-01 .. 2025-08-29 on weekdays."""
    engine = init_engine(f"sqlite:///{path}")
    rng = random.Random(seed)
    days = [date(2024, 2, 1) + timedelta(days=k) for k in range(576)]
    days = [d for d in days if d.weekday() < 5]
    with Session(engine) as session:
        known = load_market(session)
        # The full-text triggers cost most of a bulk load and play no part in checking.
        for trigger in ("claim_fts_ai", "claim_fts_ad", "claim_fts_au"):
            session.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        session.commit()
        for chunk in range(0, n, 5000):
            articles, claims = [], []
            for aid in range(chunk + 1, min(n, chunk + 5000) + 1):
                day = rng.choice(days)
                articles.append(
                    {
                        "id": aid,
                        "url": f"https://bench.test/{aid}",
                        "title": "",
                        "text": "",
                        "content_hash": f"h{aid}",
                        "status": "done",
                        "published_at": datetime(day.year, day.month, day.day, 14, tzinfo=UTC),
                        "first_seen_at": datetime.now(UTC),
                    }
                )
                claims.extend(article_claims(rng, aid, day=day, known=known))
            session.execute(insert(Article), articles)
            session.execute(insert(Claim), claims)
            session.commit()
            print(f"built {min(n, chunk + 5000):,} articles", flush=True)
    engine.dispose()


def clear_results(path: Path) -> None:
    """Drop stored verdicts and resolutions, so that every measured run is a first check."""
    engine = init_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        for table in ("claimcheck", "forecastresolution"):
            session.execute(text(f"DELETE FROM {table}"))
        session.commit()
    engine.dispose()


def recheck(session: Session) -> tuple[float, float]:
    """Wall and CPU seconds of checking and resolving again, replacing the stored results."""
    t0, c0 = time.perf_counter(), time.process_time()
    check_claims(session)
    resolve_forecasts(session)
    session.commit()
    return time.perf_counter() - t0, time.process_time() - c0


def measure(path: Path) -> dict[str, object]:
    """Baseline read, check and resolve times on the store (one run each, a warm-up read first)."""
    clear_results(path)
    engine = init_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        articles = session.execute(text("select count(*) from article")).scalar_one()
        claims = session.execute(text("select count(*) from claim")).scalar_one()
        sum(1 for _ in observation_claims(session))  # warm the page cache
        t0, c0 = time.perf_counter(), time.process_time()
        observed = sum(1 for _ in observation_claims(session))
        baseline, baseline_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        results = check_claims(session)
        session.commit()
        check_s, check_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        resolved = resolve_forecasts(session)
        session.commit()
        resolve_s, resolve_cpu = time.perf_counter() - t0, time.process_time() - c0
        recheck_s, recheck_cpu = recheck(session)
    engine.dispose()
    statuses: dict[str, int] = {}
    for r in resolved:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return {
        "articles": articles,
        "claims": claims,
        "observations": observed,
        "baseline_s": baseline,
        "baseline_cpu": baseline_cpu,
        "check_cpu": check_cpu,
        "resolve_cpu": resolve_cpu,
        "check_s": check_s,
        "resolve_s": resolve_s,
        "recheck_s": recheck_s,
        "recheck_cpu": recheck_cpu,
        "verdicts": summary(results),
        "forecasts": len(resolved),
        "statuses": statuses,
    }


def _before_rows(before: dict[str, object] | None) -> str:
    """Table rows for the same store checked by the previous code, measured in the same session."""
    if before is None:
        return ""
    f = {k: float(str(v)) for k, v in before.items() if k.endswith(("_s", "_cpu"))}
    total, total_cpu = f["check_s"] + f["resolve_s"], f["check_cpu"] + f["resolve_cpu"]
    code = before.get("code", "previous code")
    return f"""| before ({code}): `claims check` | {f["check_s"]:.2f} | {f["check_cpu"]:.2f} |
| before: `forecasts score` | {f["resolve_s"]:.2f} | {f["resolve_cpu"]:.2f} |
| before: check + resolve | {total:.2f} | {total_cpu:.2f} |
| before: again, replacing the stored results | {f.get("recheck_s", float("nan")):.2f} \
| {f.get("recheck_cpu", float("nan")):.2f} |
"""


def section(r: dict[str, object], before: dict[str, object] | None = None) -> str:
    """The "## Claim checks" section of docs/BENCHMARKS.md."""
    f = {k: float(str(v)) for k, v in r.items() if k.endswith(("_s", "_cpu"))}
    total, total_cpu = f["check_s"] + f["resolve_s"], f["check_cpu"] + f["resolve_cpu"]
    verdicts = ", ".join(f"{k} {v:,}" for k, v in dict(r["verdicts"]).items())  # type: ignore[call-overload]
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(dict(r["statuses"]).items()))  # type: ignore[call-overload]
    same = ""
    if before is not None:
        kept = before["verdicts"] == r["verdicts"] and before["statuses"] == r["statuses"]
        same = " The previous code gave the same counts." if kept else " THE COUNTS DIFFER."
    return f"""## Claim checks

`python bench/checks.py` — a SQLite store of {r["articles"]:,} synthetic articles with
{r["claims"]:,} claims shaped like the extractor's (ETF flows per fund and in total over one to
five trading days, BTC/ETH prices, SOFR, price forecasts, claims no series checks; values are the
real data's moved by a random error), held against the real series of ../shared/data (Farside
totals and per-fund flows, Binance BTCUSDT/ETHUSDT, FRED SOFR). One run; each figure includes
storing the results, on a store without earlier results (a first check). Target: checking and
resolving every claim in under a minute. Wall time and the process's CPU time are both given:
on a shared machine the wall time mostly measures the wait for a core (see the load average),
the CPU time what the work costs. `--before FILE` adds the figures of the previous code measured
on the same store in the same session (`measure()` of that code, saved as JSON).

| figure | wall (s) | CPU (s) |
|---|---|---|
| observation claims read, baseline ({r["observations"]:,} rows) | {f["baseline_s"]:.2f} \
| {f["baseline_cpu"]:.2f} |
| `claims check`: map, judge, store every verdict | {f["check_s"]:.2f} | {f["check_cpu"]:.2f} |
| `forecasts score`: resolve and store every forecast ({r["forecasts"]:,}) | \
{f["resolve_s"]:.2f} | {f["resolve_cpu"]:.2f} |
| check + resolve | {total:.2f} | {total_cpu:.2f} |
| again, replacing the stored results (a re-run) | {f["recheck_s"]:.2f} | {f["recheck_cpu"]:.2f} |
{_before_rows(before)}
Verdicts: {verdicts}. Statuses: {statuses}.{same}

Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, 2 CPUs
shared with other jobs; measured {date.today().isoformat()}, load average {os.getloadavg()[0]:.1f}.
"""


def main() -> None:
    """Build the store when missing, measure and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--store", type=Path, default=Path("/tmp/tidings-bench-checks.db"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--before", type=Path, help="JSON of the previous code's measure()")
    parser.add_argument("--json", type=Path, help="also save this run's figures as JSON")
    args = parser.parse_args()
    if not args.store.exists():
        build(args.store, args.articles)
    result = measure(args.store)
    if args.json:
        args.json.write_text(json.dumps(result), encoding="utf-8")
    before = json.loads(args.before.read_text(encoding="utf-8")) if args.before else None
    body = section(result, before)
    print(body)
    if not args.no_write:
        write_section("Claim checks", body)


if __name__ == "__main__":
    main()
