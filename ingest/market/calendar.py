"""The NYSE trading calendar (exchange_calendars) and the start of a US trading day in UTC.

US dailies (ETF flows, FRED rates and indexes, US-listed ETFs' bars) mean a trading day that ends
at the US market close; their `ts` is that day's regular session open, 09:30 New York time,
expressed in UTC (14:30 in winter, 13:30 in summer).
"""

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from ingest.market.values import naive_utc

NEW_YORK = ZoneInfo("America/New_York")
SESSION_OPEN = time(9, 30)
_FIRST, _LAST = "1990-01-01", "2035-12-31"


@lru_cache(maxsize=1)
def _nyse() -> frozenset[date]:
    import exchange_calendars

    calendar = exchange_calendars.get_calendar("XNYS", start=_FIRST, end=_LAST)
    return frozenset(ts.date() for ts in calendar.sessions)


def covered(day: date) -> bool:
    """True when the bundled NYSE calendar covers `day`."""
    return date.fromisoformat(_FIRST) <= day <= date.fromisoformat(_LAST)


def is_nyse_session(day: date) -> bool:
    """True when the NYSE traded on `day` (weekends, holidays and special closures are not)."""
    return day in _nyse()


def us_session_start(day: date) -> datetime:
    """09:30 New York on `day` as naive UTC."""
    return naive_utc(datetime.combine(day, SESSION_OPEN, tzinfo=NEW_YORK))
