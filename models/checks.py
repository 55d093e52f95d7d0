"""Claims held against market data: verdicts on observations, resolutions of forecasts."""

from datetime import date, datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from models._time import utcnow


class ClaimCheck(SQLModel, table=True):
    """The verdict on one observation claim (one row per claim, replaced on each check)."""

    claim_id: int = Field(foreign_key="claim.id", primary_key=True, ondelete="CASCADE")
    verdict: str = Field(index=True)  # consistent | approximate | contradicted | unverifiable
    reference_value: float | None = None  # in the claim's unit, signed for flows
    reference_low: float | None = None  # the period's range, for prices and rates
    reference_high: float | None = None
    series_id: int | None = Field(default=None, index=True)  # MarketSeries.id
    series_symbol: str | None = None
    relative_error: float | None = None
    reason: str | None = None  # why unverifiable: no series | period unresolved | ...
    checked_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class ForecastResolution(SQLModel, table=True):
    """What became of one forecast or threshold claim with a price level."""

    claim_id: int = Field(foreign_key="claim.id", primary_key=True, ondelete="CASCADE")
    status: str = Field(index=True)  # hit | missed | open | unresolvable
    reason: str | None = None  # why unresolvable
    level: float | None = None
    direction: str | None = None  # up | down, as called or inferred from the price
    published_on: date | None = None
    horizon_end: date | None = None
    hit_date: date | None = None
    days_to_hit: int | None = None
    series_id: int | None = Field(default=None, index=True)
    series_symbol: str | None = None
    move_7d: float | None = None  # close-to-close return in the direction called
    move_30d: float | None = None
    move_90d: float | None = None
    resolved_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
