"""Narratives benchmark: how much the narrative stage adds to `analyze` time, on real articles.

Reads ../shared/data/crypto-news-articles/cryptonews_com_2023_fulltext.json at run time (the
distinct texts, paragraphs joined by newlines) and times `Analyzer.pipe` with the full stage list
and with the same list minus the narrative stage (same spaCy pipeline, same KB), interleaved, in
one process. Also times the narrative stage's encoder with the keyword gate off, to show what the
gate saves. Writes the figures under "## Narratives" in docs/BENCHMARKS.md.
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

from nlp.narratives.assign import AssignConfig  # noqa: E402
from nlp.narratives.stage import NarrativeStage  # noqa: E402
from nlp.pipeline import STAGES, Analyzer  # noqa: E402

DOC = REPO / "docs" / "BENCHMARKS.md"
STAGE = "nlp.narratives.stage:narrative_stage"


def one_pass(analyzer: Analyzer, items: list[tuple[str, date | None]]) -> tuple[float, int, int]:
    """Seconds for one pass, sentences, and sentences assigned a narrative."""
    start = time.perf_counter()
    analyses = list(analyzer.pipe(items, batch_size=16, n_process=1))
    seconds = time.perf_counter() - start
    assigned = {(i, s) for i, a in enumerate(analyses) for n in a.narratives
                for s in n.sentence_indexes}  # fmt: skip
    return seconds, sum(len(a.sentences) for a in analyses), len(assigned)


def stage_of(analyzer: Analyzer) -> NarrativeStage:
    return next(s for s in analyzer.stages if isinstance(s, NarrativeStage))


def measure(repeats: int, limit: int | None = None) -> dict[str, object]:
    """Interleaved timed passes with and without the narrative stage (first pass dropped)."""
    items = archive_texts(limit)
    stages = list(STAGES) if STAGE in STAGES else [*STAGES, STAGE]
    with_stage = Analyzer(stages=stages)
    without = Analyzer(stages=[s for s in stages if s != STAGE], kb=with_stage.kb)
    runs: dict[str, list[float]] = {"with": [], "without": []}
    sentences = assigned = 0
    for i in range(repeats + 1):
        for label, analyzer in (("without", without), ("with", with_stage)):
            seconds, sentences, found = one_pass(analyzer, items)
            assigned = max(assigned, found)
            if i:
                runs[label].append(seconds)
            print(f"pass {i} {label:7} {seconds:6.2f}s", flush=True)
    model = stage_of(with_stage).model
    texts = [s.text for a in with_stage.pipe(items, batch_size=16) for s in a.sentences]
    gated = sum(bool(model.cues(t).any()) for t in texts)
    start = time.perf_counter()
    model.encoder.encode(texts)
    encode_all = time.perf_counter() - start
    start = time.perf_counter()
    model.config = AssignConfig()
    model.assign_documents([texts])
    stage_alone = time.perf_counter() - start
    with_s, without_s = statistics.median(runs["with"]), statistics.median(runs["without"])
    return {
        "articles": len(items), "words": sum(len(t.split()) for t, _ in items),
        "sentences": sentences, "assigned": assigned, "gated": gated,
        "with_s": with_s, "without_s": without_s,
        "overhead": (with_s - without_s) / without_s,
        "paired": [w / o - 1 for w, o in zip(runs["with"], runs["without"], strict=True)],
        "runs": runs, "encode_all_s": encode_all, "stage_alone_s": stage_alone,
        "version": model.version,
    }  # fmt: skip


def section(result: dict[str, object]) -> str:
    """The "## Narratives" section of docs/BENCHMARKS.md."""
    runs = result["runs"]
    assert isinstance(runs, dict)
    pairs = result["paired"]
    assert isinstance(pairs, list)
    fmt = ", ".join
    load = f"{os.getloadavg()[0]:.1f}"
    return f"""## Narratives

`python bench/narratives.py [--limit N]` — {result["articles"]} distinct real article texts of
`crypto-news-articles/cryptonews_com_2023_fulltext.json` ({result["words"]:,} words,
{result["sentences"]:,} sentences), analyzed with `Analyzer.pipe` (batch 16, one process) with
the full stage list and with the same list minus the narrative stage, interleaved in one process
(the baseline is in the same run). The stage runs the int8 ONNX MiniLM encoder
(`nlp/narratives/encoder/`) only on sentences with a keyword cue of some narrative.
The sentiment cache is off. Narratives version `{result["version"]}`.

| figure | value |
|---|---|
| sentences with a narrative | {result["assigned"]:,} of {result["sentences"]:,} |
| sentences the keyword gate sends to the encoder | {result["gated"]:,} |
| seconds per pass, without narratives (median) | {result["without_s"]:.2f} |
| seconds per pass, with narratives (median) | {result["with_s"]:.2f} |
| time narratives add to analyze (ratio of medians) | {100 * float(str(result["overhead"])):.1f} % |
| same, pass by pass (with / without, interleaved) | {fmt(f"{100 * p:+.0f} %" for p in pairs)} |
| runs without (s) | {fmt(f"{r:.2f}" for r in runs["without"])} |
| runs with (s) | {fmt(f"{r:.2f}" for r in runs["with"])} |
| narrative stage alone, all sentences as one batch (s) | {result["stage_alone_s"]:.2f} |
| encoder on every sentence, no gate (s) | {result["encode_all_s"]:.2f} |
| machine | {platform.processor() or platform.machine()}, Python {platform.python_version()} |
| measured | {date.today().isoformat()}; 2 CPUs, load average {load} |
"""


def main() -> None:
    """Measure and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="only the first N texts")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    result = measure(args.repeats, args.limit)
    text = section(result)
    print(text)
    if not args.no_write:
        write_section("Narratives", text)


if __name__ == "__main__":
    main()
