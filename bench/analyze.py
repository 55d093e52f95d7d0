"""Analyze benchmark: words/s and articles/s of the analysis pipeline on 206 real articles.

Reads ../shared/data/crypto-news-articles/cryptonews_com_2023_fulltext.json at run time (each
record's paragraphs joined by newlines, as `tidings import` stores them) and times
`Analyzer.pipe` for the entity stage alone and for the full stage list, with spaCy's
`n_process` 1 and 2. Model loading is timed separately and never inside a run. Writes the
figures under "## Analyze" in docs/BENCHMARKS.md (other sections are left as they are).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchdoc import write_section  # noqa: E402

# Timed passes repeat the same texts; a warm sentiment cache would skip the model on every pass
# after the first, which no new article does. Measure without it.
os.environ["TIDINGS_SENTIMENT_CACHE_SIZE"] = "0"

from nlp.pipeline import STAGES, Analyzer  # noqa: E402
from nlp.sentences import split_sentences  # noqa: E402

DATA = (
    REPO.parent / "shared" / "data" / "crypto-news-articles" / "cryptonews_com_2023_fulltext.json"
)
DOC = REPO / "docs" / "BENCHMARKS.md"


def load_articles() -> list[tuple[str, date | None]]:
    """(text, publication date) of every record."""
    records = json.loads(DATA.read_text(encoding="utf-8"))
    return [
        ("\n".join(p.strip() for p in r["paragraphs"]), date.fromisoformat(r["date"][:10]))
        for r in records
    ]


def time_runs(
    analyzer: Analyzer, items: list[tuple[str, date | None]], *, n_process: int, repeats: int
) -> list[float]:
    """Seconds per full pass over `items` (the first pass warms caches and is dropped)."""
    runs = []
    for i in range(repeats + 1):
        start = time.perf_counter()
        for _ in analyzer.pipe(items, batch_size=16, n_process=n_process):
            pass
        if i:
            runs.append(time.perf_counter() - start)
    return runs


def measure(repeats: int) -> tuple[list[dict[str, object]], dict[str, object]]:
    """One row per (stages, n_process) plus facts about the data and loading."""
    items = load_articles()
    words = sum(len(text.split()) for text, _ in items)
    start = time.perf_counter()
    full = Analyzer()
    load_s = time.perf_counter() - start
    entity_only = Analyzer(stages=["nlp.entities.stage:entity_stage"], kb=full.kb)
    rows: list[dict[str, object]] = []
    for label, analyzer in (("entities only", entity_only), ("full pipeline", full)):
        for n_process in (1, 2):
            runs = time_runs(analyzer, items, n_process=n_process, repeats=repeats)
            median = statistics.median(runs)
            rows.append({
                "stages": label, "n_process": n_process, "words_s": words / median,
                "articles_s": len(items) / median, "runs": runs,
            })  # fmt: skip
            print(f"{label:14} n_process={n_process}: {words / median:8.0f} words/s "
                  f"{len(items) / median:6.1f} articles/s  runs {runs}")  # fmt: skip
    docs = list(entity_only.nlp.pipe([t for t, _ in items], batch_size=16))
    linker = entity_only.stages[0]._linker  # type: ignore[attr-defined]
    start = time.perf_counter()
    for doc in docs:
        linker.link(doc, split_sentences(doc.text))
    linker_s = time.perf_counter() - start
    facts = {
        "linker_words_s": words / linker_s,
        "articles": len(items), "distinct": len({t for t, _ in items}), "words": words,
        "load_s": load_s, "stages": ", ".join(s.split(":")[-1] for s in STAGES),
        "versions": full.model_versions,
    }  # fmt: skip
    return rows, facts


def render(rows: list[dict[str, object]], facts: dict[str, object]) -> str:
    """The "## Analyze" section."""
    lines = [
        "## Analyze",
        "",
        f"`python bench/analyze.py` — the {facts['articles']} real cryptonews.com articles "
        f"({facts['distinct']} distinct texts, {facts['words']:,} words) through `Analyzer.pipe` "
        "(batch 16): sentences + entity linking alone, and the full stage list "
        f"({facts['stages']}); spaCy `{facts['versions']['spacy']}` with parser and lemmatizer "  # type: ignore[index]
        "off in the shared pass. Median of the timed passes after one warm-up pass; model "
        "loading is not in them.",
        "",
        "| stages | n_process | words/s | articles/s | passes (s) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        runs = ", ".join(f"{x:.1f}" for x in r["runs"])  # type: ignore[attr-defined]
        speed = f"{r['words_s']:,.0f} | {r['articles_s']:.1f}"
        lines.append(f"| {r['stages']} | {r['n_process']} | {speed} | {runs} |")
    load = os.getloadavg()[0]
    lines += [
        "",
        "The sentiment cache is off (the passes repeat the same texts). "
        "Sentence splitting + linking alone on documents spaCy parsed beforehand: "
        f"{facts['linker_words_s']:,.0f} words/s, so spaCy's tagger and NER are most of the cost. "
        f"Loading spaCy + KB + stages once: {facts['load_s']:.1f} s. "
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"measured {date.today().isoformat()} at a load average of {load:.1f} "
        "(anything else running on the machine lowers these figures).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Measure and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="timed passes per configuration")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} not found: the benchmark needs ../shared")
    rows, facts = measure(args.repeats)
    section = render(rows, facts)
    print(section)
    if not args.no_write:
        write_section("Analyze", section)


if __name__ == "__main__":
    main()
