"""How the dashboard writes numbers: claim values as people write them, JSON gaps for charts."""

import json

import pytest

from api.http.dashboard.common import claim_value, to_json
from api.http.dashboard.detail import tint


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (802_000_000.0, "USD", "$802M"),
        (1_210_000_000.0, "USD", "$1.21B"),
        (-523_000_000.0, "USD", "-$523M"),
        (91_523.0, "USD", "$91,523"),
        (0.45, "USD", "$0.45"),
        (405_000.0, "BTC", "405,000 BTC"),
        (2_500.0, "BTC", "2,500 BTC"),
        (12.5, "ETH", "12.5 ETH"),
        (1_500_000_000.0, "USDT", "1.5B USDT"),
        (4.3, "PERCENT", "4.3%"),
        (25.0, "BPS", "25 bp"),
        (1_000_000.0, None, "1M"),
        (3.0, None, "3"),
        (9.73, "COUNT", "9.73"),
        (10.0, "YEARS", "10 years"),
        (None, "USD", ""),
        (float("nan"), "USD", ""),
        (2.0e12, "EUR", "€2T"),
    ],
)
def test_claim_value(value: float | None, unit: str | None, expected: str) -> None:
    assert claim_value(value, unit) == expected


def test_chart_json_turns_nan_into_gaps_and_cannot_close_the_script() -> None:
    text = to_json({"y": [1.0, float("nan"), float("inf")], "t": "</script><b>"})
    assert json.loads(text) == {"y": [1.0, None, None], "t": "</script><b>"}
    assert "</script>" not in text


@pytest.mark.parametrize(
    ("score", "expected"),
    [(None, "transparent"), (0.0, "rgba(46,139,87,0.08)"), (1.0, "rgba(46,139,87,0.5)"),
     (-0.5, "rgba(192,57,43,0.29)"), (-3.0, "rgba(192,57,43,0.5)")],
)  # fmt: skip
def test_sentence_tint_follows_the_score(score: float | None, expected: str) -> None:
    assert tint(score) == expected
