"""Narratives benchmark: how much the narrative stage adds to `analyze` CPU time, on real articles.

Reads ../shared/data/crypto-news-articles/cryptonews_com_2023_fulltext.json at run time (the 72
distinct texts, paragraphs joined by newlines, `benchdoc.archive_texts`). Each run is a fresh
child process that loads the analyzer with the full stage list ("with") or the same list minus
the narrative stage ("without"), warms up on a few articles, then times one `Analyzer.pipe` pass
over all texts (batch 16, one process): CPU seconds (user + system of the process and its
threads) and wall seconds; in "with" runs also the CPU seconds spent inside the narrative stage
itself. Runs alternate (with, without, without, with, ...) so that load swings hit both alike.
Writes the "## Narratives" section of docs/BENCHMARKS.md.

`--encoders minilm sentiment` compares narrative encoders (TIDINGS_NARRATIVES_ENCODER) in one
measurement: arms without, minilm, sentiment, then reversed, per repeat (the "without" arm runs
with the default settings, so the sentiment model's extra output counts against "sentiment");
it prints a summary per encoder and writes nothing.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchdoc import ARCHIVE, archive_texts, write_section  # bench/ is the script's folder

REPO = Path(__file__).resolve().parents[1]
STAGE = "nlp.narratives.stage:narrative_stage"
WARMUP = 4  # articles analyzed before the timed pass (first-call allocations)
TARGET = 0.15  # issue 19: narratives add at most 15 % to analyze time


def _cpu_s() -> float:
    """User + system CPU seconds of this process and its threads."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def child(with_stage: bool, out: Path) -> None:
    """Time one pass over the archive texts, with or without the narrative stage."""
    # Distinct texts make the sentiment cache useless anyway; keep both arms alike.
    os.environ["TIDINGS_SENTIMENT_CACHE_SIZE"] = "0"
    from nlp.narratives.stage import NarrativeStage
    from nlp.pipeline import STAGES, Analyzer

    stages = [s for s in STAGES if s != STAGE] + ([STAGE] if with_stage else [])
    analyzer = Analyzer(stages=stages)
    spent = [0.0]
    for stage in analyzer.stages:
        if isinstance(stage, NarrativeStage):
            inner = stage.run_batch

            def timed(ctxs: Any, inner: Any = inner) -> None:
                start = _cpu_s()
                inner(ctxs)
                spent[0] += _cpu_s() - start

            stage.run_batch = timed  # type: ignore[method-assign]
    items = archive_texts()
    for text, published in items[:WARMUP]:
        analyzer.analyze(text, published)
    spent[0] = 0.0
    cpu, wall = _cpu_s(), time.perf_counter()
    results = list(analyzer.pipe(items, batch_size=16, n_process=1))
    wall, cpu = time.perf_counter() - wall, _cpu_s() - cpu
    assigned = sum(len({i for n in r.narratives for i in n.sentence_indexes}) for r in results)
    out.write_text(
        json.dumps({
            "cpu_s": cpu, "wall_s": wall, "stage_cpu_s": spent[0],
            "sentences": sum(len(r.sentences) for r in results), "assigned": assigned,
            "version": analyzer.model_versions.get("narratives", ""),
            "gate": os.environ.get("TIDINGS_NARRATIVES_GATE", "0") == "1",
        }),
        encoding="utf-8",
    )  # fmt: skip


def arms_order(encoders: list[str], repeats: int) -> list[str | None]:
    """Arms per repeat: without (None), then each encoder; every other repeat reversed."""
    arms: list[str | None] = [None, *encoders]
    out: list[str | None] = []
    for i in range(repeats):
        out += arms if i % 2 == 0 else arms[::-1]
    return out


def compare(encoders: list[str], repeats: int) -> dict[str, dict[str, Any]]:
    """Fresh child processes over the arms of `arms_order`; a summary per encoder (its runs
    against all "without" runs)."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-narratives-") as tmp:
        out = Path(tmp) / "out.json"
        for arm in arms_order(encoders, repeats):
            load = os.getloadavg()[0]
            env = {**os.environ, "PYTHONPATH": str(REPO)}
            env.pop("TIDINGS_NARRATIVES_ENCODER", None)
            if arm:
                env["TIDINGS_NARRATIVES_ENCODER"] = arm
            args = [sys.executable, str(Path(__file__).resolve()), "--child",
                    "with" if arm else "without", "--out", str(out)]  # fmt: skip
            subprocess.run(args, env=env, cwd=REPO, check=True)
            run = dict(json.loads(out.read_text(encoding="utf-8")), with_stage=bool(arm),
                       encoder=arm, load=load)  # fmt: skip
            runs.append(run)
            print(json.dumps(run), flush=True)
    return {enc: summarize([r for r in runs if r["encoder"] in (None, enc)]) for enc in encoders}


def order(repeats: int) -> list[bool]:
    """Alternating arms, balanced: with, without, without, with, with, without, ..."""
    arms = []
    for i in range(repeats):
        pair = [True, False] if i % 2 == 0 else [False, True]
        arms += pair
    return arms


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per arm and the added share: median(with) / median(without) - 1 (CPU and wall);
    pairs are the with/without runs of each repeat, in order; the stage's own CPU share is the
    median stage seconds over the median CPU seconds without the stage."""
    arm = {
        label: [r for r in runs if r["with_stage"] is flag]
        for label, flag in (("with", True), ("without", False))
    }
    if not arm["with"] or not arm["without"]:
        raise ValueError("both arms need at least one run")
    med = {f"{label}_{k}": statistics.median(r[k] for r in rs)
           for label, rs in arm.items() for k in ("cpu_s", "wall_s")}  # fmt: skip
    stage = statistics.median(r["stage_cpu_s"] for r in arm["with"])
    pairs = zip(arm["with"], arm["without"], strict=False)
    paired = [w["cpu_s"] / o["cpu_s"] - 1 for w, o in pairs]
    added = med["with_cpu_s"] / med["without_cpu_s"] - 1
    return {
        **med,
        "added_cpu": added,
        "added_wall": med["with_wall_s"] / med["without_wall_s"] - 1,
        "paired_cpu": paired,
        "stage_cpu_s": stage,
        "stage_share": stage / med["without_cpu_s"],
        "meets_target": added <= TARGET,
    }


def measure(repeats: int) -> list[dict[str, Any]]:
    """Fresh child processes, arms alternating; one record per run."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-narratives-") as tmp:
        out = Path(tmp) / "out.json"
        for flag in order(repeats):
            load = os.getloadavg()[0]
            args = [sys.executable, str(Path(__file__).resolve()), "--child",
                    "with" if flag else "without", "--out", str(out)]  # fmt: skip
            subprocess.run(args, env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, check=True)
            run = dict(json.loads(out.read_text(encoding="utf-8")), with_stage=flag, load=load)
            runs.append(run)
            print(f"{'with' if flag else 'without':7} cpu {run['cpu_s']:6.1f} s  wall "
                  f"{run['wall_s']:6.1f} s  stage cpu {run['stage_cpu_s']:5.1f} s  "
                  f"load {load:.1f}", flush=True)  # fmt: skip
    return runs


def section(runs: list[dict[str, Any]], facts: dict[str, Any]) -> str:
    """The "## Narratives" section of docs/BENCHMARKS.md."""
    s = summarize(runs)
    with_runs = [r for r in runs if r["with_stage"]]
    version = with_runs[0]["version"]
    gate = ("keyword gate on: only sentences with a keyword are encoded" if with_runs[0].get("gate")
            else "encoder on every sentence, no keyword gate")  # fmt: skip
    fmt = ", ".join
    rows = "\n".join(
        f"| {'with' if r['with_stage'] else 'without'} | {r['cpu_s']:.1f} | {r['wall_s']:.1f} | "
        f"{r['stage_cpu_s']:.1f} | {r['load']:.1f} |"
        for r in runs
    )
    verdict = "met" if s["meets_target"] else "**missed**"
    return f"""## Narratives

`python bench/narratives.py [--repeats N]` — the {facts["articles"]} distinct real cryptonews.com
2023 texts ({facts["words"]:,} words, {with_runs[0]["sentences"]:,} sentences) through
`Analyzer.pipe` (batch 16, one process) with the full stage list and with the same list minus the
narrative stage, each run a fresh process, the two alternating (with, without, without, with,
...). CPU = user + system seconds of the process and its threads for one pass (model loading and
a {WARMUP}-article warm-up not timed); the stage's own CPU is measured around its `run_batch`.
The sentiment cache is off. Narratives version `{version}` ({gate}; {with_runs[0]["assigned"]:,}
sentences get a narrative).

| figure | value |
|---|---|
| CPU s per pass without narratives (median) | {s["without_cpu_s"]:.1f} |
| CPU s per pass with narratives (median) | {s["with_cpu_s"]:.1f} |
| **CPU time narratives add to analyze** (ratio of medians) | **{100 * s["added_cpu"]:.1f} %** |
| same, repeat by repeat | {fmt(f"{100 * p:+.1f} %" for p in s["paired_cpu"])} |
| narrative stage's own CPU s (median) / share of the pass without it | {s["stage_cpu_s"]:.1f} / {100 * s["stage_share"]:.1f} % |
| wall s without / with (median; load-dependent) | {s["without_wall_s"]:.1f} / {s["with_wall_s"]:.1f} ({100 * s["added_wall"]:+.1f} %) |
| target ≤ {100 * TARGET:.0f} % | {verdict} |
| machine | {facts["cpus"]} CPUs, {platform.machine()}, Python {platform.python_version()} |
| measured | {date.today().isoformat()}; load average {facts["load_start"]:.1f} at the start, {facts["load_end"]:.1f} at the end |

| run | CPU s | wall s | stage CPU s | load |
|---|---|---|---|---|
{rows}
"""  # noqa: E501


def main() -> None:
    """Measure and record (or, with --child, time one arm)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="with/without pairs")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--gate",
        action="store_true",
        help="with TIDINGS_NARRATIVES_GATE=1 (encode keyword sentences only)",
    )
    parser.add_argument(
        "--encoders", nargs="+", choices=("minilm", "sentiment"), help="compare encoders"
    )
    parser.add_argument("--child", choices=("with", "without"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not ARCHIVE.exists():
        sys.exit(f"{ARCHIVE} not found: the benchmark needs ../shared")
    if args.child:
        child(args.child == "with", args.out)
        return
    items = archive_texts()
    facts = {"articles": len(items), "words": sum(len(t.split()) for t, _ in items),
             "cpus": os.cpu_count(), "load_start": os.getloadavg()[0]}  # fmt: skip
    if args.gate:
        os.environ["TIDINGS_NARRATIVES_GATE"] = "1"  # inherited by the children
    if args.encoders:
        for enc, summary in compare(args.encoders, args.repeats).items():
            print(enc, json.dumps(summary))
        return
    runs = measure(args.repeats)
    facts["load_end"] = os.getloadavg()[0]
    text = section(runs, facts)
    print(text)
    if not args.no_write:
        write_section("Narratives", text)


if __name__ == "__main__":
    main()
