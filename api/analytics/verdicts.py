"""Verdict rules: how a reported figure compares with the market data of its period.

Three kinds of check, all pure:
- amounts (ETF flows summed over the claim's period): the claimed signed figure against the sum;
- levels (prices, rates, yields): the claimed value against the period's low-high range;
- both honour the claim's qualifier ("over" is a lower bound, "below" an upper bound, "as low as"
  names the period's low, "as high as" its high).

A claim is *consistent* when it is within its own rounding ("$802 million" stands for anything
that rounds to 802, at most `rounding_cap` of the value) or within the consistent band of the
reference; *approximate* when it has the right sign and is within the approximate band;
*contradicted* otherwise (a wrong sign always contradicts, unless the figure is within rounding).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple


class Verdict(StrEnum):
    CONSISTENT = "consistent"
    APPROXIMATE = "approximate"
    CONTRADICTED = "contradicted"
    UNVERIFIABLE = "unverifiable"


class Reason(StrEnum):
    """Why a claim is unverifiable."""

    NO_SERIES = "no series"
    PERIOD_UNRESOLVED = "period unresolved"
    PERIOD_OUTSIDE_DATA = "period outside data"


@dataclass(frozen=True)
class Tolerance:
    """Relative bands (fractions of the reference)."""

    consistent: float = 0.05
    approximate: float = 0.25
    level: float = 0.01  # prices and rates: how far outside the low-high range is still a match
    level_approximate: float = 0.05
    rounding_cap: float = 0.10


class Judgement(NamedTuple):
    """The outcome of one check (a tuple: a run makes one per claim, hundreds of thousands)."""

    verdict: Verdict
    reference_value: float | None = None
    relative_error: float | None = None
    reason: str | None = None
    reference_low: float | None = None
    reference_high: float | None = None


LOWER_BOUND = {"over"}  # the claim says "at least"
UPPER_BOUND = {"below"}  # the claim says "at most"
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_FLOW_SIGN = {"outflow": -1.0, "inflow": 1.0}
_DIRECTION_SIGN = {"down": -1.0, "up": 1.0}


def unverifiable(reason: Reason) -> Judgement:
    """A verdict that no data can give, with its reason."""
    return Judgement(Verdict.UNVERIFIABLE, reason=reason.value)


@lru_cache(maxsize=65536)  # the same figure recurs (syndicated copies, round numbers)
def rounding_step(text: str, value: float) -> float:
    """The size of the last digit the claim states, in the value's units.

    "$802 million" (802e6) -> 1e6; "$1.34 billion" -> 1e7; "$100,000" -> 1e5 (trailing zeros of
    a whole number are read as rounding); a claim without digits ("half") -> 0.
    """
    match = _NUMBER.search(text)
    if not match or value == 0:
        return 0.0
    digits = match.group().replace(",", "")
    number = float(digits)
    if number == 0:
        return 0.0
    scale = abs(value) / number
    if "." in digits:
        last = 10.0 ** -len(digits.split(".", 1)[1])
    else:
        stripped = digits.rstrip("0") or "0"
        last = 10.0 ** (len(digits) - len(stripped))
    return last * scale


def signed_flow(value: float, metric: str | None, direction: str | None) -> float | None:
    """A flow claim's figure with its sign (outflows negative); None when the sign is unknown."""
    if metric in _FLOW_SIGN:
        return math.copysign(abs(value), _FLOW_SIGN[metric])
    if value < 0:
        return value
    sign = _DIRECTION_SIGN.get(direction or "")
    return None if sign is None else math.copysign(abs(value), sign)


def relative_error(claimed: float, reference: float) -> float | None:
    """|claimed - reference| / |reference|; None when the reference is zero and they differ."""
    if reference == 0:
        return 0.0 if claimed == 0 else None
    return abs(claimed - reference) / abs(reference)


def _allowance(claimed: float, reference: float, *, step: float, band: float, cap: float) -> float:
    """How far apart claim and reference may be and still be consistent: the band around the
    reference, or the claim's own rounding (at most `cap` of the claimed value)."""
    rounding = min(step / 2, cap * abs(claimed))
    return max(band * abs(reference), rounding)


def _graded(gap: float, allowance: float, approximate: float) -> Verdict:
    """Consistent within the allowance, approximate within `approximate`, else contradicted."""
    if gap <= allowance * (1 + 1e-9):
        return Verdict.CONSISTENT
    if gap <= approximate:
        return Verdict.APPROXIMATE
    return Verdict.CONTRADICTED


def judge_amount(
    claimed: float,
    reference: float,
    *,
    step: float = 0.0,
    qualifier: str | None = None,
    sign_known: bool = True,
    tol: Tolerance = Tolerance(),
) -> Judgement:
    """A summed figure (ETF flows over a period) against the claim.

    With `sign_known` False only magnitudes are compared (a "net flow" without direction).
    """
    if not sign_known:
        claimed, reference = abs(claimed), abs(reference)
    allowance = _allowance(claimed, reference, step=step, band=tol.consistent, cap=tol.rounding_cap)
    error = relative_error(claimed, reference)
    if abs(claimed - reference) <= allowance:
        return Judgement(Verdict.CONSISTENT, reference, error)
    if claimed * reference < 0:
        return Judgement(Verdict.CONTRADICTED, reference, error)
    magnitude, ref_magnitude = abs(claimed), abs(reference)
    if qualifier in LOWER_BOUND:
        gap = max(0.0, magnitude - ref_magnitude)
    elif qualifier in UPPER_BOUND:
        gap = max(0.0, ref_magnitude - magnitude)
    else:
        gap = abs(magnitude - ref_magnitude)
    verdict = _graded(gap, allowance, tol.approximate * abs(reference))
    return Judgement(verdict, reference, 0.0 if gap == 0 else error)


def judge_level(
    value: float,
    low: float,
    high: float,
    *,
    step: float = 0.0,
    qualifier: str | None = None,
    metric: str | None = None,
    tol: Tolerance = Tolerance(),
) -> Judgement:
    """A price or rate against the period's low-high range.

    "as low as" compares with the low, "as high as" and record prices with the high; "below X"
    holds when the low went under X, "over X" when the high went above it; a plain level holds
    when it lies inside the range. Rounding excuses at most the level band here: "$100,000"
    is not read as anything from $50,000 to $150,000.
    """
    if qualifier == "low":
        reference, gap = low, abs(value - low)
    elif qualifier == "high" or (metric or "").startswith(("record", "all_time_high")):
        reference, gap = high, abs(value - high)
    elif qualifier in UPPER_BOUND:
        reference, gap = low, max(0.0, low - value)
    elif qualifier in LOWER_BOUND:
        reference, gap = high, max(0.0, value - high)
    else:
        reference = min(max(value, low), high)
        gap = abs(value - reference)
    allowance = _allowance(value, reference, step=step, band=tol.level, cap=tol.level)
    verdict = _graded(gap, allowance, tol.level_approximate * abs(reference))
    error = 0.0 if gap == 0 else gap / abs(reference) if reference else None
    return Judgement(verdict, reference, error, reference_low=low, reference_high=high)
