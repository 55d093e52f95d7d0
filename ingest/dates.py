"""Numeric dates such as `5-7-2022`: which field is the day, decided once per file.

A file that writes dates as numbers uses one order throughout; a field above 12 can only be the
day, so one such date settles the order for the whole file. Dates written with a four-digit year
inside the file's other columns (URLs such as `/2022/07/05/...`) may settle it too, by matching
the day and month of the same row. A file with no such evidence is undecidable: its dates are
not guessed.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import dateparser
import dateutil.parser

from ingest.normalize import parse_iso_date, to_utc

# Day and month first, as numbers, then a year: 5-7-2022, 05/07/22, 5.7.2022 04:24.
_NUMERIC = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\b")
_YMD_IN_TEXT = re.compile(r"(?<!\d)(\d{4})[-/_.]?(\d{2})[-/_.]?(\d{2})(?!\d)")


class DateOrder(StrEnum):
    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"

    @property
    def dateparser_order(self) -> str:
        """The order as dateparser's DATE_ORDER setting."""
        return "DMY" if self is DateOrder.DAY_FIRST else "MDY"


@dataclass
class DateDecision:
    """What a file's dates say about their order."""

    order: DateOrder | None
    reason: str
    numeric: int = 0  # dates written as numbers (day and month)
    ambiguous: int = 0  # of those, dates where both fields are 12 or less

    @property
    def needed(self) -> bool:
        """True when some dates are ambiguous, so the file needs an order."""
        return self.ambiguous > 0


def _hint_order(first: int, second: int, *, year: str, hint: str) -> DateOrder | None:
    """The order that a YYYY-MM-DD date of the same row (e.g. in its URL) implies."""
    for match in _YMD_IN_TEXT.finditer(hint):
        if not match.group(1).endswith(year[-2:]):
            continue
        month, day = int(match.group(2)), int(match.group(3))
        if (day, month) == (first, second) and first != second:
            return DateOrder.DAY_FIRST
        if (month, day) == (first, second) and first != second:
            return DateOrder.MONTH_FIRST
    return None


def decide_date_order(values: Iterable[str], hints: Iterable[str] = ()) -> DateDecision:
    """The date order of one file's date values; `hints` are the same rows' other text.

    A field above 12 decides; without one, matching dates in the hints (URLs) decide; evidence
    both ways, or none at all while some dates are ambiguous, leaves the order undecided.
    """
    return decide_date_order_pairs(_with_hints(values, hints))


def decide_date_order_pairs(pairs: Iterable[tuple[str, str]]) -> DateDecision:
    """decide_date_order over (value, hint) pairs, read once, keeping only the evidence."""
    evidence: dict[DateOrder, str] = {}
    url_evidence: dict[DateOrder, str] = {}
    numeric = ambiguous = 0
    for value, hint in pairs:
        match = _NUMERIC.match(value)
        if match is None:
            continue
        numeric += 1
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            evidence.setdefault(DateOrder.DAY_FIRST, value.strip())
        elif second > 12 >= first:
            evidence.setdefault(DateOrder.MONTH_FIRST, value.strip())
        elif first <= 12 and second <= 12:
            ambiguous += 1
            order = _hint_order(first, second, year=match.group(3), hint=hint) if hint else None
            if order is not None:
                url_evidence.setdefault(order, f"{value.strip()} next to {hint[:80]}")
    return _decision(evidence, url_evidence, numeric=numeric, ambiguous=ambiguous)


def _with_hints(values: Iterable[str], hints: Iterable[str]) -> Iterable[tuple[str, str]]:
    """Pairs (value, hint), the hint empty when none is given."""
    hint_list = list(hints)
    for i, value in enumerate(values):
        yield str(value or ""), hint_list[i] if i < len(hint_list) else ""


def _decision(
    evidence: dict[DateOrder, str],
    url_evidence: dict[DateOrder, str],
    *,
    numeric: int,
    ambiguous: int,
) -> DateDecision:
    """The decision from field-above-12 evidence, else from URL evidence."""
    order: DateOrder | None = None
    if len(evidence) == 2:
        day, month = evidence[DateOrder.DAY_FIRST], evidence[DateOrder.MONTH_FIRST]
        reason = f"dates are written both day-first and month-first ({day!r} and {month!r})"
    elif evidence:
        order, example = next(iter(evidence.items()))
        which = "first" if order is DateOrder.DAY_FIRST else "second"
        reason = f"{order.value}: the {which} field of {example!r} is above 12"
    elif len(url_evidence) == 1:
        order, example = next(iter(url_evidence.items()))
        reason = f"{order.value}: URL date matches ({example})"
    elif not ambiguous:
        reason = "no numeric day-month dates"
    else:
        why = "URL dates disagree" if url_evidence else "no day or month above 12"
        reason = (
            f"cannot tell day-first from month-first ({why} in {ambiguous} ambiguous dates "
            "such as 5-7-2022)"
        )
    return DateDecision(order, reason, numeric, ambiguous)


def parse_date(value: str, *, order: DateOrder | None, date_format: str | None) -> datetime | None:
    """A UTC datetime: the given strptime format, else ISO 8601, else dateparser with the
    file's date order (never an order guessed per value)."""
    text = value.strip()
    if not text:
        return None
    if date_format:
        try:
            return to_utc(datetime.strptime(text, date_format))
        except ValueError:
            return None
    parsed = parse_iso_date(text)
    if parsed is not None:
        return parsed
    if order is not None and _NUMERIC.match(text):
        try:
            return to_utc(dateutil.parser.parse(text, dayfirst=order is DateOrder.DAY_FIRST))
        except (ValueError, OverflowError):
            return None
    settings: dict[str, object] = {"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True}
    if order is not None:
        settings["DATE_ORDER"] = order.dateparser_order
        settings["PREFER_LOCALE_DATE_ORDER"] = False
    guess = dateparser.parse(text, settings=settings)  # type: ignore[arg-type]
    return to_utc(guess) if guess else None
