"""The demo corpus of `tidings demo`: synthetic news text and a synthetic market, written here.

Nothing in it is real reporting or real prices. A latent daily "mood" drives both the tone of
the day's articles and the next day's return of a made-up BTC-USD series, so every view has
something to show: sentiment that leads the market by a day, ETF flow figures that the checks
mostly confirm (one in seven is misreported on purpose, to show a contradicted claim), price
calls that the forecast scorecard resolves, and narratives that rise and fade.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

DEMO_START = date(2025, 1, 6)
DEMO_DAYS = 84
DEMO_SEED = 27
DEMO_SOURCE = "tidings demo (synthetic text)"
DEMO_HOST = "https://demo.tidings.invalid"  # .invalid: a name that can never resolve
DEMO_LABEL = "[synthetic demo]"
MARKET_SOURCE = "synthetic-demo"
PRICE_SYMBOL = "BTC-USD"
FLOW_SYMBOL = "DEMO-BTC-ETF-FLOW"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FIRMS = ("Example Research", "Sample Capital", "Placeholder Partners")
_FED = (
    "Jerome Powell",
    "Christopher Waller",
    "Michelle Bowman",
    "John Williams",
    "Lorie Logan",
    "Austan Goolsbee",
    "Mary Daly",
)
_FED_VIEWS = (
    "inflation remains elevated and rate cuts can wait",
    "the Federal Reserve is in no hurry to lower interest rates",
    "rates should stay restrictive until inflation cools",
    "policy is well positioned and the labor market is solid",
)


@dataclass(frozen=True)
class DemoDay:
    """One synthetic trading day: the latent mood, a BTC bar and (weekdays) the ETF net flow."""

    day: date
    mood: float  # in [-1, 1]: the tone of the day's articles
    open: float
    high: float
    low: float
    close: float
    flow: float | None  # USD net flow of the spot bitcoin ETFs; None on weekends


@dataclass(frozen=True)
class DemoArticle:
    """One synthetic article, as the importer reads it."""

    title: str
    text: str
    url: str
    published: str

    def record(self) -> dict[str, str]:
        """The JSON record `tidings import` reads."""
        return {"title": self.title, "text": self.text, "url": self.url,
                "published": self.published, "source": DEMO_SOURCE,
                "author": "tidings demo generator"}  # fmt: skip


def demo_market(days: int = DEMO_DAYS, seed: int = DEMO_SEED) -> list[DemoDay]:
    """The synthetic days: mood is an AR(1) process; a day's return follows the previous
    day's mood (so sentiment leads price by one day) plus noise."""
    rng = np.random.default_rng(seed)
    out: list[DemoDay] = []
    mood, close = 0.0, 94_000.0
    for i in range(days):
        day = DEMO_START + timedelta(days=i)
        previous = mood
        mood = float(np.clip(0.55 * mood + 0.6 * rng.normal(), -1, 1))
        ret = 0.022 * previous + 0.012 * rng.normal()
        open_, close = close, round(close * float(np.exp(ret)), 2)
        wick = 1 + abs(float(rng.normal())) * 0.006
        high, low = round(max(open_, close) * wick, 2), round(min(open_, close) / wick, 2)
        flow = None
        if day.weekday() < 5:
            flow = round((280e6 * mood + 60e6 * float(rng.normal())) / 1e6) * 1e6
        out.append(DemoDay(day, round(mood, 4), round(open_, 2), high, low, close, flow))
    return out


def _wrap(d: DemoDay, n: int) -> DemoArticle:
    """The daily market wrap: the day's move and close, in the day's tone."""
    change = (d.close / d.open - 1) * 100
    verb = "rose" if change >= 0 else "fell"
    weekday = _WEEKDAYS[d.day.weekday()]
    if d.mood > 0.35:
        tone = (
            "Traders cheered the strong rally as buyers returned in force. "
            "Optimism spread across crypto markets and analysts called the rebound healthy."
        )
    elif d.mood < -0.35:
        tone = (
            "Traders rushed for the exits as fear gripped crypto markets. "
            "The sell-off deepened and analysts warned of further losses."
        )
    else:
        tone = "Trading was quiet and volumes were thin."
    title = f"Bitcoin {'climbs' if change >= 0 else 'slips'} to ${d.close:,.0f}"
    text = f"Bitcoin {verb} {abs(change):.1f}% to ${d.close:,.0f} on {weekday}. {tone}"
    return _article(title, text, day=d.day, n=n)


def _flows(d: DemoDay, n: int) -> DemoArticle | None:
    """The ETF flow report; every seventh one misreports the figure (a contradicted claim)."""
    if d.flow is None or d.flow == 0:
        return None
    reported = abs(d.flow) * (2.5 if n % 7 == 3 else 1)
    millions = f"${reported / 1e6:,.0f} million"
    weekday = _WEEKDAYS[d.day.weekday()]
    if d.flow > 0:
        text = (
            f"US spot bitcoin ETFs saw net inflows of {millions} on {weekday}. "
            "Demand from institutional investors stayed strong."
        )
        title = "Bitcoin ETFs draw inflows"
    else:
        text = (
            f"US spot bitcoin ETFs saw net outflows of {millions} on {weekday}. "
            "Investors pulled money from the funds as worries grew."
        )
        title = "Bitcoin ETF outflows deepen"
    return _article(title, text, day=d.day, n=n)


def _topic(d: DemoDay, i: int, n: int) -> DemoArticle:
    """One themed story: which theme depends on the day's mood and the week (themes rise and
    fade over the demo period, so share of voice changes)."""
    week = i // 7
    if d.mood < -0.3 and week >= 6:
        amount = 300 + int(abs(d.mood) * 900) + i
        return _article(
            "Liquidations sweep crypto markets",
            f"Crypto liquidations topped ${amount:,} million as leveraged longs were "
            "wiped out. Bitcoin futures open interest dropped sharply.",
            day=d.day,
            n=n,
        )
    if week < 4 and i % 3 == 0:
        speaker = _FED[(i // 3) % len(_FED)]
        view = _FED_VIEWS[(i // 3) % len(_FED_VIEWS)]
        return _article(
            f"{speaker} on interest rates",
            f"Fed official {speaker} said on {_WEEKDAYS[d.day.weekday()]} that "
            f"{view}. Treasury yields edged higher after the remarks.",
            day=d.day,
            n=n,
        )
    if i % 9 == 4:
        target = int(round(d.close * (1.12 if d.mood >= 0 else 0.85), -4))
        horizon = d.day + timedelta(days=30)
        firm = _FIRMS[(i // 9) % len(_FIRMS)]
        return _article(
            f"{firm} sets a bitcoin target",
            f"Analysts at {firm} expect bitcoin to reach ${target:,} by "
            f"{horizon:%B} {horizon.day}, {horizon.year}.",
            day=d.day,
            n=n,
        )
    if week >= 5 and i % 2 == 0:
        held = 400_000 + 1_000 * i
        return _article(
            "Strategy adds to its bitcoin treasury",
            f"Strategy bought 2,500 BTC last week. The company now holds "
            f"{held:,} BTC on its balance sheet.",
            day=d.day,
            n=n,
        )
    minted = f"${1 + i % 3}.{i % 10} billion"
    return _article(
        "Tether mints more USDT",
        f"Tether minted {minted} of USDT on {_WEEKDAYS[d.day.weekday()]}. Total "
        f"stablecoin supply reached ${200 + i // 2} billion.",
        day=d.day,
        n=n,
    )


def _article(title: str, text: str, *, day: date, n: int) -> DemoArticle:
    return DemoArticle(
        title=f"{DEMO_LABEL} {title}",
        text=text,
        url=f"{DEMO_HOST}/{day.isoformat()}/{n}",
        published=f"{day.isoformat()}T{9 + n % 8:02d}:00:00Z",
    )


def demo_articles(market: list[DemoDay]) -> list[DemoArticle]:
    """Two or three synthetic articles per day of `market`."""
    out: list[DemoArticle] = []
    for i, d in enumerate(market):
        out.append(_wrap(d, len(out)))
        flows = _flows(d, len(out))
        if flows is not None:
            out.append(flows)
        out.append(_topic(d, i, len(out)))
    return out


def price_csv(market: list[DemoDay]) -> str:
    """The synthetic BTC-USD bars as an OHLCV CSV the market importer reads."""
    lines = ["date,open,high,low,close,volume"]
    lines += [f"{d.day},{d.open},{d.high},{d.low},{d.close},0" for d in market]
    return "\n".join(lines) + "\n"


def flow_csv(market: list[DemoDay]) -> str:
    """The synthetic ETF net flows (USD) as a two-column CSV."""
    lines = ["date,value"] + [f"{d.day},{d.flow:.0f}" for d in market if d.flow is not None]
    return "\n".join(lines) + "\n"
