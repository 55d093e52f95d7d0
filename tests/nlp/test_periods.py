"""Time expressions resolved against publication dates: exact expected periods."""

from datetime import date

import pytest

from nlp.claims.periods import find_time_expressions, parse_date, resolve_period

WED = date(2025, 11, 5)  # a Wednesday
MON = date(2025, 11, 3)
SUN = date(2025, 11, 9)
JAN = date(2026, 1, 6)  # a Tuesday, early in the year
D = date

CASES = [
    # relative weeks: "last week" is the previous Monday-Friday
    ("last week", WED, D(2025, 10, 27), D(2025, 10, 31)),
    ("last week", MON, D(2025, 10, 27), D(2025, 10, 31)),
    ("last week", SUN, D(2025, 10, 27), D(2025, 10, 31)),
    ("Last week", JAN, D(2025, 12, 29), D(2026, 1, 2)),
    ("this week", WED, D(2025, 11, 3), D(2025, 11, 5)),
    ("next week", WED, D(2025, 11, 10), D(2025, 11, 14)),
    ("previous week", WED, D(2025, 10, 27), D(2025, 10, 31)),
    # part of the current unit, and a move "on the week" (the current one)
    ("earlier this week", WED, D(2025, 11, 3), D(2025, 11, 4)),
    ("earlier this week", MON, D(2025, 11, 3), D(2025, 11, 3)),
    ("later this month", WED, D(2025, 11, 6), D(2025, 11, 30)),
    ("later this year", WED, D(2025, 11, 6), D(2025, 12, 31)),
    ("the token is down 4% on the week", WED, D(2025, 11, 3), D(2025, 11, 5)),
    ("gains for the month", WED, D(2025, 11, 1), D(2025, 11, 5)),
    # months and years
    ("last month", WED, D(2025, 10, 1), D(2025, 10, 31)),
    ("last month", JAN, D(2025, 12, 1), D(2025, 12, 31)),
    ("this month", WED, D(2025, 11, 1), D(2025, 11, 5)),
    ("next month", WED, D(2025, 12, 1), D(2025, 12, 31)),
    ("last year", WED, D(2024, 1, 1), D(2024, 12, 31)),
    ("this year", WED, D(2025, 1, 1), D(2025, 11, 5)),
    ("next year", WED, D(2026, 1, 1), D(2026, 12, 31)),
    ("year-to-date", WED, D(2025, 1, 1), D(2025, 11, 5)),
    ("YTD", JAN, D(2026, 1, 1), D(2026, 1, 6)),
    ("last quarter", WED, D(2025, 7, 1), D(2025, 9, 30)),
    ("this quarter", WED, D(2025, 10, 1), D(2025, 12, 31)),
    # days
    ("yesterday", WED, D(2025, 11, 4), D(2025, 11, 4)),
    ("today", WED, WED, WED),
    ("last night", WED, D(2025, 11, 4), D(2025, 11, 4)),
    ("yesterday", JAN, D(2026, 1, 5), D(2026, 1, 5)),
    ("now", WED, WED, WED),
    ("at current prices", WED, WED, WED),
    # weekdays
    ("last Wednesday", WED, D(2025, 10, 29), D(2025, 10, 29)),
    ("last Monday", WED, D(2025, 11, 3), D(2025, 11, 3)),
    ("last Friday", MON, D(2025, 10, 31), D(2025, 10, 31)),
    ("on Monday", WED, D(2025, 11, 3), D(2025, 11, 3)),
    ("on Wednesday", WED, WED, WED),
    ("Thursday", WED, D(2025, 10, 30), D(2025, 10, 30)),
    ("next Friday", WED, D(2025, 11, 7), D(2025, 11, 7)),
    ("next Wednesday", WED, D(2025, 11, 12), D(2025, 11, 12)),
    ("as of Sunday", D(2023, 4, 4), D(2023, 4, 2), D(2023, 4, 2)),
    # windows: from N days before publication to the day before it
    ("in the past 30 days", WED, D(2025, 10, 6), D(2025, 11, 4)),
    ("in the past two days", WED, D(2025, 11, 3), D(2025, 11, 4)),
    ("over the last 7 days", WED, D(2025, 10, 29), D(2025, 11, 4)),
    ("over the past week", WED, D(2025, 10, 27), D(2025, 10, 31)),
    ("in the past three months", WED, D(2025, 8, 7), D(2025, 11, 4)),
    ("in 24 hours", WED, D(2025, 11, 4), D(2025, 11, 5)),
    ("over the past 48 hours", WED, D(2025, 11, 3), D(2025, 11, 5)),
    ("over four trading days", WED, D(2025, 10, 30), D(2025, 11, 4)),
    ("over the course of the last three days", D(2023, 4, 21), D(2023, 4, 18), D(2023, 4, 20)),
    ("for two consecutive days", WED, D(2025, 11, 3), D(2025, 11, 4)),
    ("the last 2 weeks", WED, D(2025, 10, 22), D(2025, 11, 4)),
    # dates: the year that puts the day closest to publication
    ("October 31", WED, D(2025, 10, 31), D(2025, 10, 31)),
    ("on November 3", WED, D(2025, 11, 3), D(2025, 11, 3)),
    ("Monday, November 3", WED, D(2025, 11, 3), D(2025, 11, 3)),
    ("Nov. 3rd", WED, D(2025, 11, 3), D(2025, 11, 3)),
    ("3 November 2024", WED, D(2024, 11, 3), D(2024, 11, 3)),
    ("the 14th of March", D(2023, 4, 4), D(2023, 3, 14), D(2023, 3, 14)),
    ("December 30", JAN, D(2025, 12, 30), D(2025, 12, 30)),
    ("January 2", D(2025, 12, 28), D(2026, 1, 2), D(2026, 1, 2)),
    ("October 6, 2025", JAN, D(2025, 10, 6), D(2025, 10, 6)),
    ("2025-10-31", WED, D(2025, 10, 31), D(2025, 10, 31)),
    ("since October 10", WED, D(2025, 10, 10), WED),
    # intervals
    ("from October 29 to November 3", WED, D(2025, 10, 29), D(2025, 11, 3)),
    ("From October 28 to November 3", WED, D(2025, 10, 28), D(2025, 11, 3)),
    ("October 5 to November 4", WED, D(2025, 10, 5), D(2025, 11, 4)),
    ("between December 28 and January 3", JAN, D(2025, 12, 28), D(2026, 1, 3)),
    ("October 27-31", WED, D(2025, 10, 27), D(2025, 10, 31)),
    ("from late October to early November", WED, D(2025, 10, 21), D(2025, 11, 10)),
    # months
    ("in March 2024", WED, D(2024, 3, 1), D(2024, 3, 31)),
    ("in December last year", WED, D(2024, 12, 1), D(2024, 12, 31)),
    ("October’s", WED, D(2025, 10, 1), D(2025, 10, 31)),
    ("in November", WED, D(2025, 11, 1), D(2025, 11, 30)),
    ("in March", WED, D(2025, 3, 1), D(2025, 3, 31)),
    ("in December", WED, D(2024, 12, 1), D(2024, 12, 31)),
    ("data for February", WED, D(2025, 2, 1), D(2025, 2, 28)),
    ("sales for October", WED, D(2025, 10, 1), D(2025, 10, 31)),
    ("by December", WED, D(2025, 12, 1), D(2025, 12, 31)),
    ("by December", D(2023, 5, 10), D(2023, 12, 1), D(2023, 12, 31)),
    ("next March", WED, D(2026, 3, 1), D(2026, 3, 31)),
    ("last March", WED, D(2025, 3, 1), D(2025, 3, 31)),
    ("in mid-March", D(2023, 4, 4), D(2023, 3, 11), D(2023, 3, 20)),
    ("in late March", D(2023, 4, 4), D(2023, 3, 21), D(2023, 3, 31)),
    ("early February", D(2023, 4, 21), D(2023, 2, 1), D(2023, 2, 10)),
    ("in the end of October", WED, D(2025, 10, 21), D(2025, 10, 31)),
    ("Q3", WED, D(2025, 7, 1), D(2025, 9, 30)),
    ("Q1 2024", WED, D(2024, 1, 1), D(2024, 3, 31)),
    ("in the third quarter", WED, D(2025, 7, 1), D(2025, 9, 30)),
    ("H1 2025", WED, D(2025, 1, 1), D(2025, 6, 30)),
    ("the first half of 2024", WED, D(2024, 1, 1), D(2024, 6, 30)),
    ("in 2024", WED, D(2024, 1, 1), D(2024, 12, 31)),
    ("since 2021", WED, D(2021, 1, 1), D(2021, 12, 31)),
    ("last summer", D(2023, 5, 10), D(2022, 6, 1), D(2022, 8, 31)),
    ("this winter", WED, D(2025, 12, 1), D(2026, 2, 28)),
    # ago and event labels
    ("3 days ago", WED, D(2025, 11, 2), D(2025, 11, 2)),
    ("two weeks ago", WED, D(2025, 10, 22), D(2025, 10, 22)),
    ("a year ago", WED, D(2024, 11, 5), D(2024, 11, 5)),
    ('the "10.11" crash', WED, D(2025, 10, 11), D(2025, 10, 11)),
    ("the 10.11 crash", WED, D(2025, 10, 11), D(2025, 10, 11)),
    ('the "3.12" crash', D(2021, 3, 20), D(2021, 3, 12), D(2021, 3, 12)),
    # a deadline is the period's last day; "on/for the year" runs to date
    ("before the end of the year", D(2023, 4, 6), D(2023, 12, 31), D(2023, 12, 31)),
    ("by the end of this year", WED, D(2025, 12, 31), D(2025, 12, 31)),
    ("by the end of 2026", WED, D(2026, 12, 31), D(2026, 12, 31)),
    ("by year-end", WED, D(2025, 12, 31), D(2025, 12, 31)),
    ("by the end of the quarter", WED, D(2025, 12, 31), D(2025, 12, 31)),
    ("by the end of next month", WED, D(2025, 12, 31), D(2025, 12, 31)),
    ("for the year", D(2023, 4, 6), D(2023, 1, 1), D(2023, 4, 6)),
    ("on-the-year", D(2023, 4, 13), D(2023, 1, 1), D(2023, 4, 13)),
]


@pytest.mark.parametrize(("expression", "published", "start", "end"), CASES)
def test_resolves(expression: str, published: date, start: date, end: date) -> None:
    assert resolve_period(expression, published) == (start, end)


UNRESOLVED = [
    ("during the same period", "reference"),
    ("the four-day outflow", "reference"),
    ("UTC+8", "other"),
    ("10:30 am", "other"),
    ("24/7", "other"),
    ("in the next 30 days", "window"),
    ("one week after", "other"),
]


@pytest.mark.parametrize(("expression", "kind"), UNRESOLVED)
def test_kept_as_text_when_unresolvable(expression: str, kind: str) -> None:
    (found,) = find_time_expressions(expression, WED)
    assert (found.kind, found.period_start, found.period_end) == (kind, None, None)
    assert found.text.lower() in expression.lower()


def test_anaphoric_length_is_kept() -> None:
    (found,) = find_time_expressions("the four-day outflow", WED)
    assert found.length_days == 4


def test_without_publication_date_only_absolute_dates_resolve() -> None:
    assert resolve_period("last week", None) == (None, None)
    assert resolve_period("October 31", None) == (None, None)
    assert resolve_period("2025-10-31", None) == (D(2025, 10, 31), D(2025, 10, 31))
    assert resolve_period("in 2024", None) == (D(2024, 1, 1), D(2024, 12, 31))


def test_bare_month_name_as_adjective_is_not_a_period() -> None:
    assert find_time_expressions("the certainty of a December rate cut fell", WED) == []


def test_impossible_date_does_not_raise() -> None:
    assert resolve_period("February 30, 2025", WED) == (None, None)
    assert parse_date("no date here", WED) is None


def test_offsets_match_text() -> None:
    text = "Last week, ETFs shed $802 million, and on Monday, November 3, another $180 million."
    found = find_time_expressions(text, WED)
    assert [(text[e.start : e.end], e.kind) for e in found] == [
        ("Last week", "relative"),
        ("Monday, November 3", "date"),
    ]
