"""Scale-out benchmark: articles/s of `tidings worker` processes against in-process `process`.

Imports the 2023 cryptonews archive (72 distinct articles; `--limit` takes the first N) into a
fresh PostgreSQL schema per configuration, then times
- in-process: `process_articles` with a loaded analyzer (the single-process baseline);
- 1 and 2 workers: `tidings worker --queues process --concurrency 1` processes on the broker,
  started and warmed (models loaded) before the clock starts; the clock runs from the enqueue to
  the last article written (the store polled every 0.25 s).
CPU seconds are the workers' own (from /proc), or this process's for the baseline. The queue
overhead is the 1-worker time per article minus the in-process time per article.
Writes the figures and the machine to docs/BENCHMARKS.md under "## Scale-out".

Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (database 14 is flushed).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchdoc import write_section  # noqa: E402
from sqlalchemy import Engine, create_engine, func, text  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from models.articles import Article  # noqa: E402
from models.db import init_engine  # noqa: E402

DATA = (
    REPO.parent / "shared" / "data" / "crypto-news-articles" / "cryptonews_com_2023_fulltext.json"
)
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BROKER = "redis://127.0.0.1:6379/14"


@contextmanager
def schema() -> Iterator[str]:
    """A URL on a new PostgreSQL schema, dropped afterwards."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    try:
        yield f"{PG}?options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def load(url: str, limit: int, folder: Path) -> Engine:
    """A migrated store holding the first `limit` archive records."""
    from ingest.imports import import_paths

    records = json.loads(DATA.read_text(encoding="utf-8"))
    subset = folder / "subset.json"
    subset.write_text(json.dumps(records[:limit]), encoding="utf-8")
    engine = init_engine(url)
    import_paths(engine, [subset])
    return engine


def pending(engine: Engine) -> int:
    with Session(engine) as session:
        query = (
            select(func.count())
            .select_from(Article)
            .where(col(Article.status) == "new", col(Article.duplicate_of).is_(None))
        )
        return int(session.exec(query).one())


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_process(url: str, limit: int, folder: Path) -> dict[str, float]:
    """The single-process baseline."""
    from api.services.processing import build_analyzer, process_articles

    engine = load(url, limit, folder)
    analyzer = build_analyzer(engine)
    n = pending(engine)
    pipe, in_pipe = analyzer.pipe, [0.0]

    def timed_pipe(items: Iterable[Any]) -> Iterator[Any]:
        """The analysis alone, timed; the rest of `process` is claims, writes and commits."""
        start = time.perf_counter()
        out = list(pipe(items))
        in_pipe[0] += time.perf_counter() - start
        return iter(out)

    analyzer.pipe = timed_pipe  # type: ignore[method-assign]
    cpu0, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    process_articles(engine, analyzer=analyzer)
    wall = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    engine.dispose()
    return {"articles": n, "wall_s": wall, "cpu_s": cpu, "store_s": wall - in_pipe[0]}


def with_workers(url: str, limit: int, folder: Path, *, count: int) -> dict[str, float]:
    """`count` warmed workers draining the queue."""
    from api.queue.app import make_celery
    from api.queue.enqueue import enqueue_pending
    from api.queue.settings import QueueSettings

    engine = load(url, limit, folder)
    settings = QueueSettings(broker_url=BROKER)
    celery = make_celery(settings)
    with celery.connection_for_write() as connection:
        connection.default_channel.client.flushdb()
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_BROKER_URL": BROKER,
           "PYTHONPATH": str(REPO)}  # fmt: skip
    logs = [folder / f"w{i}.log" for i in range(count)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from api.cli import main; main()",
                "worker",
                "--queues",
                "process",
                "--concurrency",
                "1",
                "--name",
                f"bench{i}@%h",
            ],
            cwd=REPO,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        for i, log in enumerate(logs)
    ]
    try:
        while not all(" ready." in log.read_text(errors="replace") for log in logs):
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"a worker exited: {logs[0].read_text()[-2000:]}")
            time.sleep(0.5)
        n = pending(engine)
        cpu0 = sum(cpu_s(p.pid) for p in procs)
        start = time.perf_counter()
        enqueue_pending(engine, celery, settings=settings)
        while pending(engine):
            time.sleep(0.25)
        wall = time.perf_counter() - start
        cpu = sum(cpu_s(p.pid) for p in procs) - cpu0
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=120)
        engine.dispose()
    return {"articles": n, "wall_s": wall, "cpu_s": cpu}


def section(results: dict[str, dict[str, float]], load_avg: tuple[str, str]) -> str:
    """The BENCHMARKS.md section."""
    base = results["in-process"]
    per_base = base["wall_s"] / base["articles"]
    rows = []
    for name, r in results.items():
        rate = r["articles"] / r["wall_s"]
        rows.append(f"| {name} | {int(r['articles'])} | {r['wall_s']:.1f} | {rate:.2f} | "
                    f"{r['cpu_s'] / r['articles']:.2f} |")  # fmt: skip
    one = results["1 worker"]
    batch = os.environ.get("TIDINGS_QUEUE_BATCH_SIZE", "4")
    store = base["store_s"] / base["articles"]
    ratio = (per_base - store) / max(store, 1e-9)
    overhead = one["wall_s"] / one["articles"] - per_base
    cpu_overhead = one["cpu_s"] / one["articles"] - base["cpu_s"] / base["articles"]
    two = results["2 workers"]
    speedup = base["wall_s"] / two["wall_s"] * two["articles"] / base["articles"]
    return f"""## Scale-out

`bench/scale.py`: the first {int(base["articles"])} distinct articles of
`cryptonews_com_2023_fulltext.json` imported into a fresh PostgreSQL schema per row, analyzed
in-process (`process`, models loaded before the clock) or by `tidings worker --concurrency 1`
processes on Redis (warmed: models loaded at start), timed from the enqueue to the last article
written; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. The
machine was shared and heavily loaded (load average {load_avg[0]} at the start, {load_avg[1]} at
the end, on 2 cores), so wall times are mostly waiting for a core: the CPU seconds per article
are the stable figure; compare rows of one run only.

| mode | articles | wall s | articles/s | CPU s per article |
|---|---|---|---|---|
{chr(10).join(rows)}

**Queue overhead** (1 worker against in-process): {overhead * 1000:+.0f} ms of wall time and
{cpu_overhead * 1000:+.0f} ms of CPU per article, with {batch} articles per task (one broker
round trip, one claim transaction and one commit per task): lost in the noise beside the
analysis. **Two workers** finished {speedup:.2f}x faster than in-process here, at
{two["cpu_s"] / two["articles"]:.2f} CPU s per article: on a machine this busy two processes
simply get twice the scheduler's share; on a quiet 2-core machine expect at most 2x, and no more
workers than cores (the analysis is CPU-bound).

**The store's share.** Of the in-process run's {per_base * 1000:.0f} ms per article (wall),
{store * 1000:.0f} ms were spent outside the analysis: claiming the batch, deleting and
inserting the article's sentences, mentions, claims, entity sentiment and narrative rows, and
the commit. Both figures are inflated alike by the load; their ratio (about {ratio:.0f} to 1) is
what carries over.

**On N machines.** Workers share nothing but the broker and PostgreSQL, so throughput grows
with the number of worker cores until the database's share becomes the limit. With analysis
about {ratio:.0f} times the store's time per article, one database connection keeps pace with
roughly {ratio:.0f} busy worker cores; PostgreSQL runs the workers' transactions in parallel on
its own cores, so the real ceiling is its write path (WAL flushes at each commit, index upkeep on
`sentence`, `mention`, `claim` and the full-text indexes) on the database machine's disks and
cores: not reached, and not measurable, on 2 shared cores. Past it: larger tasks
(`TIDINGS_QUEUE_BATCH_SIZE`) cut claims and commits per article, a backfill can drop and rebuild
the search indexes around it, and the database machine needs faster WAL storage rather than
more workers. The broker carries one small message per task and is not the limit at these
rates; crawl tasks are bounded by the sources' politeness limits, not by workers.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=206, help="archive records to import")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    parser.add_argument("--from-json", type=Path, help="rewrite the section from a saved run")
    args = parser.parse_args()
    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        write_section("Scale-out", section(saved["results"], tuple(saved["load"])))
        return
    load_start = f"{os.getloadavg()[0]:.1f}"
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with schema() as url:
            results["in-process"] = in_process(url, args.limit, folder)
        for count in (1, 2):
            with schema() as url:
                name = f"{count} worker" + ("s" if count > 1 else "")
                results[name] = with_workers(url, args.limit, folder, count=count)
            print(name, results[name], flush=True)
    load_avg = (load_start, f"{os.getloadavg()[0]:.1f}")
    print(json.dumps({"results": results, "load": load_avg}, indent=2))
    doc = section(results, load_avg)
    print(doc)
    if not args.no_write:
        write_section("Scale-out", doc)


if __name__ == "__main__":
    main()
