"""Pathological texts: analysis time against the number of numbers in one sentence.

Times `Analyzer.analyze` on one sentence holding 2,500, 5,000 and 10,000 numbers and on a
1,000-line numeric table (the shape of BLS or Treasury releases), with the per-article time
budget off. Linear analysis keeps the time per number flat as the count doubles. CPU time is
printed beside wall time: on a shared machine it is the steadier of the two. Run it on the
code to measure (`PYTHONPATH=<checkout> python bench/pathological.py`); give `--sizes` to pick
the counts, e.g. to time the old quadratic code only on the smaller texts.
"""

import argparse
import os
import platform
import time

os.environ["TIDINGS_NLP_ARTICLE_TIME_BUDGET_S"] = "0"
os.environ["TIDINGS_SENTIMENT_CACHE_SIZE"] = "0"

from nlp.pipeline import Analyzer


def numbers_sentence(count: int) -> str:
    """One sentence listing `count` decimal numbers."""
    values = ", ".join(f"{i * 7 % 1000}.{i % 10}" for i in range(count))
    return f"The series read {values} in the latest release."


def numeric_table(rows: int) -> str:
    """A statistical release: a heading, then `rows` lines of a label and six figures."""
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    lines = ["Consumer prices rose 0.3% in March, the bureau said.", ""]
    for i in range(rows):
        label = f"{months[i % 12]} {1990 + i // 12}"
        cells = "  ".join(f"{(i * k) % 997 / 10:.1f}" for k in range(3, 9))
        lines.append(f"{label}  {cells}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2500,5000,10000", help="numbers per sentence")
    parser.add_argument("--table-rows", type=int, default=1000, help="0 to skip the table")
    args = parser.parse_args()
    analyzer = Analyzer()
    analyzer.analyze("Bitcoin rose 5% on Monday.")  # load every model outside the timings
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs")
    cases = [(f"{n:,} numbers in one sentence", numbers_sentence(n), n)
             for n in map(int, args.sizes.split(",")) if n]  # fmt: skip
    if args.table_rows:
        cases.append((f"{args.table_rows:,}-line numeric table", numeric_table(args.table_rows),
                      args.table_rows * 6))  # fmt: skip
    for label, text, numbers in cases:
        started, cpu = time.perf_counter(), time.process_time()
        analysis = analyzer.analyze(text)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        skipped = getattr(analysis, "notes", [])  # the old code has no notes
        notes = f"; {len(skipped)} note(s)" if skipped else ""
        print(f"{label}: {seconds:.1f} s wall, {cpu:.1f} s CPU, "
              f"{cpu / numbers * 1e6:,.0f} µs CPU per number, "
              f"{len(analysis.claims):,} claims{notes}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
