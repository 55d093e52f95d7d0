"""Query parameters shared by several routes."""

from datetime import date
from typing import Annotated

from fastapi import Query

from api.http.errors import ApiProblem

Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page (up to the page cap).")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="`next_cursor` of the previous page.")
]
# Days outside these bounds cannot be shifted by a day or a margin without overflowing.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
Since = Annotated[
    date | None,
    Query(ge=FIRST_DAY, le=LAST_DAY, description="Published on or after (YYYY-MM-DD)."),
]
Until = Annotated[
    date | None,
    Query(ge=FIRST_DAY, le=LAST_DAY, description="Published on or before (YYYY-MM-DD)."),
]
Day = Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="YYYY-MM-DD.")]
Text = Annotated[str | None, Query(max_length=500, description="Free-text search.")]


def check_range(since: date | None, until: date | None) -> None:
    """422 naming `until` when the date range is empty."""
    if since and until and until < since:
        raise ApiProblem(422, f"until ({until}) is before since ({since})", param="until")


def page_size(limit: int, cap: int) -> int:
    """`limit`, or 422 naming it when above the configured cap."""
    if limit > cap:
        raise ApiProblem(422, f"limit must be at most {cap}", param="limit")
    return limit
