"""The metric taxonomy as data: one record per metric a claim can carry, with the properties the
decisions read (is it a per-coin price, a level, a share, its own direction, ...).

Every rule in nlp.claims.decide and nlp.claims.report asks these records instead of keeping its
own set of metric names; docs/CLAIMS.md documents each metric (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Metric:
    """What a metric measures and how the claim decisions treat it."""

    name: str
    description: str
    price: bool = False  # a per-coin USD price of an asset (not a total)
    total: bool = False  # a USD total by nature: a matching cue rules out a per-coin price
    level: bool = False  # a level, stock or share: no direction of its own
    share: bool = False  # a share of a total: takes the direction of the figure it restates
    direction: Literal["up", "down"] | None = None  # the direction the metric itself implies
    quoted_level: bool = False  # a price level an article quotes; forecasts take a side of it
    target: bool = False  # a USD figure a forecast may aim at (gets a side of the quoted level)
    fund_flow: bool = False  # a fund-flow figure of a weekly report (shares its source)
    stock: bool = False  # a stock as of a day: a weekly report dates it to the week's Friday


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "price",
            "an observed price level of an asset (USD per coin)",
            price=True,
            quoted_level=True,
            target=True,
            stock=True,
        ),
        Metric("price_change", "a percentage rise or fall of a price"),
        Metric("price_target", "a forecast price an asset may reach", price=True, target=True),
        Metric(
            "price_threshold",
            "a price level that matters: support, resistance, a mark, a trigger",
            price=True,
            quoted_level=True,
            target=True,
        ),
        Metric(
            "record_price",
            "a record (all-time) high or low price",
            price=True,
            quoted_level=True,
            target=True,
        ),
        Metric(
            "average_cost",
            "an average cost, cost basis or realized price of holders",
            price=True,
            level=True,
            quoted_level=True,
            target=True,
        ),
        Metric(
            "average_price",
            "an average price over a period or of purchases",
            price=True,
            level=True,
            quoted_level=True,
            target=True,
        ),
        Metric("purchase_cost", "the total paid for holdings (an aggregate cost)", level=True),
        Metric(
            "net_flow",
            "net fund flow (ETF, exchange); direction tells in or out",
            total=True,
            fund_flow=True,
        ),
        Metric("inflow", "money or coins flowing in", total=True, direction="up", fund_flow=True),
        Metric(
            "outflow", "money or coins flowing out", total=True, direction="down", fund_flow=True
        ),
        Metric("liquidations", "leveraged positions liquidated", total=True, direction="down"),
        Metric("holdings", "an amount held", level=True, stock=True),
        Metric("sold_amount", "an amount sold or cashed out", total=True, direction="down"),
        Metric("bought_amount", "an amount bought or accumulated", total=True, direction="up"),
        Metric("transfer_amount", "an amount moved on-chain", level=True),
        Metric(
            "market_cap", "market capitalization or valuation", total=True, level=True, stock=True
        ),
        Metric(
            "aum", "assets under management", total=True, level=True, fund_flow=True, stock=True
        ),
        Metric("balance", "an account balance", total=True, level=True, stock=True),
        Metric(
            "share_of_supply",
            "a share of an asset's circulating or total supply",
            level=True,
            share=True,
        ),
        Metric("share_of_market", "a market share", level=True, share=True),
        Metric("share", "a share of some other total", level=True, share=True),
        Metric("loss", "a loss", total=True, direction="down"),
        Metric("hack_loss", "funds lost to a hack or exploit", total=True, direction="down"),
        Metric("profit", "a profit or gain of holders", direction="up"),
        Metric("rate", "an interest, funding or yield rate", level=True),
        Metric("rate_change", "a change of a rate"),
        Metric("volume", "trading volume", total=True, level=True),
        Metric("open_interest", "open interest of derivatives", total=True, level=True),
        Metric("fee", "a fee or cost", total=True, level=True),
        Metric("supply", "an amount of supply issued, minted or burned", stock=True),
        Metric("change", "a generic rise or fall"),
        Metric(
            "duration", "a length of time that carries a value (a shutdown's 35th day)", level=True
        ),
        Metric("count", "a count of things", level=True),
        Metric("multiple", "a ratio written as a multiple (1.5x)"),
        Metric("amount", "an amount not covered above", target=True),
    )
}
_UNKNOWN = Metric("", "no metric")


def metric(name: str | None) -> Metric:
    """The record of `name`; a neutral record for None (no rule matched)."""
    return METRICS.get(name or "", _UNKNOWN)
