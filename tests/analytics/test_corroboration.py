"""Corroboration groups and conflicts on hand-made claims."""

from datetime import UTC, date, datetime

from api.analytics.corroboration import ClaimRef, conflicts, figure_key, group_claims

WEEK = (date(2025, 10, 27), date(2025, 10, 31))
KEY = "etf:us-spot-bitcoin-etfs"


def ref(
    claim_id: int,
    value: float,
    story: int,
    outlet: str | None,
    *,
    step: float = 1e6,
    copies: tuple[str, ...] = (),
) -> ClaimRef:
    outlets = ((outlet,) if outlet else ()) + copies
    return ClaimRef(
        claim_id,
        KEY,
        "net_flow",
        "USD",
        WEEK,
        value,
        step,
        story,
        outlets,
        datetime(2025, 11, claim_id, tzinfo=UTC),
    )


def test_figure_key_merges_flow_metrics_with_their_sign() -> None:
    assert figure_key("outflow", 802e6, None) == ("net_flow", -802e6)
    assert figure_key("net_flow", 802e6, "down") == ("net_flow", -802e6)
    assert figure_key("inflow", 5e6, None) == ("net_flow", 5e6)
    assert figure_key("net_flow", 5e6, "none") is None
    assert figure_key("price", 99_000, "down") == ("price", 99_000)


def test_rounded_figures_form_one_group_and_copies_count_once() -> None:
    claims = [
        ref(1, -802e6, 10, "The Block"),
        ref(2, -799e6, 11, "CoinDesk", copies=("Yahoo Finance",)),  # syndicated copy
        ref(3, -800e6, 12, "CoinDesk"),  # same outlet again
    ]
    (group,) = group_claims(claims)
    assert len(group.claims) == 3
    assert group.outlets == ["CoinDesk", "The Block", "Yahoo Finance"]
    assert group.independent_sources == 2
    assert group.first_seen == datetime(2025, 11, 1, tzinfo=UTC)
    assert conflicts([group]) == []


def test_disagreeing_figures_are_a_conflict_with_both_sides() -> None:
    claims = [ref(1, -802e6, 10, "A"), ref(2, -799e6, 11, "B"), ref(3, -1.34e9, 12, "C", step=1e7)]
    groups = group_claims(claims)
    assert sorted(len(g.claims) for g in groups) == [1, 2]
    (conflict,) = conflicts(groups)
    sides = sorted(conflict.to_dict()["sides"], key=lambda s: s["value"])  # type: ignore[arg-type,index]
    assert [s["value"] for s in sides] == [-1.34e9, -799e6]  # a group shows its median figure
    assert sides[0]["outlets"] == ["C"]


def test_opposite_signs_never_agree() -> None:
    claims = [ref(1, -5e6, 10, "A", step=1e7), ref(2, 5e6, 11, "B", step=1e7)]
    assert len(conflicts(group_claims(claims))) == 1


def test_two_figures_of_one_story_are_no_conflict() -> None:
    claims = [ref(1, -802e6, 10, "A"), ref(2, -400e6, 10, "A")]
    assert conflicts(group_claims(claims)) == []


def test_levels_and_units_never_conflict() -> None:
    a = ClaimRef(1, "crypto:btc", "price", "USD", WEEK, 27_200, 100, 10, ("A",), None)
    b = ClaimRef(2, "crypto:btc", "price", "USD", WEEK, 30_000, 1000, 11, ("B",), None)
    assert len(group_claims([a, b])) == 2 and conflicts(group_claims([a, b])) == []
    c = ClaimRef(3, "hacker", "hack_loss", "ETH", WEEK, 1_500, 100, 10, ("A",), None)
    d = ClaimRef(4, "hacker", "hack_loss", "USD", WEEK, 1.85e6, 1e4, 11, ("B",), None)
    assert conflicts(group_claims([c, d])) == []


def test_free_text_subjects_never_conflict() -> None:
    a = ClaimRef(1, "hacker", "hack_loss", "USD", WEEK, 1.85e6, 1e4, 10, ("A",), None, False)
    b = ClaimRef(2, "hacker", "hack_loss", "USD", WEEK, 100e6, 1e8, 11, ("B",), None, False)
    assert len(group_claims([a, b])) == 2 and conflicts(group_claims([a, b])) == []
