"""Claims benchmark: how much the claims stage adds to `analyze` time, on real articles.

Reads ../shared/data/crypto-news-articles/cryptonews_com_2023_fulltext.json at run time (the
distinct texts, paragraphs joined by newlines) and times `Analyzer.pipe` with the configured
stage list, with the claims stage's rules alone (no learned decision layer) and with the same list
minus the claims stage (same spaCy pipeline, same KB), interleaved, in CPU seconds of the
process (ONNX Runtime's threads included) and wall seconds. The claims stage includes its own
dependency parse of the sentences around numbers: the shared spaCy pass skips the parser. Writes
the figures under "## Claims" in docs/BENCHMARKS.md (other sections are left as they are).
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchdoc import archive_texts, write_section  # noqa: E402

# Timed passes repeat the same texts; a warm sentiment cache would make every pass after the
# first skip the model, which no new article does. Measure without it.
os.environ["TIDINGS_SENTIMENT_CACHE_SIZE"] = "0"

from nlp.claims.extract import CLAIMS_VERSION  # noqa: E402
from nlp.claims.stage import ClaimStage  # noqa: E402
from nlp.pipeline import STAGES, Analyzer  # noqa: E402
from nlp.stages import StageResources  # noqa: E402

DOC = REPO / "docs" / "BENCHMARKS.md"
CLAIMS_STAGE = "nlp.claims.stage:claims_stage"
RULES_STAGE = "nlp.claims.stage:rules_only_stage"
TWO_THREADS = f"{__name__}:two_thread_stage"
BASELINE_STAGE = f"{__name__}:baseline_stage"


def two_thread_stage(resources: StageResources) -> ClaimStage:
    """The claims stage as it ran before: its encoder a session of its own at 2 threads."""
    return ClaimStage(
        resources.nlp, budget_s=resources.settings.nlp_article_time_budget_s, encoder_threads=2
    )


BASELINE: dict[str, Path] = {}


def baseline_stage(resources: StageResources) -> ClaimStage:
    """The claims stage with the model folder given by --baseline-model (a former model)."""
    return ClaimStage(
        resources.nlp,
        budget_s=resources.settings.nlp_article_time_budget_s,
        model_dir=BASELINE["dir"],
    )


Decisions = list[tuple[int, int, str | None, str | None, str | None]]


def one_pass(
    analyzer: Analyzer, items: list[tuple[str, date | None]]
) -> tuple[float, float, Decisions]:
    """Wall and CPU seconds for one pass and every claim's offsets and decided labels."""
    start, cpu = time.perf_counter(), time.process_time()
    decided = [
        (c.start, c.end, c.claim_type, c.direction, c.metric)
        for a in analyzer.pipe(items, batch_size=16, n_process=1)
        for c in a.claims
    ]
    return time.perf_counter() - start, time.process_time() - cpu, decided


def measure(repeats: int, *, compare_threads: bool = False) -> dict[str, object]:
    """Interleaved timed passes with and without the claims stage (first pass of each dropped);
    `compare_threads`: also the learned layer with its encoder at 2 threads in a session of its
    own (how it ran before it shared the narrative stage's), and whether its decisions match."""
    items = archive_texts()
    stages = list(STAGES) if CLAIMS_STAGE in STAGES else [*STAGES, CLAIMS_STAGE]
    with_claims = Analyzer(stages=stages)
    rules = Analyzer(stages=[RULES_STAGE if s == CLAIMS_STAGE else s for s in stages],
                     kb=with_claims.kb)  # fmt: skip
    without = Analyzer(stages=[s for s in stages if s != CLAIMS_STAGE], kb=with_claims.kb)
    passes = [("without", without), ("rules", rules), ("with", with_claims)]
    if compare_threads:
        two = Analyzer(stages=[TWO_THREADS if s == CLAIMS_STAGE else s for s in stages],
                       kb=with_claims.kb)  # fmt: skip
        passes.insert(2, ("two", two))
    if "dir" in BASELINE:
        base = Analyzer(stages=[BASELINE_STAGE if s == CLAIMS_STAGE else s for s in stages],
                        kb=with_claims.kb)  # fmt: skip
        passes.insert(2, ("base", base))
    runs: dict[str, list[float]] = {label: [] for label, _ in passes}
    cpu: dict[str, list[float]] = {label: [] for label, _ in passes}
    decided: dict[str, Decisions] = {}
    claims = 0
    for i in range(repeats + 1):
        for label, analyzer in passes:
            seconds, cpu_s, found = one_pass(analyzer, items)
            claims = max(claims, len(found))
            if label in decided and decided[label] != found:
                raise SystemExit(f"{label}: decisions differ between passes")
            decided[label] = found
            if i:
                runs[label].append(seconds)
                cpu[label].append(cpu_s)
            print(f"pass {i} {label:7} {seconds:6.2f}s wall {cpu_s:6.2f}s CPU")
    with_s, without_s = statistics.median(runs["with"]), statistics.median(runs["without"])
    med = {label: statistics.median(values) for label, values in cpu.items()}
    return {
        "articles": len(items),
        "words": sum(len(t.split()) for t, _ in items),
        "claims": claims,
        "with_s": with_s,
        "without_s": without_s,
        "overhead": (with_s - without_s) / without_s,
        "paired": [w / o - 1 for w, o in zip(runs["with"], runs["without"], strict=True)],
        "runs": runs,
        "cpu": cpu,
        "share_rules": (med["rules"] - med["without"]) / med["rules"],
        "share_learned": (med["with"] - med["without"]) / med["with"],
        "share_two": (med["two"] - med["without"]) / med["two"] if "two" in med else None,
        "same_decisions": decided["two"] == decided["with"] if "two" in decided else None,
        "share_base": (med["base"] - med["without"]) / med["base"] if "base" in med else None,
        "base_version": dict(passes)["base"].model_versions["claims"] if "base" in med else None,
        "cpu_median": med,
        "version": with_claims.model_versions["claims"],
        "stages": ", ".join(s.split(":")[-1] for s in stages),
    }


def section(result: dict[str, object]) -> str:
    """The "## Claims" section of docs/BENCHMARKS.md."""
    runs = result["runs"]
    assert isinstance(runs, dict)
    fmt = ", ".join
    pairs = result["paired"]
    assert isinstance(pairs, list)
    cpu = result["cpu_median"]
    assert isinstance(cpu, dict)
    cpu_row = " / ".join(f"{cpu[k]:.2f}" for k in ("without", "rules", "with"))
    before = 100 * float(str(result["share_rules"]))
    after = 100 * float(str(result["share_learned"]))
    paired = fmt(f"{100 * p:+.0f} %" for p in pairs)
    load = f"{os.getloadavg()[0]:.1f}"
    two = ""
    if result["share_two"] is not None:
        two = (
            "| same, the learned layer's encoder in its own 2-thread session (the former setup; "
            f"decisions identical: {result['same_decisions']}) | "
            f"{100 * float(str(result['share_two'])):.1f} % (CPU s {cpu['two']:.2f}) |\n"
        )
    base = ""
    if result["share_base"] is not None:
        base = (
            f"| same, with the former model `{result['base_version']}` (same run) | "
            f"{100 * float(str(result['share_base'])):.1f} % (CPU s {cpu['base']:.2f}) |\n"
        )
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    return f"""## Claims

`python bench/claims.py` — the {result["articles"]} distinct real article texts of
`crypto-news-articles/cryptonews_com_2023_fulltext.json` ({result["words"]:,} words), analyzed
with `Analyzer.pipe` (batch 16, one process) with the stages `{result["stages"]}` and with the
same stages minus claims. The claims stage includes the dependency parse it needs (the shared
spaCy pass runs without the parser, so the stage parses the sentences with numbers and the
sentence before each) and the rule passes (numbers, periods, frames, sources).
The sentiment cache is off: the timed passes repeat the same texts.
Claims version `{CLAIMS_VERSION}` (rules), stage `{result["version"]}` (with the learned layer).

| figure | value |
|---|---|
| claims found | {result["claims"]} |
| seconds per pass, without claims (median) | {result["without_s"]:.2f} |
| seconds per pass, with claims (median) | {result["with_s"]:.2f} |
| time claims add to analyze (ratio of medians) | {100 * float(str(result["overhead"])):.1f} % |
| same, pass by pass (with / without, interleaved) | {paired} |
| runs without (s) | {fmt(f"{r:.2f}" for r in runs["without"])} |
| runs with (s) | {fmt(f"{r:.2f}" for r in runs["with"])} |
| CPU s per pass (median): without claims / rules only / rules + learned layer | {cpu_row} |
| claims stage's share of analyze CPU time, rules only (before) | {before:.1f} % |
| claims stage's share of analyze CPU time, rules + learned layer (after) | {after:.1f} % |
{two + base}| machine | {machine} |
| measured | {date.today().isoformat()}; 2 CPUs, load average {load} |
"""


def main() -> None:
    """Measure and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--compare-threads",
        action="store_true",
        help="also time the learned layer with its own 2-thread encoder (the former setup)",
    )
    parser.add_argument(
        "--baseline-model",
        type=Path,
        help="also time the claims stage with this (former) model folder, in the same run",
    )
    args = parser.parse_args()
    if args.baseline_model:
        BASELINE["dir"] = args.baseline_model.resolve()
    result = measure(args.repeats, compare_threads=args.compare_threads)
    text = section(result)
    print(text)
    if not args.no_write:
        write_section("Claims", text)


if __name__ == "__main__":
    main()
