"""Verdict rules on a table of cases."""

import pytest

from api.analytics.verdicts import (
    Tolerance,
    Verdict,
    judge_amount,
    judge_level,
    rounding_step,
    signed_flow,
)

C, A, X = Verdict.CONSISTENT, Verdict.APPROXIMATE, Verdict.CONTRADICTED


@pytest.mark.parametrize(
    ("text", "value", "step"),
    [
        ("$802 million", 802e6, 1e6),
        ("$1.34 billion", 1.34e9, 1e7),
        ("$100,000", 100_000, 1e5),
        ("$47.87 million", 47.87e6, 1e4),
        ("22 basis points", 22, 1),
        ("4.22%", 4.22, 0.01),
        ("half", 50, 0),
    ],
)
def test_rounding_step(text: str, value: float, step: float) -> None:
    assert rounding_step(text, value) == pytest.approx(step)


@pytest.mark.parametrize(
    ("value", "metric", "direction", "signed"),
    [
        (802e6, "net_flow", "down", -802e6),
        (180e6, "outflow", None, -180e6),
        (180e6, "outflow", "up", -180e6),  # the metric decides
        (50e6, "inflow", None, 50e6),
        (50e6, "net_flow", "up", 50e6),
        (50e6, "net_flow", "none", None),
        (-20e6, "net_flow", None, -20e6),
    ],
)
def test_signed_flow(value: float, metric: str, direction: str | None, signed: float) -> None:
    assert signed_flow(value, metric, direction) == signed


# claimed (signed), reference sum, claim text, qualifier, sign known, verdict
AMOUNT_CASES = [
    # the sample's $802M vs Farside -799.0 over 27-31 Oct 2025
    (-802e6, -799.0e6, "$802 million", None, True, C),
    # the sample's $180M on Nov 3 vs Farside -186.5: a source difference, not a contradiction
    (-180e6, -186.5e6, "$180 million", None, True, C),
    (-180e6, -215e6, "$180 million", None, True, A),  # 16 % off
    (-180e6, -400e6, "$180 million", None, True, X),  # far off
    (-180e6, 186.5e6, "$180 million", None, True, X),  # wrong sign
    (180e6, -186.5e6, "$180 million", None, False, C),  # sign unknown: magnitudes
    (-2e9, -1.6e9, "$2 billion", None, True, A),  # rounding excuses at most 10 %
    (-2e9, -1.85e9, "$2 billion", None, True, C),
    (-1.34e9, -1.336e9, "$1.34 billion", None, True, C),
    (-1e9, -1.3e9, "$1 billion", "over", True, C),  # "over $1 billion" holds
    (-1e9, -0.7e9, "$1 billion", "over", True, X),
    (-1e9, -0.9e9, "$1 billion", "below", True, C),
    (-1e9, -1.2e9, "$1 billion", "below", True, A),
    (5e6, -1e6, "$5 million", None, True, X),
    (0.0, 0.0, "zero", None, True, C),
]


@pytest.mark.parametrize(
    ("claimed", "reference", "text", "qualifier", "sign_known", "verdict"), AMOUNT_CASES
)
def test_judge_amount(
    claimed: float,
    reference: float,
    text: str,
    qualifier: str | None,
    sign_known: bool,
    verdict: Verdict,
) -> None:
    step = rounding_step(text, abs(claimed))
    got = judge_amount(claimed, reference, step=step, qualifier=qualifier, sign_known=sign_known)
    assert got.verdict is verdict
    assert got.reference_value == (reference if sign_known else abs(reference))


def test_amount_relative_error_is_reported() -> None:
    got = judge_amount(-802e6, -799e6, step=1e6)
    assert got.relative_error == pytest.approx(3 / 799)


# value, low, high, qualifier, metric, verdict, reference
LEVEL_CASES = [
    # BTC 2025-11-04..05: low 98,944.36, high 107,299
    (99_000, 98_944.36, 107_299, "below", "price", C, 98_944.36),
    (97_000, 98_944.36, 107_299, "below", "price", A, 98_944.36),  # 2 % short of the low
    (90_000, 98_944.36, 107_299, "below", "price", X, 98_944.36),
    (100_000, 98_944.36, 107_299, None, "price", C, 100_000),
    (108_000, 98_944.36, 107_299, None, "price", C, 107_299),  # within the 1 % band
    (115_000, 98_944.36, 107_299, None, "price", X, 107_299),
    (3_000, 3_025.0, 3_300.0, "low", "price", C, 3_025.0),  # "as low as $3,000", 0.8 % off
    (3_000, 3_055.0, 3_300.0, "low", "price", A, 3_055.0),  # 1.8 % off
    (3_000, 3_250.0, 3_300.0, "low", "price", X, 3_250.0),
    (126_000, 120_000, 126_199, None, "record_price", C, 126_199),
    (126_000, 120_000, 131_000, None, "record_price", A, 131_000),
    (110_000, 98_944.36, 107_299, "over", "price", A, 107_299),
    (105_000, 98_944.36, 107_299, "over", "price", C, 107_299),
    (4.22, 4.22, 4.22, None, "rate", C, 4.22),
    (4.5, 4.22, 4.22, None, "rate", X, 4.22),
]


@pytest.mark.parametrize(
    ("value", "low", "high", "qualifier", "metric", "verdict", "reference"), LEVEL_CASES
)
def test_judge_level(
    value: float,
    low: float,
    high: float,
    qualifier: str | None,
    metric: str,
    verdict: Verdict,
    reference: float,
) -> None:
    got = judge_level(
        value,
        low,
        high,
        step=rounding_step(f"{value:,}", value),
        qualifier=qualifier,
        metric=metric,
    )
    assert (got.verdict, got.reference_value) == (verdict, pytest.approx(reference))
    assert (got.reference_low, got.reference_high) == (low, high)


def test_bands_are_settings() -> None:
    strict = Tolerance(consistent=0.001, approximate=0.01)
    assert judge_amount(-180e6, -186.5e6, tol=strict).verdict is X
    loose = Tolerance(level=0.2)
    assert judge_level(90_000, 98_944.36, 107_299, qualifier="below", tol=loose).verdict is C
