"""Calendar arithmetic for period resolution: month ends, weeks, windows, trading days."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_BACK = {"last", "previous", "past"}


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def closest_year(month: int, day: int, published: date) -> date | None:
    """The month-day in the year that lies closest to `published`."""
    best: date | None = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            cand = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - published).days) < abs((best - published).days):
            best = cand
    return best


def latest_month(month: int, published: date) -> tuple[date, date]:
    """The latest occurrence of `month` that is not after publication."""
    year = published.year if month <= published.month else published.year - 1
    return date(year, month, 1), month_end(year, month)


def month_part(part: str, month: int, year: int) -> tuple[date, date]:
    """Early (1-10), mid (11-20), late (21-end) or start/end of a month."""
    end = month_end(year, month)
    part = part.lower()
    if part.startswith("early") or "start" in part:
        return date(year, month, 1), date(year, month, 10)
    if part.startswith("mid"):
        return date(year, month, 11), date(year, month, 20)
    return date(year, month, 21), end


def week_monday(day: date) -> date:
    """Monday of the week containing `day`."""
    return day - timedelta(days=day.weekday())


def relative_week(which: str, published: date) -> tuple[date, date]:
    """Last week = the previous Monday-Friday; this week = Monday to publication."""
    monday = week_monday(published)
    if which in _BACK:
        return monday - timedelta(days=7), monday - timedelta(days=3)
    if which == "next":
        return monday + timedelta(days=7), monday + timedelta(days=11)
    return monday, published


def relative_month(which: str, published: date) -> tuple[date, date]:
    """The previous, next or current (to publication) calendar month."""
    first = published.replace(day=1)
    if which in _BACK:
        prev = first - timedelta(days=1)
        return prev.replace(day=1), prev
    if which == "next":
        nxt = month_end(published.year, published.month) + timedelta(days=1)
        return nxt, month_end(nxt.year, nxt.month)
    return first, published


def relative_year(which: str, published: date) -> tuple[date, date]:
    """The previous, next or current (to publication) calendar year."""
    year = published.year + (-1 if which in _BACK else 1 if which == "next" else 0)
    if which == "this":
        return date(year, 1, 1), published
    return date(year, 1, 1), date(year, 12, 31)


def relative_quarter(which: str, published: date) -> tuple[date, date]:
    """The previous, next or current calendar quarter."""
    q = (published.month - 1) // 3 + (-1 if which in _BACK else 1 if which == "next" else 0)
    year = published.year + q // 4
    q %= 4
    return date(year, 3 * q + 1, 1), month_end(year, 3 * q + 3)


_RELATIVE_UNITS = {
    "week": relative_week,
    "month": relative_month,
    "year": relative_year,
    "quarter": relative_quarter,
}


def relative_unit(word: str, which: str, published: date) -> tuple[date, date] | None:
    """ "last/this/next week|month|year|quarter" against publication."""
    resolver = _RELATIVE_UNITS.get(word)
    return resolver(which, published) if resolver else None


def weekday(name: str, which: str, published: date) -> date:
    """The weekday `name` before (last), on/before (plain) or after (next) publication."""
    target = _WEEKDAYS.index(name.lower())
    back = (published.weekday() - target) % 7
    if which == "next":
        return published + timedelta(days=(target - published.weekday()) % 7 or 7)
    if which in {"last", "previous"} and back == 0:
        back = 7
    return published - timedelta(days=back)


def window(count: float, unit: str, published: date) -> tuple[date, date]:
    """ "the past N days": from N days before publication to the day before it."""
    unit = unit.rstrip("s").lower()
    if unit == "hour":
        days = max(1, int(-(-count // 24)))
        return published - timedelta(days=days), published
    factor = {"day": 1, "week": 7, "month": 30, "year": 365, "quarter": 91}[unit]
    return published - timedelta(days=int(count * factor)), published - timedelta(days=1)


def trading_window(count: int, published: date) -> tuple[date, date]:
    """The last `count` weekdays before publication."""
    day, seen, end = published, 0, None
    while seen < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            seen += 1
            end = end or day
    return day, end or day


def window_days(count: float, unit: str) -> int:
    """Rough length in days of "N units" (weeks = 7, months = 30)."""
    unit = unit.rstrip("s").lower()
    return int(count * {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}.get(unit, 1))
