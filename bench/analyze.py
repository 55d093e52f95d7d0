"""Analyze benchmark: the full pipeline on the 72 distinct real 2023 articles, today's code
against the code before the batching work, in the same run.

Reads ../shared/data/crypto-news-articles/cryptonews_com_2023_fulltext.json at run time (each
record's paragraphs joined by newlines, as `tidings import` stores them; the 206 records hold 72
distinct texts). The code before is a `git archive` of `--baseline-ref` unpacked in a temporary
folder; every configuration runs in a fresh child process (with PYTHONPATH on its tree), and the
configurations alternate, so that load swings hit old and new alike. Each child loads the models,
warms up on a few articles, then times one pass: wall seconds and CPU seconds (user + system of
the process and its spaCy workers). The parent compares the children's outputs field by field.
Writes the "## Analyze" section of docs/BENCHMARKS.md.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from benchdoc import ARCHIVE, archive_texts, write_section  # bench/ is the script's folder

REPO = Path(__file__).resolve().parents[1]
BASELINE_REF = "63cb463"  # main before issue 21's one-machine work
WARMUP = 4  # articles analyzed before the timed pass (first-call allocations)


def _cpu_s() -> float:
    """User + system CPU seconds of this process, its threads and its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child(mode: str, *, batch: int, n_process: int, out: Path) -> None:
    """Time one pass of `mode` (per-article | pipe) with the nlp package on sys.path."""
    # The cache would hide nothing here (distinct texts), but keep runs alike across versions.
    os.environ["TIDINGS_SENTIMENT_CACHE_SIZE"] = "0"
    from nlp.pipeline import Analyzer

    items = archive_texts()
    analyzer = Analyzer()
    for text, published in items[:WARMUP]:
        analyzer.analyze(text, published)
    cpu, wall = _cpu_s(), time.perf_counter()
    if mode == "per-article":
        results = [analyzer.analyze(text, published) for text, published in items]
    else:
        results = list(analyzer.pipe(items, batch_size=batch, n_process=n_process))
    wall, cpu = time.perf_counter() - wall, _cpu_s() - cpu
    outputs = [r.model_dump(mode="json", exclude={"model_versions"}) for r in results]
    out.write_text(json.dumps({"wall_s": wall, "cpu_s": cpu, "outputs": outputs}), "utf-8")


def unpack(ref: str, into: Path) -> Path:
    """The tracked files of `ref` (git archive) under `into`."""
    blob = subprocess.run(["git", "archive", ref], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")
    return into


def run_child(tree: Path, config: dict[str, Any], out: Path) -> dict[str, Any]:
    """One configuration in a fresh process whose `nlp` package comes from `tree`."""
    args = [sys.executable, str(Path(__file__).resolve()), "--child", config["mode"],
            "--batch", str(config["batch"]), "--n-process", str(config["n_process"]),
            "--out", str(out)]  # fmt: skip
    env = {**os.environ, **config.get("env", {}), "PYTHONPATH": str(tree)}
    subprocess.run(args, env=env, cwd=REPO, check=True)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def differences(a: Any, b: Any) -> tuple[int, float]:
    """(fields that differ, largest absolute difference between numbers) of two JSON values."""
    if isinstance(a, dict) and isinstance(b, dict):
        pairs = [(a.get(k), b.get(k)) for k in a.keys() | b.keys()]
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = list(zip(a, b, strict=True))
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return int(a != b), abs(float(a) - float(b))
    else:
        return int(a != b), 0.0
    count, largest = 0, 0.0
    for x, y in pairs:
        n, d = differences(x, y)
        count, largest = count + n, max(largest, d)
    return count, largest


MAIN_ROW = "main: pipe, batch 64"
TWO_THREADS = {"TIDINGS_SENTIMENT_THREADS": "2", "TIDINGS_NARRATIVE_THREADS": "2"}
CONFIGS = [
    {"name": "before: analyze() per article", "tree": "old", "mode": "per-article",
     "batch": 1, "n_process": 1},
    {"name": MAIN_ROW, "tree": "main", "mode": "pipe", "batch": 64, "n_process": 1},
    {"name": "after: pipe, batch 64", "tree": "new", "mode": "pipe", "batch": 64, "n_process": 1},
    {"name": "after: pipe, batch 64, 2 ONNX threads", "tree": "new", "mode": "pipe", "batch": 64,
     "n_process": 1, "env": TWO_THREADS},
    {"name": "before: pipe, batch 16", "tree": "old", "mode": "pipe", "batch": 16, "n_process": 1},
    {"name": "after: pipe, batch 16", "tree": "new", "mode": "pipe", "batch": 16, "n_process": 1},
    {"name": "after: analyze() per article", "tree": "new", "mode": "per-article",
     "batch": 1, "n_process": 1},
    {"name": "after: pipe, batch 64, n_process 2", "tree": "new", "mode": "pipe", "batch": 64,
     "n_process": 2},
]  # fmt: skip


def measure(
    refs: tuple[str, str | None, str | None], repeats: int, only: set[str] | None
) -> list[dict[str, Any]]:
    """Every configuration `repeats` times, alternating; rows with runs and output diffs.
    `refs`: the old code's git ref, the new one's (None: this working tree) and a third one's
    for the "main" rows (None: those rows are left out)."""
    old, new, main = refs
    rows = [
        dict(c, runs=[])
        for c in CONFIGS
        if (only is None or c["name"] in only) and (main or c["tree"] != "main")
    ]
    outputs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
        trees = {
            "old": unpack(old, Path(tmp) / "old"),
            "new": unpack(new, Path(tmp) / "new") if new else REPO,
        }
        if main:
            trees["main"] = unpack(main, Path(tmp) / "main")
        for _ in range(repeats):
            for row in rows:
                load = os.getloadavg()[0]
                result = run_child(trees[row["tree"]], row, Path(tmp) / "out.json")
                outputs.setdefault(row["name"], result["outputs"])
                row["runs"].append({"cpu_s": result["cpu_s"], "wall_s": result["wall_s"],
                                    "load": load})  # fmt: skip
                print(f"{row['name']:38} cpu {result['cpu_s']:7.1f} s  wall "
                      f"{result['wall_s']:7.1f} s  load {load:.1f}", flush=True)  # fmt: skip
    # Outputs are compared with the "main" row's where there is one (the old code's outputs also
    # differ by every change to the stages since), else with the first configuration's.
    against = MAIN_ROW if MAIN_ROW in outputs else CONFIGS[0]["name"]
    reference = outputs.get(against)
    for row in rows:
        if reference is not None:
            row["diff"] = differences(reference, outputs[row["name"]])
            row["diff_against"] = against
    return rows


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def render(rows: list[dict[str, Any]], facts: dict[str, Any]) -> str:
    """The "## Analyze" section."""
    base = next((r for r in rows if r["name"] == CONFIGS[0]["name"]), rows[0])
    base_cpu = _median([r["cpu_s"] for r in base["runs"]])
    base_wall = _median([r["wall_s"] for r in base["runs"]])
    lines = [
        "## Analyze",
        "",
        f"`python bench/analyze.py` — the {facts['articles']} distinct real cryptonews.com 2023 "
        f"texts ({facts['words']:,} words) through the full stage list, today's code against "
        f"the code at `{facts['ref']}` (before the batching work, run from a `git archive` of "
        "it), each configuration in a fresh process, configurations alternating. CPU = user + "
        "system seconds of the process, its threads and its workers; speed-ups are against the "
        "first row (median of the runs). Model loading and a 4-article warm-up are not timed."
        + (
            f' The "main" rows run the code at `{facts["main_ref"]}` the same way.'
            if facts.get("main_ref")
            else ""
        ),
        "",
        "| configuration | CPU s | wall s | CPU speed-up | wall speed-up | "
        f"outputs vs {'the main row' if facts.get('main_ref') else 'first row'} | "
        "runs (CPU / wall s, load) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cpu = _median([x["cpu_s"] for x in r["runs"]])
        wall = _median([x["wall_s"] for x in r["runs"]])
        runs = "; ".join(
            f"{x['cpu_s']:.0f} / {x['wall_s']:.0f}, {x['load']:.0f}" for x in r["runs"]
        )
        count, largest = r.get("diff", (-1, 0.0))
        same = {-1: "not compared", 0: "identical"}.get(
            count, f"{count} values differ, max {largest:.1e}"
        )
        lines.append(
            f"| {r['name']} | {cpu:.1f} | {wall:.1f} | {base_cpu / cpu:.2f}× | "
            f"{base_wall / wall:.2f}× | {same} | {runs} |"
        )
    lines += [
        "",
        f"Machine: {os.cpu_count()} CPUs ({facts['cpu_flags']}), Python "
        f"{platform.python_version()}; measured {date.today().isoformat()} while shared with "
        f"other work (load average {facts['load_start']:.1f} at the start, "
        f"{facts['load_end']:.1f} at the end, on 2 CPUs), so wall time is mostly time spent "
        "waiting for a CPU and CPU seconds are the figure to compare.",
        "",
    ]
    return "\n".join(lines)


def cpu_flags() -> str:
    """The int8-relevant instruction sets of this CPU."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text(encoding="utf-8").split())
    except OSError:
        return "flags unknown"
    found = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx_vnni") if f in flags]
    return ", ".join(found) or "no AVX2"


def main() -> None:
    """Measure and record (or, with --child, time one configuration)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs per configuration")
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="git ref of the old code")
    parser.add_argument("--new-ref", help="git ref of the new code (default: this working tree)")
    parser.add_argument("--main-ref", help="git ref of a third version for the 'main' rows")
    parser.add_argument("--only", action="append", help="run only this configuration (repeat)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, default=16, help=argparse.SUPPRESS)
    parser.add_argument("--n-process", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not ARCHIVE.exists():
        sys.exit(f"{ARCHIVE} not found: the benchmark needs ../shared")
    if args.child:
        child(args.child, batch=args.batch, n_process=args.n_process, out=args.out)
        return
    items = archive_texts()
    facts = {
        "articles": len(items), "words": sum(len(t.split()) for t, _ in items),
        "ref": args.baseline_ref, "main_ref": args.main_ref, "cpu_flags": cpu_flags(),
        "load_start": os.getloadavg()[0],
    }  # fmt: skip
    refs = (args.baseline_ref, args.new_ref, args.main_ref)
    rows = measure(refs, args.repeats, set(args.only) if args.only else None)
    facts["load_end"] = os.getloadavg()[0]
    section = render(rows, facts)
    print(section)
    if not args.no_write:
        write_section("Analyze", section)


if __name__ == "__main__":
    main()
