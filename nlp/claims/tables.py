"""Numeric tables inside article text (statistical releases: BLS, Treasury, exchange data).

A table is a run of lines made mostly of numbers. Its cells are not claims a sentence makes, and
read as one endless "sentence" they would cost the claim rules time for nothing, so claim
extraction skips them and says so in the analysis notes.
"""

import re

_LINE = re.compile(r"[^\n]+")
_TOKEN = re.compile(r"\S+")
_NUMBER = re.compile(r"^[(\[+\-−–$€£]?\d[\d,.\s]*[%)\]]?[A-Za-z]{0,2}$")
MIN_ROWS = 3  # fewer numeric lines in a row are a list, not a table
MIN_NUMBERS = 3  # numbers a line needs to count as a table row


def is_numeric_row(line: str) -> bool:
    """A line with at least MIN_NUMBERS numbers that make up most of its words."""
    tokens = _TOKEN.findall(line)
    numbers = sum(1 for t in tokens if _NUMBER.match(t.strip(",;|")))
    return numbers >= MIN_NUMBERS and numbers * 2 > len(tokens)


def numeric_tables(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the text's numeric tables, in order; linear in the text."""
    tables: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for match in _LINE.finditer(text):
        if is_numeric_row(match.group()):
            run.append(match.span())
            continue
        if match.group().strip() and len(run) >= MIN_ROWS:
            tables.append((run[0][0], run[-1][1]))
        if match.group().strip():
            run = []
    if len(run) >= MIN_ROWS:
        tables.append((run[0][0], run[-1][1]))
    return tables
