"""Claims held against each other: corroboration groups and conflicts.

Claims about the same subject, metric, unit and period form a key (flows are one metric,
"net_flow", with outflows negative). Within a key, figures that agree within rounding (either
claim's stated precision, or the consistent band) join one corroboration group; when a key holds
more than one group from different articles, its metric names one figure (CONFLICT_METRICS) and
its subject is a knowledge-base entity (free-text subjects such as "the hacker" may be different
hackers), the key is a conflict. Bounds ("over",
"below") and the two ends of a range are left out: they do not state one figure. A group counts
its independent sources once per outlet among distinct stories: syndicated copies and
near-duplicates (the same story, `canonical_id`) count once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from api.analytics.verdicts import signed_flow

FLOW_METRICS = {"outflow", "inflow", "net_flow"}
# Metrics that name one figure per subject and period, so that two different values disagree.
# Levels (a price over a day ranges), changes over unstated spans and generic metrics ("amount",
# "duration", "share") name many figures; their groups are shown but never called conflicts.
CONFLICT_METRICS = {
    "net_flow", "hack_loss", "liquidations", "aum", "market_cap", "open_interest", "volume",
    "holdings", "supply", "record_price", "loss", "fee", "purchase_cost", "bought_amount",
    "sold_amount",
}  # fmt: skip
NOT_ONE_FIGURE = {"over", "below", "range_lower", "range_upper"}


Key = tuple[str, str, str, date, date]  # subject, metric, unit, period start and end


@dataclass(frozen=True)
class ClaimRef:
    """What grouping needs to know of one stored claim."""

    claim_id: int
    subject: str
    metric: str
    unit: str
    period: tuple[date, date]
    value: float
    step: float
    canonical_id: int  # the article, or the story it duplicates
    outlets: tuple[str, ...]  # the article's outlet and its duplicates' outlets
    published_at: datetime | None
    linked: bool = True  # the subject is a knowledge-base entity, not free text ("the hacker")


@dataclass
class Group:
    """Claims reporting one figure."""

    key: Key
    claims: list[ClaimRef] = field(default_factory=list)

    @property
    def value(self) -> float:
        """The figure most claims state (the median of the group)."""
        values = sorted(c.value for c in self.claims)
        return values[len(values) // 2]

    @property
    def first_seen(self) -> datetime | None:
        """When the first claim of the group was published."""
        seen = [c.published_at for c in self.claims if c.published_at is not None]
        return min(seen) if seen else None

    @property
    def outlets(self) -> list[str]:
        """Every outlet that carried the figure, copies included."""
        return sorted({o for c in self.claims for o in c.outlets})

    @property
    def independent_sources(self) -> int:
        """Distinct stories, each outlet counted once."""
        seen: set[object] = set()
        for claim in self.claims:
            first = claim.outlets[0] if claim.outlets else None
            seen.add(first if first is not None else ("story", claim.canonical_id))
        return len(seen)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        subject, metric, unit, start, end = self.key
        first = self.first_seen
        return {
            "subject": subject,
            "metric": metric,
            "unit": unit,
            "period": [start.isoformat(), end.isoformat()],
            "value": self.value,
            "size": len(self.claims),
            "claim_ids": [c.claim_id for c in self.claims],
            "first_seen": first.isoformat() if first else None,
            "outlets": self.outlets,
            "independent_sources": self.independent_sources,
        }


@dataclass
class Conflict:
    """Figures about one subject, metric and period that disagree beyond rounding."""

    key: Key
    sides: list[Group]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        subject, metric, unit, start, end = self.key
        return {
            "subject": subject,
            "metric": metric,
            "unit": unit,
            "period": [start.isoformat(), end.isoformat()],
            "sides": [side.to_dict() for side in self.sides],
        }


def figure_key(
    metric: str | None, value: float | None, direction: str | None
) -> tuple[str, float] | None:
    """The grouping metric and signed value of a claim (None: a flow of unknown sign)."""
    if metric is None or value is None:
        return None
    if metric in FLOW_METRICS:
        signed = signed_flow(value, metric, direction)
        return None if signed is None else ("net_flow", signed)
    return metric, value


def _agree(a: ClaimRef, b: ClaimRef, band: float) -> bool:
    """Within either claim's rounding or the relative band of the larger one."""
    if a.value * b.value < 0:
        return False
    allowed = max(a.step / 2, b.step / 2, band * max(abs(a.value), abs(b.value)))
    return abs(a.value - b.value) <= allowed * (1 + 1e-9)


def group_claims(claims: Iterable[ClaimRef], band: float = 0.05) -> list[Group]:
    """Corroboration groups: per key, values sorted and chained while neighbours agree."""
    by_key: dict[Key, list[ClaimRef]] = {}
    for claim in claims:
        key = (claim.subject, claim.metric, claim.unit, *claim.period)
        by_key.setdefault(key, []).append(claim)
    groups: list[Group] = []
    for key, members in by_key.items():
        members.sort(key=lambda c: (c.value, c.claim_id))
        current = Group(key, [members[0]])
        for claim in members[1:]:
            if _agree(current.claims[-1], claim, band):
                current.claims.append(claim)
            else:
                groups.append(current)
                current = Group(key, [claim])
        groups.append(current)
    return groups


def conflicts(groups: Iterable[Group]) -> list[Conflict]:
    """Keys of a single-figure metric whose groups disagree and come from more than one story."""
    by_key: dict[Key, list[Group]] = {}
    for group in groups:
        by_key.setdefault(group.key, []).append(group)
    out = []
    for key, sides in by_key.items():
        stories = {c.canonical_id for side in sides for c in side.claims}
        linked = all(c.linked for side in sides for c in side.claims)
        if linked and key[1] in CONFLICT_METRICS and len(sides) > 1 and len(stories) > 1:
            out.append(Conflict(key, sides))
    return out
