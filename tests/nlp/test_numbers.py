"""The number normalizer, table-driven: money, scales, units, hedges, ranges, words and traps."""

from datetime import date

import pytest

from nlp.claims.numbers import find_quantities, parse_number

PUBLISHED = date(2025, 11, 5)


def _one(text: str) -> tuple[str, float, str, str | None]:
    """The single quantity of `text` as (span, value, unit, qualifier)."""
    found = find_quantities(text, PUBLISHED)
    assert len(found) == 1, [q.text for q in found]
    q = found[0]
    assert text[q.start : q.end] == q.text
    return q.text, round(q.value, 6), q.unit, q.qualifier


# (sentence, span, value, unit, qualifier)
SINGLE = [
    ("Bitcoin fell below $99,000 today.", "$99,000", 99000, "USD", "below"),
    ("Longs lost $1.63 billion.", "$1.63 billion", 1.63e9, "USD", None),
    ("It moved 2,043 BTC on-chain.", "2,043 BTC", 2043, "BTC", None),
    ("SOFR rose 22 basis points.", "22 basis points", 22, "BASIS_POINTS", None),
    ("Its share is 50.4% now.", "50.4%", 50.4, "PERCENT", None),
    ("A fee of $5 applies.", "$5", 5, "USD", None),
    ("It holds 0.7% of supply.", "0.7%", 0.7, "PERCENT", None),
    ("They use 1.5x leverage.", "1.5x", 1.5, "MULTIPLE", None),
    ("The shutdown entered its 35th day.", "35th day", 35, "DAYS", None),
    ("Whales bought 10k BTC.", "10k BTC", 10000, "BTC", None),
    ("Stablecoin supply hit $300bn.", "$300bn", 3e11, "USD", None),
    ("The fund raised US$2.5m.", "US$2.5m", 2.5e6, "USD", None),
    ("Tether minted 1 billion USDT.", "1 billion USDT", 1e9, "USD", None),
    ("The ECB fined it €20 million.", "€20 million", 2e7, "EUR", None),
    ("It paid £3.5 million.", "£3.5 million", 3.5e6, "GBP", None),
    ("The deal was worth ¥500 billion.", "¥500 billion", 5e11, "JPY", None),
    ("A $1T market.", "$1T", 1e12, "USD", None),
    ("About 800,000 bitcoin are held.", "800,000 bitcoin", 8e5, "BTC", "about"),
    ("It staked 32 ETH.", "32 ETH", 32, "ETH", None),
    ("It burned 1.2 million SOL tokens.", "1.2 million SOL tokens", 1.2e6, "SOL", None),
    ("Volume rose 15 percent.", "15 percent", 15, "PERCENT", None),
    ("Odds rose 10 per cent.", "10 per cent", 10, "PERCENT", None),
    ("Spreads widened 30 bps.", "30 bps", 30, "BASIS_POINTS", None),
    ("A cut of 25 bp is priced.", "25 bp", 25, "BASIS_POINTS", None),
    ("Yields rose 0.5 percentage points.", "0.5 percentage points", 0.5, "PERCENT", None),
    ("Payouts total 5 million dollars.", "5 million dollars", 5e6, "USD", None),
    ("Revenue hit 3 billion US dollars.", "3 billion US dollars", 3e9, "USD", None),
    ("The lock-up lasts 90 days.", "90 days", 90, "DAYS", None),
    ("The bond matures after 10 years.", "10 years", 10, "YEARS", None),
    ("Vesting takes 18 months.", "18 months", 18, "MONTHS", None),
    ("Unstaking takes 2 weeks.", "2 weeks", 14, "DAYS", None),
    ("ETFs saw outflows of over $70 billion.", "$70 billion", 7e10, "USD", "over"),
    ("Liquidations exceeded $2 billion.", "$2 billion", 2e9, "USD", "over"),
    ("It touched as low as $3,000.", "$3,000", 3000, "USD", "low"),
    ("It spiked as high as $4,100.", "$4,100", 4100, "USD", "high"),
    ("It is down nearly 20%.", "20%", 20, "PERCENT", "about"),
    ("It fell almost 7%.", "7%", 7, "PERCENT", "about"),
    ("Roughly 3,000 BTC moved.", "3,000 BTC", 3000, "BTC", "about"),
    ("Approximately $5 million was stolen.", "$5 million", 5e6, "USD", "about"),
    ("The cost basis sits around $113,000.", "$113,000", 113000, "USD", "about"),
    ("It rose more than 12%.", "12%", 12, "PERCENT", "over"),
    ("At least $40 million left.", "$40 million", 4e7, "USD", "over"),
    ("Holders with less than 1 BTC sold.", "1 BTC", 1, "BTC", "below"),
    ("It trades under $2.", "$2", 2, "USD", "below"),
    ("It failed to hold the $100,000 mark.", "$100,000", 100000, "USD", "below"),
    ("It stayed above $60,000.", "$60,000", 60000, "USD", "over"),
    ("It slid to the low-$27,000s.", "$27,000s", 27000, "USD", "about"),
    ("The first sub-5.0% reading.", "5.0%", 5.0, "PERCENT", "below"),
    ("It dipped to sub-$20,000 levels.", "$20,000", 20000, "USD", "below"),
    ("A move toward the mid-$30,000s.", "$30,000s", 30000, "USD", "about"),
    ("Investors sold 405,000 BTC.", "405,000 BTC", 405000, "BTC", None),
    ("Prices hit 82,000 on Friday.", "82,000", 82000, "COUNT", None),
    ("The exchange lists 350 tokens.", "350", 350, "COUNT", None),
    ("More than half of the supply moved.", "half", 50, "PERCENT", "over"),
    ("A third of holders sold.", "A third", 100 / 3, "PERCENT", None),
    ("Two-thirds of the flows went to IBIT.", "Two-thirds", 200 / 3, "PERCENT", None),
    ("A quarter of miners capitulated.", "A quarter", 25, "PERCENT", None),
    ("Three funds filed.", "Three", 3, "COUNT", None),
    ("Twenty-five exchanges delisted it.", "Twenty-five", 25, "COUNT", None),
    ("It saw two consecutive days of inflows.", "two consecutive days", 2, "DAYS", None),
    ("A dozen wallets moved coins.", "A dozen", 12, "COUNT", None),
    ("It sold two million BTC.", "two million BTC", 2e6, "BTC", None),
    ("Five billion dollars left.", "Five billion dollars", 5e9, "USD", None),
    ("The fund holds 1,234.5 ETH.", "1,234.5 ETH", 1234.5, "ETH", None),
    ("It fell .5% overnight.", ".5%", 0.5, "PERCENT", None),
    ("Staking yields 3.25% a year.", "3.25%", 3.25, "PERCENT", None),
    ("Ether ETFs drew $1.2bn.", "$1.2bn", 1.2e9, "USD", None),
    ("Outflows hit $800mn.", "$800mn", 8e8, "USD", None),
    ("Market cap reached $4 trillion.", "$4 trillion", 4e12, "USD", None),
    ("It raised $150 thousand.", "$150 thousand", 1.5e5, "USD", None),
    ("Fees reached USD 12 million.", "USD 12 million", 1.2e7, "USD", None),
    ("It fell to $0.45 after the news.", "$0.45", 0.45, "USD", None),
    ("Hashrate rose 4x in a year.", "4x", 4, "MULTIPLE", None),
    ("The token returned 10X.", "10X", 10, "MULTIPLE", None),
    ("It is the 3rd day of losses.", "3rd day", 3, "DAYS", None),
    ("It grew ~15% overnight.", "15%", 15, "PERCENT", "about"),
    ("Inflation was 2.4% in 1999.", "2.4%", 2.4, "PERCENT", None),
    ("It traded at 6,500 XRP.", "6,500 XRP", 6500, "XRP", None),
    ("Outflows of 500 bitcoins were seen.", "500 bitcoins", 500, "BTC", None),
    ("Staking 1,000 ether pays well.", "1,000 ether", 1000, "ETH", None),
]


@pytest.mark.parametrize(("text", "span", "value", "unit", "qualifier"), SINGLE)
def test_single_quantity(
    text: str, span: str, value: float, unit: str, qualifier: str | None
) -> None:
    assert _one(text) == (span, round(value, 6), unit, qualifier)


CURRENCIES = [("$", "USD"), ("US$", "USD"), ("€", "EUR"), ("£", "GBP")]
AMOUNTS = [("5", 5.0), ("1.63", 1.63), ("47.87", 47.87), ("1,200", 1200.0)]
SCALES = [
    (" million", 1e6),
    (" billion", 1e9),
    (" trillion", 1e12),
    (" thousand", 1e3),
    ("bn", 1e9),
    ("m", 1e6),
    ("k", 1e3),
]
MONEY_GRID = [
    (f"Flows reached {sign}{amount}{scale}.", f"{sign}{amount}{scale}", number * factor, unit)
    for sign, unit in CURRENCIES
    for amount, number in AMOUNTS
    for scale, factor in SCALES
]


@pytest.mark.parametrize(("text", "span", "value", "unit"), MONEY_GRID)
def test_money_grid(text: str, span: str, value: float, unit: str) -> None:
    assert _one(text) == (span, round(value, 6), unit, None)


UNIT_WORDS = [
    (" BTC", "BTC", 1.0),
    (" ETH", "ETH", 1.0),
    (" SOL", "SOL", 1.0),
    (" bitcoin", "BTC", 1.0),
    ("%", "PERCENT", 1.0),
    (" percent", "PERCENT", 1.0),
    (" basis points", "BASIS_POINTS", 1.0),
    (" bps", "BASIS_POINTS", 1.0),
    (" days", "DAYS", 1.0),
    (" months", "MONTHS", 1.0),
    (" years", "YEARS", 1.0),
    (" weeks", "DAYS", 7.0),
]
UNIT_GRID = [
    (f"The figure was {amount}{word} overall.", f"{amount}{word}", number * factor, unit)
    for amount, number in [("3", 3.0), ("12.5", 12.5), ("2,500", 2500.0)]
    for word, unit, factor in UNIT_WORDS
]


@pytest.mark.parametrize(("text", "span", "value", "unit"), UNIT_GRID)
def test_unit_grid(text: str, span: str, value: float, unit: str) -> None:
    assert _one(text) == (span, round(value, 6), unit, None)


HEDGES = [
    ("about", "about"),
    ("around", "about"),
    ("roughly", "about"),
    ("approximately", "about"),
    ("nearly", "about"),
    ("almost", "about"),
    ("close to", "about"),
    ("an estimated", "about"),
    ("over", "over"),
    ("more than", "over"),
    ("above", "over"),
    ("at least", "over"),
    ("upwards of", "over"),
    ("in excess of", "over"),
    ("north of", "over"),
    ("below", "below"),
    ("under", "below"),
    ("less than", "below"),
    ("at most", "below"),
    ("as low as", "low"),
]


@pytest.mark.parametrize(("cue", "qualifier"), HEDGES)
def test_hedge_is_qualifier_and_left_out_of_span(cue: str, qualifier: str) -> None:
    assert _one(f"Traders moved {cue} $40 million.") == ("$40 million", 4e7, "USD", qualifier)


RANGES = [
    (
        "This group holds about 14.4 to 14.6 million BTC.",
        [
            ("14.4", 14.4e6, "BTC", "range_lower"),
            ("14.6 million BTC", 14.6e6, "BTC", "range_upper"),
        ],
    ),
    (
        "Its AUM is between $9.5 billion and $10 billion.",
        [
            ("$9.5 billion", 9.5e9, "USD", "range_lower"),
            ("$10 billion", 1e10, "USD", "range_upper"),
        ],
    ),
    (
        "Its AUM is between $9.5 and $10 billion.",
        [("$9.5", 9.5e9, "USD", "range_lower"), ("$10 billion", 1e10, "USD", "range_upper")],
    ),
    (
        "Wallets holding 10 to 1,000 BTC sold.",
        [("10", 10, "BTC", "range_lower"), ("1,000 BTC", 1000, "BTC", "range_upper")],
    ),
    (
        "Odds are 10-20% now.",
        [("10", 10, "PERCENT", "range_lower"), ("20%", 20, "PERCENT", "range_upper")],
    ),
    (
        "Support sits in the $26,500-800 area.",
        [("$26,500", 26500, "USD", "range_lower"), ("800", 26800, "USD", "range_upper")],
    ),
    (
        "A drop to the $25/26,000s is possible.",
        [("$25", 25000, "USD", "range_lower"), ("26,000s", 26000, "USD", "range_upper")],
    ),
    (
        "Rates went from 5.0-5.25% to 4.25-4.5%.",
        [
            ("5.0", 5.0, "PERCENT", "range_lower"),
            ("5.25%", 5.25, "PERCENT", "range_upper"),
            ("4.25", 4.25, "PERCENT", "range_lower"),
            ("4.5%", 4.5, "PERCENT", "range_upper"),
        ],
    ),
    (
        "It targets $3–4 billion.",
        [("$3", 3e9, "USD", "range_lower"), ("4 billion", 4e9, "USD", "range_upper")],
    ),
    (
        "Supply of 5 to 10 million ETH is staked.",
        [("5", 5e6, "ETH", "range_lower"), ("10 million ETH", 1e7, "ETH", "range_upper")],
    ),
    (
        "Flows were $300 million and $400 million.",
        [("$300 million", 3e8, "USD", None), ("$400 million", 4e8, "USD", None)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), RANGES)
def test_ranges_share_scale_and_unit(
    text: str, expected: list[tuple[str, float, str, str | None]]
) -> None:
    found = find_quantities(text, PUBLISHED)
    assert [(q.text, round(q.value, 6), q.unit, q.qualifier) for q in found] == [
        (span, round(value, 6), unit, qualifier) for span, value, unit, qualifier in expected
    ]


CHANGES = [
    ("The balance rose from about $30 billion to over $100 billion.", ["from", "to"]),
    ("It fell from above $28,000 to under $27,000.", ["from", "to"]),
    ("Volume was $22.5 billion, down from around $46 billion.", [None, "from"]),
    ("It rose to 95%, up from under 80%.", [None, "from"]),
]


@pytest.mark.parametrize(("text", "roles"), CHANGES)
def test_changes_mark_start_and_end(text: str, roles: list[str | None]) -> None:
    found = find_quantities(text, PUBLISHED)
    assert [q.change_role for q in found] == roles
    assert all(q.qualifier not in {"range_lower", "range_upper"} for q in found)


TRAPS = [
    'Bitcoin fell after the 10.11 crash, the "10.11" event.',
    'The "312" crash is remembered.',
    'The "519" sell-off.',
    "Times are UTC+8 here.",
    "Prices in GMT-5 time.",
    "ARK partners with 21Shares.",
    "10x Research published a note.",
    "The 2025 rally stalled.",
    "In 2024, things changed.",
    "Markets trade 24/7.",
    "Its Q3 results are due.",
    "Q4 2025 guidance.",
    "The S&P 500 index.",
    "The Nasdaq 100 index.",
    "The Russell 2000 lagged.",
    "An ERC-20 token.",
    "A BEP-20 token.",
    "COVID-19 changed markets.",
    "The Ethereum 2.0 upgrade.",
    "Web3 builders met.",
    "A layer-2 network.",
    "Layer2 fees fell.",
    "The 5-year note yield.",
    "A new six-month low.",
    "A five-year high.",
    "A 24-hour window.",
    "On October 31 it happened.",
    "From October 29 to November 3.",
    "On Monday, November 3, flows turned.",
    "It closed at 10:30 am.",
    "The meeting is at 2 p.m. today.",
    "It rose in the past 30 days.",
    "It rose over four trading days.",
    "Liquidations hit records in 24 hours.",
    "It happened 3 years ago.",
    "One week after the report.",
    "1. Bitcoin recovered",
    "2) Ether lagged",
    "in the form of 1) the 21DMA, 2) an uptrend",
    "The 3 Arrows Capital collapse.",
    "One of the reasons is liquidity.",
    "It is the first time since then.",
    "The G7 met.",
    "See figure #1 for details.",
    "The address 0x7a250d5630b4cf539739df2c5dacb4c659f2488d moved funds.",
    "Released 2025-10-31 at noon.",
    "In the first half of 2025.",
]


@pytest.mark.parametrize("text", TRAPS)
def test_traps_are_not_quantities(text: str) -> None:
    assert [q.text for q in find_quantities(text, PUBLISHED)] == []


MIXED = [
    (
        "On November 4, Coinbase moved 2,043 BTC and 22,681 ETH (UTC+8).",
        ["2,043 BTC", "22,681 ETH"],
    ),
    ("10x Research sees bitcoin at $100,000 in Q3.", ["$100,000"]),
    ("21Shares said ARKB saw $50 million of outflows on October 10.", ["$50 million"]),
    ('The "10.11" crash wiped $19 billion in 24 hours.', ["$19 billion"]),
    ("Top 10 coins fell 5%.", ["5%"]),
    ("Since 2021, BTC rose 400%.", ["400%"]),
]


@pytest.mark.parametrize(("text", "spans"), MIXED)
def test_traps_next_to_quantities(text: str, spans: list[str]) -> None:
    assert [q.text for q in find_quantities(text, PUBLISHED)] == spans


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1,234.5", 1234.5),
        ("0.7", 0.7),
        ("two", 2.0),
        ("twenty-one", 21.0),
        ("ninety", 90.0),
        ("a dozen", 12.0),
        ("eleven", 11.0),
        ("many", None),
        ("", None),
    ],
)
def test_parse_number(raw: str, value: float | None) -> None:
    assert parse_number(raw) == value


def test_offsets_index_the_original_text() -> None:
    text = "Über-long intro — then ETFs lost $1.34 billion; “half” of it in a day."
    (q,) = find_quantities(text, PUBLISHED)
    assert (text[q.start : q.end], q.value) == ("$1.34 billion", 1.34e9)


def test_a_move_by_x_to_a_range_is_not_a_range_from_x() -> None:
    found = find_quantities("The Fed lifted rates by 25 bps to 5.0-5.25% on Wednesday.", PUBLISHED)
    got = [(q.text, q.value, q.unit, q.qualifier) for q in found]
    assert got == [
        ("25 bps", 25, "BASIS_POINTS", None),
        ("5.0", 5.0, "PERCENT", "range_lower"),
        ("5.25%", 5.25, "PERCENT", "range_upper"),
    ]
    # without "by", "X to Y" stays a range
    (low, high) = find_quantities("Yields were 4% to 5% on Monday.", PUBLISHED)
    assert (low.qualifier, high.qualifier) == ("range_lower", "range_upper")


def test_a_move_in_percent_to_a_level_is_not_a_range() -> None:
    found = find_quantities("Bitcoin dropped 5% to 98,000 on Tuesday.", PUBLISHED)
    got = [(q.text, q.value, q.unit, q.qualifier) for q in found]
    assert got == [("5%", 5.0, "PERCENT", None), ("98,000", 98000.0, "COUNT", None)]
    # a bare upper bound of a like size still shares the lower bound's unit
    (_low, high) = find_quantities("Analysts see $30,000 to 32,000 next.", PUBLISHED)
    assert (high.unit, high.qualifier) == ("USD", "range_upper")


def test_a_unit_never_comes_from_the_next_line() -> None:
    (q,) = find_quantities("Whales bought 3,500\nBitcoin changed hands later.", PUBLISHED)
    assert (q.text, q.unit) == ("3,500", "COUNT")
    (q,) = find_quantities("Reserves fell by 12\nmillion people noticed.", PUBLISHED)
    assert (q.text, q.value) == ("12", 12)


def test_a_title_case_headline_keeps_its_level() -> None:
    text = "Bitcoin Price Falls To 98,000 As ETF Outflows Hit 500 Million"
    assert [q.text for q in find_quantities(text, PUBLISHED)] == ["98,000", "500 Million"]
    assert find_quantities("Fund Manager 3 Arrows Capital Files", PUBLISHED) == []
