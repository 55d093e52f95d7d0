"""Forecast resolution on synthetic price paths, and the scorecard's statistics."""

from datetime import date, timedelta

import pytest

from api.analytics.forecasts import (
    Bar,
    PricePath,
    Resolution,
    Status,
    already_reached,
    infer_direction,
    moves_after,
    resolve,
    scorecard,
    wilson_interval,
)

START = date(2023, 1, 1)


def path(closes: list[float], spread: float = 0.01) -> PricePath:
    """Daily bars from START whose low/high sit `spread` around each close."""
    return PricePath.from_bars(
        [
            Bar(START + timedelta(days=i), c * (1 - spread), c * (1 + spread), c)
            for i, c in enumerate(closes)
        ]
    )


def test_touched_on_day_k() -> None:
    closes = [100.0] * 5 + [110.0] + [100.0] * 10  # day 5 reaches 111 at its high
    got = resolve(
        111, "up", published=START, horizon_end=START + timedelta(days=10), path=path(closes)
    )
    assert (got.status, got.hit_date, got.days_to_hit) == (Status.HIT, START + timedelta(5), 5)


def test_down_touch_uses_the_low() -> None:
    closes = [100.0, 99.0, 95.0, 96.0]
    got = resolve(
        94.1, "down", published=START, horizon_end=START + timedelta(days=3), path=path(closes)
    )
    assert got.status is Status.HIT and got.days_to_hit == 2  # low 94.05 on day 2


def test_never_touched_is_missed_once_the_horizon_passed() -> None:
    got = resolve(
        150, "up", published=START, horizon_end=START + timedelta(days=9), path=path([100.0] * 20)
    )
    assert (got.status, got.hit_date, got.days_to_hit) == (Status.MISSED, None, None)


def test_horizon_cut_a_touch_after_the_horizon_does_not_count() -> None:
    closes = [100.0] * 10 + [200.0]
    got = resolve(
        150, "up", published=START, horizon_end=START + timedelta(days=9), path=path(closes)
    )
    assert got.status is Status.MISSED


def test_open_while_the_data_end_before_the_horizon() -> None:
    got = resolve(
        150, "up", published=START, horizon_end=START + timedelta(days=100), path=path([100.0] * 20)
    )
    assert got.status is Status.OPEN


def test_the_publication_day_is_left_out() -> None:
    closes = [150.0, 100.0, 100.0]
    got = resolve(
        150, "up", published=START, horizon_end=START + timedelta(days=2), path=path(closes)
    )
    assert got.status is Status.MISSED


def test_moves_are_signed_by_the_call() -> None:
    closes = [100.0 + i for i in range(100)]  # +1 a day
    up = moves_after(path(closes), START, direction="up")
    assert up[7] == pytest.approx(0.07) and up[30] == pytest.approx(0.30)
    assert up[90] == pytest.approx(0.90)
    down = moves_after(path(closes), START, direction="down")
    assert down[7] == pytest.approx(-0.07)
    short = moves_after(path(closes[:20]), START, direction="up")
    assert short[30] is None and short[90] is None


def test_infer_direction() -> None:
    assert infer_direction(120, 100) == "up"
    assert infer_direction(80, 100) == "down"
    assert infer_direction(80, None) is None


def test_wilson_interval_known_values() -> None:
    # Wilson 95 % for 7 of 10 (Newcombe 1998, table I): 0.3968 .. 0.8922
    low, high = wilson_interval(7, 10) or (0, 0)
    assert (low, high) == (pytest.approx(0.3968, abs=1e-4), pytest.approx(0.8922, abs=1e-4))
    assert wilson_interval(0, 0) is None


def test_scorecard_counts_and_medians() -> None:
    end = START + timedelta(days=30)
    rows = [
        ("a", Resolution(Status.HIT, "up", end, end, 4)),
        ("a", Resolution(Status.HIT, "up", end, end, 10)),
        ("a", Resolution(Status.MISSED, "up", end)),
        ("a", Resolution(Status.OPEN, "up", end)),
        ("b", Resolution(Status.OPEN, "down", end)),
    ]
    card = {row.key: row for row in scorecard(rows)}
    a = card["a"]
    assert (a.n, a.hit, a.missed, a.open) == (3, 2, 1, 1)
    assert a.hit_rate == pytest.approx(2 / 3)
    assert a.median_days_to_hit == 7
    assert a.ci_low is not None and a.ci_low < 2 / 3 < (a.ci_high or 0)
    b = card["b"]
    assert (b.n, b.hit_rate, b.ci_low) == (0, None, None)


def test_a_level_already_reached_on_the_called_side() -> None:
    assert already_reached(20_000, "up", 29_000)
    assert already_reached(31_000, "down", 28_000)
    assert not already_reached(31_000, "up", 28_000)
    assert not already_reached(25_000, "down", 28_000)
    assert not already_reached(25_000, "down", None)
