"""Ingest benchmark: real article pages served locally behind a feed, crawled end to end.

Renders ../shared/data/crypto-news-articles/cryptonews_com_2023_fulltext.json into HTML pages
(with site boilerplate) at run time, serves them from a separate process on 127.0.0.1, and times
`ingest.service.run_once` (poll, fetch, extract, dedupe, store) into a fresh SQLite store.
Writes the median figures and the machine to docs/BENCHMARKS.md under "## Ingest".
"""

import argparse
import html
import json
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchdoc import write_section  # noqa: E402

from ingest.service import run_once  # noqa: E402
from ingest.settings import IngestSettings  # noqa: E402
from ingest.sources import add_source  # noqa: E402
from models.db import init_engine  # noqa: E402

DATA = (
    REPO.parent / "shared" / "data" / "crypto-news-articles" / "cryptonews_com_2023_fulltext.json"
)
DOC = REPO / "docs" / "BENCHMARKS.md"
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="{date}"></head><body>
<header><nav><a href="/">Home</a> | <a href="/markets">Markets</a> | <a href="/news">News</a>
| <a href="/price">Prices</a> | <a href="/newsletter">Newsletter</a></nav></header>
<div class="cookie">This site uses cookies. Accept all or manage preferences.</div>
<main><article><h1>{title}</h1><p class="byline">By Staff</p>{body}</article>
<aside><h3>Trending</h3><ul><li><a href="/t1">Top coins to watch</a></li>
<li><a href="/t2">Price predictions</a></li></ul></aside></main>
<footer>Copyright 2023. All rights reserved. Terms. Privacy. Advertise with us.</footer>
</body></html>"""


def render(records: list[dict[str, object]], base: str) -> dict[str, bytes]:
    """Every page and the feed, by path."""
    routes: dict[str, bytes] = {}
    items = []
    for i, record in enumerate(records):
        title = html.escape(str(record["title"]))
        paragraphs = record.get("paragraphs")
        if not isinstance(paragraphs, list):
            paragraphs = []
        body = "".join(f"<p>{html.escape(str(p))}</p>" for p in paragraphs)
        routes[f"/a/{i}.html"] = PAGE.format(title=title, date=record["date"], body=body).encode()
        stamp = datetime.fromisoformat(str(record["date"])).strftime("%a, %d %b %Y %H:%M:%S +0000")
        link = f"{base}/a/{i}.html"
        items.append(f"<item><title>{title}</title><link>{link}</link><pubDate>{stamp}</pubDate>"
                     f"<description>{title}</description></item>")  # fmt: skip
    routes["/feed.xml"] = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
        + "".join(items) + "</channel></rss>"
    ).encode()  # fmt: skip
    routes["/robots.txt"] = b"User-agent: *\nAllow: /\n"
    return routes


def serve(port_queue: "multiprocessing.Queue[int]", records: list[dict[str, object]]) -> None:
    """Server process: bind, report the port, render, serve forever."""
    routes: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            """Serve a rendered page."""
            body = routes.get(self.path)
            self.send_response(200 if body else 404)
            ctype = "application/rss+xml" if self.path.endswith(".xml") else "text/html"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    routes.update(render(records, f"http://127.0.0.1:{httpd.server_address[1]}"))
    port_queue.put(httpd.server_address[1])
    httpd.serve_forever()


def one_run(base: str, settings: IngestSettings) -> tuple[float, int]:
    """Crawl the feed into a fresh store; (seconds, articles stored)."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = init_engine(f"sqlite:///{tmp}/bench.db")
        add_source(engine, f"{base}/feed.xml", name="bench")
        started = time.perf_counter()
        [stats] = run_once(engine, settings=settings)
        elapsed = time.perf_counter() - started
        engine.dispose()
    if stats.status != "ok":
        raise SystemExit(f"bench crawl failed: {stats.error}")
    return elapsed, stats.new + stats.duplicates


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's processor string)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    """Run the benchmark and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    if not DATA.is_file():
        raise SystemExit(f"{DATA} is absent: the ingest benchmark needs ../shared")
    records = json.loads(DATA.read_text(encoding="utf-8"))
    queue: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(queue, records), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{queue.get(timeout=60)}"
    settings = IngestSettings(allow_private_addresses=True, politeness_delay_s=0.0,
                              per_host_concurrency=16, global_concurrency=16,
                              builtin_sources=False)  # fmt: skip
    runs = [one_run(base, settings) for _ in range(args.runs)]
    server.terminate()
    seconds = statistics.median(r[0] for r in runs)
    articles = runs[0][1]
    rate = articles / seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    machine = f"{os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}"
    section = (
        "## Ingest\n\n"
        f"`python bench/ingest.py` — {articles} real article pages (cryptonews.com 2023, rendered\n"
        "to HTML with site boilerplate) behind one RSS feed, served from a separate process\n"
        "on 127.0.0.1;"
        " end to end: poll, fetch, robots.txt, extract (trafilatura), language, dedupe (exact +\n"
        "MinHash LSH), store (SQLite, one commit per article, gzipped page bodies).\n"
        "The 206 records hold 72 distinct texts, so 134 pages are stored as duplicates.\n"
        "Politeness delay 0 and 16 requests per host (one local host); defaults differ.\n\n"
        "| figure | value |\n|---|---|\n"
        f"| articles/s (median of {args.runs} runs) | {rate:.1f} |\n"
        f"| seconds per run (median) | {seconds:.2f} |\n"
        f"| runs (s) | {', '.join(f'{r[0]:.2f}' for r in runs)} |\n"
        f"| peak RSS of the crawler process | {peak_mb:.0f} MB |\n"
        f"| machine | {machine} |\n"
        f"| measured | {datetime.now().strftime('%Y-%m-%d')}; "
        f"load average {os.getloadavg()[0]:.1f} at the end |\n"
    )
    print(section)
    if not args.no_write:
        write_section("Ingest", section)


if __name__ == "__main__":
    main()
