"""The "## HTTP API" section bench/api.py writes: tables, targets met or missed, and notes."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from datetime import date
from typing import Any

CHANGES = (
    "What changed since the previous run: claims carry their article's published_at (migration "
    "0014_claims_article_date; triggers keep the copy in step), so the date filters and the "
    "newest-first order walk one claim index (ix_claim_published_id, ix_claim_metric_published) "
    "and stop after a page instead of sorting every match by a column of another table; free "
    "text ranks the newest 1,000 claims matching the text and the other filters instead of every "
    "match; `tidings serve --workers N` runs N uvicorn processes (with uvloop and httptools); "
    "FastAPI dependencies run on the event loop instead of a thread-pool hop each; a series "
    "asked for by many requests at once is computed once while the others wait."
)
PREVIOUS = (
    "Previous run, for comparison (same store size, one server process, closed loop of 32, "
    "before claims carried their article's date and free text ranked a bounded set): p99 "
    "1230 ms entity, 4866 ms metric + min_value, 891 ms date range, 15351 ms free text, 308 ms "
    "series, 1029 ms article detail, 17440 ms export; CPU ms/request 22.2, 149.0, 11.2, 338.4, "
    "3.2, 12.9, 541.4; 0 errors; 602 MiB."
)
INDEXED = ("claims: entity", "claims: metric + min_value", "claims: date range",
           "claims: free text q", "sentiment series (entity, 1d)", "article detail")  # fmt: skip


def targets(report: dict[str, Any]) -> str:
    """Which of the issue's targets this run met, under both loads."""
    parts = []
    for label, key in (("closed loop", "results"), ("paced", "paced")):
        results = {k: v for k, v in report[key].items() if k != "cold"}
        if not results:
            continue
        slow = [f"{k} ({v['p99_ms']:.0f} ms)" for k, v in results.items()
                if k in INDEXED and (v["p99_ms"] or 0) > 100]  # fmt: skip
        parts.append(f"{label}: {'met' if not slow else 'MISSED for ' + ', '.join(slow)}")
    errors = sum(v["errors"] for key in ("results", "paced") for k, v in report[key].items()
                 if k != "cold")  # fmt: skip
    rss = report["peak_rss"] / 2**20
    return (
        f"Targets: p99 <= 100 ms for indexed queries: {'; '.join(parts)}. 0 errors: "
        f"{'met' if errors == 0 else f'MISSED ({errors})'}. RSS <= 1.5 GB: "
        f"{'met' if rss <= 1536 else 'MISSED'} ({rss:.0f} MiB, all server processes summed)."
    )


NOTES = [
    "Reading the tables: in the closed loop each of the clients sends its next request when its "
    "last one is answered, so latency there is mostly queueing (32 clients on a route costing c "
    "ms of server CPU on 2 cores wait about 32 x c / 2 ms); the paced runs start requests on a "
    "fixed schedule whatever the answers do, and count each latency from its scheduled start, so "
    "they show the latency at a stated load. Server CPU per request (all server processes "
    "summed) does not depend on the load or the client count.",
    "",
    CHANGES,
    "",
    PREVIOUS,
    "",
]


def _build_line(sizes: dict[str, Any]) -> str:
    info = sizes.get("build")
    if info is None:
        return (
            "The store was reused from an earlier run (`--store`); building it is not timed here."
        )
    return (f"Building the store: {info.process_s:.0f} s to process {info.base_articles} "
            f"real articles, {info.replicate_s:.0f} s to replicate them {info.copies} "
            "times.")  # fmt: skip


def _rows(results: dict[str, Any]) -> list[str]:
    rows = []
    for name, r in results.items():
        if name == "cold":
            continue
        p50 = f"{r['p50_ms']:.0f}" if r["p50_ms"] is not None else "-"
        p99 = f"{r['p99_ms']:.0f}" if r["p99_ms"] is not None else "-"
        cpu = f"{r['server_cpu_s']:.1f} | {r['cpu_ms_per_request'] or 0:.1f}"
        rows.append(f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.1f} | {p50} | "
                    f"{p99} | {cpu} |")  # fmt: skip
    return rows


HEADER = (
    "| scenario | requests | errors | req/s | p50 ms | p99 ms | server CPU s | CPU ms/req |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
)


def render(report: dict[str, Any], args: argparse.Namespace) -> str:
    sizes = report["sizes"]
    cold = report["results"]["cold"]
    paced = (
        [f"Paced (open loop): {args.rate:.0f} requests/s started on schedule for "
         f"{args.seconds:.0f} s per scenario (the export is not paced).", "", *HEADER,
         *_rows(report["paced"]), ""]
        if report["paced"] else []
    )  # fmt: skip
    return "\n".join([
        "## HTTP API", "",
        f"`python bench/api.py` on {report['dialect']} ({date.today()}, {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other jobs; load average {os.getloadavg()[0]:.1f} "
        "when the report was written, the clients included). Store: "
        f"{sizes['articles']:,} articles, {sizes['claims']:,} claims, "
        f"{sizes['sentences']:,} sentences, {sizes['mentions']:,} mentions (real 2023 articles "
        "processed by the pipeline, then replicated with new ids and dates shifted by 4 h per "
        f"copy). `tidings serve --workers {args.workers}`; the clients are httpx (async, in one "
        "process on the same cores).", "",
        f"Closed loop: {args.clients} clients for {args.seconds:.0f} s per scenario after a 2 s "
        "warm-up.", "", *HEADER, *_rows(report["results"]), "", *paced,
        f"Server peak RSS over the run (the supervisor and its {args.workers} workers summed): "
        f"{report['peak_rss'] / 2**20:.0f} MiB. The series route answers from an LRU (per "
        "worker) keyed by the store's stamp, so under load it is mostly served from memory; "
        f"computing a series (each entity's first request, one client): median "
        f"{statistics.median(cold):.0f} ms, max {max(cold):.0f} ms.", "", targets(report), "",
        _build_line(sizes),
        "",
        *NOTES,
    ])  # fmt: skip
