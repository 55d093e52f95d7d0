"""HTTP API benchmark: 32 concurrent clients against the real server on a store of >= 1M claims.

The store (bench/api_store.py: real 2023 articles processed once by the real pipeline, then
replicated in SQL with new ids and shifted dates) is built once into `--store` (SQLite) or the
PostgreSQL database `--db-url`, and reused when it is already big enough. The server is
`tidings serve --workers N` in a subprocess; each scenario runs `--clients` async clients for
`--seconds`, each sending its next request when the last one is answered, with parameters drawn
at random (seeded) from what the store holds; then (`--rate`) a paced, open-loop run that starts
requests on a fixed schedule. Reported per scenario: requests, errors (non-2xx or transport),
throughput, p50 / p99 latency, and the server's CPU seconds; and the server's peak RSS over the
whole run (the supervisor and its workers summed, sampled from /proc every 100 ms). The load
generator shares the machine's cores with the server. Writes "## HTTP API" in
docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from api_report import render  # noqa: E402
from api_store import build_store, store_summary  # noqa: E402
from benchdoc import write_section  # noqa: E402
from sqlalchemy import Engine, func, select, text  # noqa: E402

from models.articles import Article  # noqa: E402
from models.db import init_engine  # noqa: E402

WORDS = ["bitcoin", "etf", "inflows", "liquidations", "binance", "ether", "million", "price",
         "sec", "miners", "\"spot bitcoin\"", "fed rates"]  # fmt: skip
EXPORT_ROWS = 2000
Request = Callable[[random.Random], tuple[str, dict[str, Any]]]


@dataclass
class Pools:
    """What the store holds, to draw request parameters from."""

    article_ids: tuple[list[int], int, int]  # base ids, id stride, copies: id = base + k * stride
    entities: list[str]
    metrics: list[tuple[str, float]]  # (metric, a min_value that keeps about half)
    first_day: date
    last_day: date


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def load_pools(engine: Engine) -> Pools:
    """Entity ids, metrics with a median value, the id and date ranges of the store."""
    with engine.connect() as conn:
        top = conn.execute(text(
            "SELECT subject_id FROM claim WHERE subject_id IS NOT NULL AND id < 5000 "
            "GROUP BY subject_id ORDER BY count(*) DESC LIMIT 8")).scalars().all()  # fmt: skip
        metrics = conn.execute(text(
            "SELECT metric, avg(value) FROM claim WHERE metric IS NOT NULL AND value IS NOT NULL "
            "AND id < 5000 GROUP BY metric ORDER BY count(*) DESC LIMIT 6")).all()  # fmt: skip
        first, last = conn.execute(select(func.min(Article.published_at),
                                          func.max(Article.published_at))).one()  # fmt: skip
        base = (
            conn.execute(text("SELECT id FROM article WHERE url NOT LIKE '%#copy-%' ORDER BY id"))
            .scalars()
            .all()
        )
        first_copy = conn.execute(text(
            "SELECT min(id) FROM article WHERE url LIKE '%#copy-%'")).scalar_one()  # fmt: skip
        total = conn.execute(select(func.count()).select_from(Article)).scalar_one()
    as_day = [date.fromisoformat(str(d)[:10]) for d in (first, last)]
    stride = int(first_copy) - base[0] if first_copy else 1
    ids = (list(base), stride, int(total) // len(base) - 1)
    return Pools(article_ids=ids, entities=list(top),
                 metrics=[(m, float(v)) for m, v in metrics], first_day=as_day[0],
                 last_day=as_day[1])  # fmt: skip


def _day(pools: Pools, rng: random.Random) -> date:
    span = (pools.last_day - pools.first_day).days
    return pools.first_day + timedelta(days=rng.randrange(max(1, span)))


def _article_id(pools: Pools, rng: random.Random) -> int:
    base, stride, copies = pools.article_ids
    return rng.choice(base) + rng.randrange(copies + 1) * stride


def scenarios(pools: Pools) -> dict[str, Request]:
    """Name -> a function drawing (path, params) for one request."""

    def by_dates(rng: random.Random) -> tuple[str, dict[str, Any]]:
        since = _day(pools, rng)
        return "/claims", {"since": since, "until": since + timedelta(days=rng.randrange(1, 30))}

    def by_metric(rng: random.Random) -> tuple[str, dict[str, Any]]:
        metric, value = rng.choice(pools.metrics)
        return "/claims", {"metric": metric, "min_value": value}

    return {
        "claims: entity": lambda r: ("/claims", {"entity": r.choice(pools.entities)}),
        "claims: metric + min_value": by_metric,
        "claims: date range": by_dates,
        "claims: free text q": lambda r: ("/claims", {"q": r.choice(WORDS)}),
        "sentiment series (entity, 1d)": lambda r: (
            "/sentiment/series", {"entity": r.choice(pools.entities), "bucket": "1d"}),
        "article detail": lambda r: (f"/articles/{_article_id(pools, r)}", {}),
        f"claims export (first {EXPORT_ROWS} CSV rows)": lambda r: (
            "/export/claims.csv", {"entity": r.choice(pools.entities)}),
    }  # fmt: skip


async def _one(client: httpx.AsyncClient, path: str, params: dict[str, Any]) -> int:
    """Send one request; read exports only up to EXPORT_ROWS lines. The status code."""
    if not path.startswith("/export/"):
        response = await client.get(path, params=params)
        return response.status_code
    async with client.stream("GET", path, params=params) as response:
        lines = 0
        async for _line in response.aiter_lines():
            lines += 1
            if lines > EXPORT_ROWS:
                break
        return response.status_code


async def _timed(
    client: httpx.AsyncClient, make: Request, rng: random.Random, *, since: float, out: Outcome
) -> None:
    """One request drawn by `make`, its latency counted from `since` into `out` (a transport
    error counts as an error, not a latency; a non-2xx answer as both)."""
    path, params = make(rng)
    try:
        status = await _one(client, path, params)
    except httpx.HTTPError as exc:
        out.errors += 1
        out.first_error = out.first_error or f"{type(exc).__name__}: {exc}"
        return
    out.latencies.append(time.perf_counter() - since)
    if not 200 <= status < 300:
        out.errors += 1
        out.first_error = out.first_error or f"HTTP {status} on {path} {params}"


async def _client(base: str, make: Request, *, deadline: float, seed: int, out: Outcome) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while time.perf_counter() < deadline:
            await _timed(client, make, rng, since=time.perf_counter(), out=out)


def run_scenario(base: str, make: Request, *, clients: int, seconds: float) -> Outcome:
    """`clients` concurrent clients for `seconds`."""
    out = Outcome()

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(base, make, deadline=deadline, seed=i, out=out) for i in range(clients))
        )

    asyncio.run(main())
    return out


def run_paced(base: str, make: Request, *, rate: float, seconds: float) -> Outcome:
    """An open loop: requests start on a fixed schedule of `rate` per second whatever the
    answers do; each latency counts from its scheduled start (a late send counts as waiting)."""
    out = Outcome()

    async def main() -> None:
        rng = random.Random(7)
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            start = time.perf_counter()
            tasks = []
            for i in range(int(rate * seconds)):
                scheduled = start + i / rate
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(
                    asyncio.create_task(_timed(client, make, rng, since=scheduled, out=out))
                )
            await asyncio.gather(*tasks)

    asyncio.run(main())
    return out


class ServerProcess:
    """`tidings serve` on `url` in a subprocess, with its RSS sampled from /proc."""

    def __init__(self, url: str, port: int, workers: int) -> None:
        path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        env = os.environ | {"TIDINGS_DATABASE_URL": url, "PYTHONPATH": path,
                            "TIDINGS_API_RATE_LIMIT_PER_MINUTE": "100000000"}  # fmt: skip
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--workers", str(workers)], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{port}/api/v1"
        self.peak_rss = 0
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def pids(self) -> list[int]:
        """The server and every process under it (uvicorn's workers), now."""
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
        return found

    def rss(self) -> int:
        """Resident bytes of the server and its workers, summed, now (0 once gone)."""
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            rss = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")]
            total += int(rss[0]) * 1024 if rss else 0
        return total

    def cpu_seconds(self) -> float:
        """CPU seconds used so far by the server and its live workers."""
        ticks = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_rss = max(self.peak_rss, self.rss())

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited while starting")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("the server did not answer /healthz")

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def open_store(args: argparse.Namespace) -> tuple[str, Engine, dict[str, Any]]:
    """The store's URL, engine and sizes, built first when it is missing or too small."""
    url = args.db_url or f"sqlite:///{args.store}"
    engine = init_engine(url)
    sizes: dict[str, Any] = store_summary(engine)
    if sizes["articles"] < args.articles or sizes["claims"] < args.claims:
        if sizes["articles"]:
            raise SystemExit(f"{url} holds a smaller store {sizes}; give a new --store")
        print(f"building the store in {url} (once) ...", flush=True)
        info = build_store(engine, min_articles=args.articles, min_claims=args.claims,
                           base=args.base)  # fmt: skip
        print(info, flush=True)
        sizes = store_summary(engine) | {"build": info}
    return url, engine, sizes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every scenario against one server; the results and the peak RSS."""
    url, engine, sizes = open_store(args)
    pools = load_pools(engine)
    engine.dispose()
    server = ServerProcess(url, free_port(), args.workers)
    results: dict[str, Any] = {}
    paced: dict[str, Any] = {}
    try:
        server.wait_ready()
        results["cold"] = cold_series(server.base, pools)
        for name, make in scenarios(pools).items():
            run_scenario(server.base, make, clients=args.clients, seconds=2)  # warm-up
            cpu = server.cpu_seconds()
            outcome = run_scenario(server.base, make, clients=args.clients, seconds=args.seconds)
            results[name] = _summary(outcome, args.seconds, server.cpu_seconds() - cpu)
            print(name, results[name], flush=True)
            if args.rate > 0 and not name.startswith("claims export"):
                cpu = server.cpu_seconds()
                outcome = run_paced(server.base, make, rate=args.rate, seconds=args.seconds)
                paced[name] = _summary(outcome, args.seconds, server.cpu_seconds() - cpu)
                print("paced", name, paced[name], flush=True)
    finally:
        server.stop()
    return {"sizes": sizes, "results": results, "paced": paced, "peak_rss": server.peak_rss,
            "dialect": url.split(":", 1)[0], "pools": pools}  # fmt: skip


def cold_series(base: str, pools: Pools) -> list[float]:
    """Milliseconds of each entity's first series request (computed, not cached), one client."""
    times = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for entity in pools.entities:
            start = time.perf_counter()
            client.get("/sentiment/series", params={"entity": entity, "bucket": "1d"})
            times.append((time.perf_counter() - start) * 1000)
    return times


def _summary(outcome: Outcome, seconds: float, cpu: float) -> dict[str, Any]:
    lat = sorted(outcome.latencies)
    pick = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else None
    return {
        "requests": len(lat), "errors": outcome.errors, "first_error": outcome.first_error,
        "rps": len(lat) / seconds, "p50_ms": pick(0.5) if pick else None,
        "p99_ms": pick(0.99) if pick else None,
        "mean_ms": statistics.fmean(lat) * 1000 if lat else None, "server_cpu_s": cpu,
        "cpu_ms_per_request": cpu * 1000 / len(lat) if lat else None,
    }  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/tidings-bench-api.db"),
                        help="SQLite file of the store (built when missing)")  # fmt: skip
    parser.add_argument("--db-url", help="a PostgreSQL URL to use instead of --store")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=100, help="real articles to process")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="server processes (tidings serve --workers)")  # fmt: skip
    parser.add_argument("--rate", type=float, default=40.0,
                        help="requests/s of the paced (open-loop) runs; 0: none")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    report = measure(args)
    section = render(report, args)
    print(section)
    if not args.no_write:
        write_section("HTTP API", section)


if __name__ == "__main__":
    main()
