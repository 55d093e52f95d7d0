"""Time expressions in article text and the periods they denote, resolved against publication.

`find_time_expressions(text, published)` returns every date, interval, relative expression
("last week", "past 30 days", "last Wednesday", "December last year", "Q3"), time window and
non-number time token (clock times, time zones) with its resolved start/end date. Unresolvable
expressions keep their text with null dates. Relative logic:

- "last week" is the previous trading week, Monday to Friday; "this week" runs Monday to the
  publication day; "last month"/"last year" are the previous calendar month/year.
- "past/last N days" ends the day before publication and starts N days before it.
- A month-day without a year takes the year that puts it closest to publication.
- A month without a year is the latest such month not after publication ("in March").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from nlp.claims.numwords import WORD_NUMBER, digits_or_words
from nlp.claims.period_math import (
    closest_year,
    latest_month,
    month_end,
    month_part,
    relative_unit,
    trading_window,
    weekday,
    window,
    window_days,
)

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            (),
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# "November 3", "Nov. 3rd, 2025", "3 November 2025", "Monday, November 3"
DATE = (
    rf"(?:{WEEKDAY},?\s+)?(?:{MONTH}\s+{_DAY}(?![\d.,]\d)(?:,?\s+\d{{4}})?"
    rf"|{_DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}})?)"
)
_PART = r"(?:early|mid|late|the\s+end\s+of|end\s+of|the\s+start\s+of|start\s+of)"
_UNIT = r"(?:hours?|days?|weeks?|months?|years?|quarters?)"
_N = rf"(?:\d+|{WORD_NUMBER})"


@dataclass(frozen=True)
class TimeExpression:
    """A time expression found in text, with the period it resolves to (None when unknown)."""

    start: int
    end: int
    text: str
    kind: str  # date | interval | relative | month | year | window | reference | event | other
    period_start: date | None
    period_end: date | None
    length_days: int | None = None  # for windows and "the four-day outflow" anaphora

    @property
    def resolved(self) -> bool:
        """Whether the expression maps to calendar dates."""
        return self.period_start is not None


def _month_num(word: str) -> int:
    """Month number of a month name or abbreviation."""
    return _MONTHS[word.lower().rstrip(".")]


_MONTH_DAY = re.compile(rf"({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(\d{{4}}))?")


def parse_date(text: str, published: date | None) -> date | None:
    """A single date like "November 3", "3 Nov 2025" or "Monday, October 31st"."""
    m = None if re.match(r"\s*\d", text) else _MONTH_DAY.search(text)
    if m:
        month, day, year = _month_num(m.group(1)), int(m.group(2)), m.group(3)
    else:
        m = re.search(
            rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH})(?:,?\s+(\d{{4}}))?", text
        )
        if not m:
            return None
        month, day, year = _month_num(m.group(2)), int(m.group(1)), m.group(3)
    if year:
        try:
            return date(int(year), month, day)
        except ValueError:
            return None
    return closest_year(month, day, published) if published else None


Resolver = Callable[[re.Match[str], date], tuple[date | None, date | None]]


def _r_iso(m: re.Match[str], _p: date) -> tuple[date | None, date | None]:
    day = date(int(m["y"]), int(m["m"]), int(m["d"]))
    return day, day


def _r_interval(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    start = parse_date(m["a"], p)
    if m["b"].isdigit():  # "October 29 to 31": the month is shared
        end = start.replace(day=int(m["b"])) if start else None
        return start, end
    end = parse_date(m["b"], p)
    if start and end and start > end and not re.search(r"\d{4}", m["a"]):
        start = start.replace(year=end.year) if start.replace(year=end.year) <= end else start
        if start > end:
            start = start.replace(year=end.year - 1)
    return start, end


def _r_part_interval(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    a_month, b_month = _month_num(m["am"]), _month_num(m["bm"])
    b_year = latest_month(b_month, p)[0].year
    a_year = b_year if a_month <= b_month else b_year - 1
    return month_part(m["ap"], a_month, a_year)[0], month_part(m["bp"], b_month, b_year)[1]


def _r_date(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    day = parse_date(m["d"], p)
    if day and m["since"]:
        return day, p
    return day, day


def _r_month(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    month = _month_num(m["mon"])
    if m["year"]:
        year = int(m["year"])
    elif m["rel"]:
        year = p.year + {"last": -1, "next": 1}.get(m["rel"].lower(), 0)
    elif m["pre"] and m["pre"].lower() in {"next", "by"}:
        year = p.year if month > p.month else p.year + 1
    elif m["pre"] and m["pre"].lower() == "last":
        year = p.year if month < p.month else p.year - 1
    else:
        year = latest_month(month, p)[0].year
    if m["part"]:
        return month_part(m["part"], month, year)
    return date(year, month, 1), month_end(year, month)


def _r_quarter(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    q = int(m["q"]) if m["q"] else ("first", "second", "third", "fourth").index(m["qw"].lower()) + 1
    year = int(m["y"]) if m["y"] else p.year
    return date(year, 3 * q - 2, 1), month_end(year, 3 * q)


def _r_half(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    first = (m["h"] or m["hw"] or "").lower() in {"1", "first"}
    year = int(m["y"]) if m["y"] else p.year
    return (
        (date(year, 1, 1), date(year, 6, 30)) if first else (date(year, 7, 1), date(year, 12, 31))
    )


def _r_year(m: re.Match[str], _p: date) -> tuple[date | None, date | None]:
    year = int(m["y"])
    return date(year, 1, 1), date(year, 12, 31)


def _r_day_word(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    word = m[0].lower()
    back = 1 if ("yesterday" in word or "last night" in word) else 0
    day = p - timedelta(days=back)
    return day, day


def _r_relative(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    # "on the week" (a move "on the week") is the current one
    unit, which = (m["u"], m["w"]) if m["u"] else (m["u2"], "this")
    return relative_unit(unit.lower(), which.lower(), p) or (None, None)


def _last_day(unit: str, start: date) -> date:
    """The last day of the week, month, quarter or year that begins on `start`."""
    return {
        "week": start + timedelta(days=6),
        "month": month_end(start.year, start.month),
        "quarter": month_end(start.year, (start.month - 1) // 3 * 3 + 3),
    }.get(unit, date(start.year, 12, 31))


def _r_part_of_unit(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    """ "earlier this week" ends the day before publication, "later this month" starts after it."""
    current = relative_unit(m["u"].lower(), "this", p)
    if current is None:
        return None, None
    start, _ = current
    if m["w"].lower() == "later":
        last = _last_day(m["u"].lower(), start)
        return p + timedelta(days=1), max(last, p + timedelta(days=1))
    return start, max(start, p - timedelta(days=1))


def _r_period_end(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    """ "by the end of the year", "before the end of 2023", "by year-end": the last day."""
    if m["y"]:
        return date(int(m["y"]), 12, 31), date(int(m["y"]), 12, 31)
    unit = (m["u"] or "year").lower()
    which = "next" if (m["w"] or "").lower() == "next" else "this"
    current = relative_unit(unit, which, p)
    if current is None:
        return None, None
    last = _last_day(unit, current[0])
    return last, last


def _r_ytd(_m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    return date(p.year, 1, 1), p


def _r_weekday(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    day = weekday(m["wd"], (m["w"] or "").lower(), p)
    return day, day


def _r_window(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    count = digits_or_words(m["n"])
    if count is None:
        return None, None
    if m["dir"] and m["dir"].lower() in {"next", "coming"}:
        return None, None
    if m["trading"] and m["trading"].lower().startswith("trading"):
        return trading_window(int(count), p)
    return window(count, m["u"], p)


def _r_ago(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    count = 1.0 if m["n"].lower() in {"a", "an"} else digits_or_words(m["n"])
    if count is None:
        return None, None
    day = p - timedelta(days=window_days(count, m["u"]))
    return day, day


def _r_event(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    """A quoted month.day event label ("10.11" crash) read as that day."""
    month, day = int(m["m"]), int(m["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None, None
    found = closest_year(month, day, p)
    return found, found


_SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


def _r_season(m: re.Match[str], p: date) -> tuple[date | None, date | None]:
    """Meteorological seasons: summer is June to August; "last" is the latest one ended."""
    month = _SEASON_START[m["season"].lower()]
    year = p.year
    which = m["w"].lower()
    if which == "last":
        year -= 0 if date(year, month, 1) + timedelta(days=92) <= p else 1
    elif which == "next":
        year += 0 if date(year, month, 1) > p else 1
    start = date(year, month, 1)
    end_month = (month + 1) % 12 + 1
    end_year = year + (1 if end_month < month else 0)
    return start, month_end(end_year, end_month)


def _r_none(_m: re.Match[str], _p: date) -> tuple[date | None, date | None]:
    return None, None


_BOUND = r"(?:to|and|through|until|till|-|–|—)"
# (kind, pattern, resolver) in priority order; earlier patterns win overlaps.
_PATTERNS: list[tuple[str, str, Resolver]] = [
    ("date", r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b", _r_iso),
    (
        "interval",
        rf"(?:\b(?i:from|between)\s+)?(?P<a>{DATE})\s*{_BOUND}\s*(?P<b>{DATE}|\d{{1,2}}(?!\d))",
        _r_interval,
    ),
    (
        "interval",
        rf"\b(?:(?i:from)\s+)?(?P<ap>{_PART})[- ](?P<am>{MONTH})\s+{_BOUND}\s+(?P<bp>{_PART})[- ]"
        rf"(?P<bm>{MONTH})",
        _r_part_interval,
    ),
    ("date", rf"(?:\b(?P<since>since)\s+)?(?P<d>{DATE})", _r_date),
    (
        "date",
        r"(?i)\b(?:by|before|until|through|into|at|towards?)\s+(?:the\s+)?end\s+of\s+"
        r"(?:(?P<w>this|the|next)\s+(?P<u>year|month|quarter)|(?P<y>(?:19|20)\d{2}))\b"
        r"|\b(?:by|before)\s+(?:the\s+)?(?:year[- ]end|end[- ]of[- ](?:the[- ])?year)\b",
        _r_period_end,
    ),
    (
        "month",
        rf"(?:\b(?P<pre>(?i:in|during|since|of|last|next|this|by|for))\s+(?:the\s+)?)?"
        rf"(?:(?P<part>{_PART})[- ](?:of\s+)?)?(?P<mon>{MONTH})(?:'s|’s)?"
        rf"(?:(?:,?\s+(?:of\s+)?(?P<year>\d{{4}}))|\s+(?P<rel>last|this|next)\s+year)?\b",
        _r_month,
    ),
    (
        "month",
        r"(?i:\b(?:in|during|by)\s+(?:the\s+)?)?"
        r"\b(?:Q(?P<q>[1-4])|(?i:(?P<qw>first|second|third|fourth)\s+quarter))"
        r"(?:\s+(?:of\s+)?(?P<y>\d{4})|'(?P<yy>\d{2}))?\b",
        _r_quarter,
    ),
    (
        "month",
        r"\b(?:H(?P<h>[12])|(?P<hw>first|second) half)(?:\s+(?:of\s+)?(?P<y>\d{4}))?\b",
        _r_half,
    ),
    (
        "year",
        r"\b(?:(?i:in|since|during|for|of|by|from|through)\s+)(?P<y>(?:19|20)\d{2})\b",
        _r_year,
    ),
    (
        "relative",
        r"(?i)\b(?:yesterday|today|tonight|last night|this morning|earlier today|now|currently"
        r"|at present|at the moment|(?:at )?current (?:prices|levels))\b",
        _r_day_word,
    ),
    (
        "relative",
        r"(?i)\b(?P<w>earlier|later)\s+this\s+(?P<u>week|month|year|quarter)\b",
        _r_part_of_unit,
    ),
    (
        "relative",
        r"(?i)\b(?P<w>last|this|next|previous|past)\s+(?P<u>week|month|year|quarter)\b"
        r"|\b(?:on|for)[\s-]+the[\s-]+(?P<u2>week|month|year)\b"
        r"(?!\s+(?:ending|ended|before|after|of|ahead))",
        _r_relative,
    ),
    ("relative", r"(?i)\b(?:year[- ]to[- ]date|YTD|so far this year)\b", _r_ytd),
    (
        "month",
        r"(?i)\b(?:(?P<w>last|this|next|in the)\s+)(?P<season>spring|summer|autumn|fall|winter)\b",
        _r_season,
    ),
    ("relative", rf"(?i:\b(?P<w>last|next|this|on|previous)\s+)?\b(?P<wd>{WEEKDAY})\b", _r_weekday),
    (
        "window",
        r"(?i)\b(?:in|over|during|within|for|across|throughout|of|over the course of)\s+"
        r"(?:the\s+)?"
        rf"(?:(?P<dir>past|last|previous|next|coming|first|final)\s+)?(?P<n>{_N})\s+"
        rf"(?P<trading>trading\s+|consecutive\s+|calendar\s+|straight\s+)?(?P<u>{_UNIT})\b",
        _r_window,
    ),
    (
        "window",
        rf"(?i)\b(?:the\s+)?(?P<dir>past|last|previous|next|coming)\s+(?P<n>{_N})\s+"
        rf"(?P<trading>trading\s+|consecutive\s+|calendar\s+)?(?P<u>{_UNIT})\b",
        _r_window,
    ),
    ("relative", rf"(?i)\b(?P<n>{_N}|a|an)\s+(?P<u>{_UNIT})\s+ago\b", _r_ago),
    ("other", rf"(?i)\b(?:{_N}|a|an)\s+{_UNIT}\s+(?:after|later|before|earlier)\b", _r_none),
    ("event", r"[\"“](?P<m>\d{1,2})\.(?P<d>\d{1,2})[\"”]", _r_event),
    (
        "event",
        r"(?i)\b(?P<m>\d{1,2})\.(?P<d>\d{1,2})\b(?=\s+(?:flash\s+)?(?:crash|sell-?off|event|incident"
        r"|liquidations?|plunge|collapse)\b)",
        _r_event,
    ),
    (
        "reference",
        r"(?i)\b(?:during|in|over|for)\s+the\s+(?:same\s+)?(?:period|timeframe|window)\b",
        _r_none,
    ),
    ("other", r"\b(?:UTC|GMT)\s?[+\-−]\s?\d{1,2}(?::\d{2})?\b", _r_none),
    ("other", r"(?i)\b\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?|\b\d{1,2}\s?[ap]\.m\.", _r_none),
    ("other", r"\b24/7\b", _r_none),
]
_COMPILED = [(kind, re.compile(pat), fn) for kind, pat, fn in _PATTERNS]
_ANAPHORIC = re.compile(rf"(?i)\bthe\s+(?P<n>{_N})[- ](?:trading[- ])?day\b")


def _keep(kind: str, m: re.Match[str]) -> bool:
    """Drop empty matches and bare month names used as adjectives ("a December rate cut")."""
    if not m.group(0).strip():
        return False
    if kind == "month" and "mon" in m.groupdict():
        marked = any(m[g] for g in ("pre", "part", "year", "rel"))
        return marked or m.group(0).endswith(("'s", "’s"))
    return True


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any taken span."""
    return any(a < end and start < b for a, b in spans)


def find_time_expressions(text: str, published: date | None) -> list[TimeExpression]:
    """Every time expression in `text`, left to right, resolved against `published`."""
    found: list[TimeExpression] = []
    taken: list[tuple[int, int]] = []
    for kind, regex, resolver in _COMPILED:
        for m in regex.finditer(text):
            if _overlaps(taken, m.start(), m.end()) or not _keep(kind, m):
                continue
            start, end = _resolve(m, resolver, published)
            length = None
            if kind == "window" and m.groupdict().get("n"):
                count = digits_or_words(m["n"])
                length = window_days(count, m["u"]) if count is not None else None
            taken.append((m.start(), m.end()))
            found.append(TimeExpression(m.start(), m.end(), m.group(0), kind, start, end, length))
    for m in _ANAPHORIC.finditer(text):
        count = digits_or_words(m["n"])
        if count is not None and not _overlaps(taken, m.start(), m.end()):
            found.append(
                TimeExpression(m.start(), m.end(), m.group(0), "reference", None, None, int(count))
            )
    return sorted(found, key=lambda t: t.start)


def _resolve(
    m: re.Match[str], resolver: Resolver, published: date | None
) -> tuple[date | None, date | None]:
    """Run one resolver; no publication date or an impossible date resolves to nothing."""
    if published is None and resolver not in (_r_iso, _r_year):
        return None, None
    try:
        return resolver(m, published or date.min)
    except (ValueError, KeyError, OverflowError):
        return None, None


def resolve_period(expression: str, published: date | None) -> tuple[date | None, date | None]:
    """The period of one whole expression ("last week", "October 31"), or (None, None)."""
    for found in find_time_expressions(expression, published):
        if found.resolved:
            return found.period_start, found.period_end
    return None, None
