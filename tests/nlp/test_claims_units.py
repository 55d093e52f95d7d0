"""Implied units (nlp/claims/units.py) through the real pipeline: money and coins the text leaves
bare are read from the metric and context, marked `unit_inferred`; a written unit is never
changed; counts of things stay counts."""

import pytest

from nlp.claims.units import UNIT_RULES, text_currency
from nlp.pipeline import Analyzer
from nlp.types import Analysis
from tests.nlp.conftest import by_text as _by_text
from tests.nlp.conftest import claims_of as _claims

# (text, the number as written, value, unit, unit_inferred)
INFERRED = [
    # market caps and valuations (commentary translated from Chinese drops the currency)
    ("Tesla's market value climbed to 1.2 trillion.", "1.2 trillion", 1.2e12, "USD"),
    ("The company's market cap fell to 45 billion.", "45 billion", 4.5e10, "USD"),
    ("Its market capitalization shrank to 800 million overnight.", "800 million", 8e8, "USD"),
    ("The startup is now valued at 3 billion.", "3 billion", 3e9, "USD"),
    ("Nvidia's market value topped 4 trillion for the first time.", "4 trillion", 4e12, "USD"),
    # liquidations and losses
    ("Longs lost 1.3 billion in the flush.", "1.3 billion", 1.3e9, "USD"),
    ("Shorts were wiped out for 320 million as bitcoin spiked.", "320 million", 3.2e8, "USD"),
    ("Over 400 million was liquidated in the past 24 hours.", "400 million", 4e8, "USD"),
    ("Liquidations across the market reached 1.1 billion on Monday.", "1.1 billion", 1.1e9, "USD"),
    ("The exchange lost 150 million in the hack.", "150 million", 1.5e8, "USD"),
    ("Attackers drained 80 million from the bridge.", "80 million", 8e7, "USD"),
    ("Ethereum holders face losses of 2 billion.", "2 billion", 2e9, "USD"),
    ("Bulls lost 600 million as the rally failed.", "600 million", 6e8, "USD"),
    # outflows and inflows
    ("Spot ETFs saw outflows of 870 million last week.", "870 million", 8.7e8, "USD"),
    ("Net inflows into the funds came to 1.2 billion.", "1.2 billion", 1.2e9, "USD"),
    ("Traders pulled 500 million out of the funds.", "500 million", 5e8, "USD"),
    ("Redemptions climbed to 300 million on Friday.", "300 million", 3e8, "USD"),
    # costs, spending, revenue
    ("He spent 2.5 million buying ETH.", "2.5 million", 2.5e6, "USD"),
    ("The treasury spent 1.4 billion on buybacks.", "1.4 billion", 1.4e9, "USD"),
    ("The miner's costs rose to 12 million in the quarter.", "12 million", 1.2e7, "USD"),
    ("Revenue hit 2.1 billion in the third quarter.", "2.1 billion", 2.1e9, "USD"),
    ("The firm raised 50 million in a Series B round.", "50 million", 5e7, "USD"),
    ("Investors paid 4.5 million for the NFT.", "4.5 million", 4.5e6, "USD"),
    ("The protocol earned 30 million in fees this year.", "30 million", 3e7, "USD"),
    ("The exchange was fined 4.3 billion by regulators.", "4.3 billion", 4.3e9, "USD"),
    ("Longs lost 900 million while shorts were spared.", "900 million", 9e8, "USD"),
    ("Another 200 million disappeared in the crash.", "200 million", 2e8, "USD"),
    ("Holders cashed out over 42 billion during the period.", "42 billion", 4.2e10, "USD"),
    # balances and assets under management
    ("The Treasury's general account balance rose to 100 billion.", "100 billion", 1e11, "USD"),
    ("The fund's assets under management remain near 9.5 billion.", "9.5 billion", 9.5e9, "USD"),
    # prices and cost bases of an asset
    ("The average cost of bitcoin wallets is 55,900, CryptoQuant said.", "55,900", 55900, "USD"),
    ("He bought SOL at a 180 cost basis.", "180", 180, "USD"),
    ("Ether's average cost basis among whales is 2,400.", "2,400", 2400, "USD"),
    ("He sold ETH at 3,900 before the crash.", "3,900", 3900, "USD"),
    ("Solana traded near 180 on Monday.", "180", 180, "USD"),
    ("Btc: 81.6k (-11%) | Eth: 2665 (-12%)", "81.6k", 81600, "USD"),
    ("Btc: 81.6k (-11%) | Eth: 2665 (-12%)", "2665", 2665, "USD"),
    # a currency shared across a list
    ("Bitcoin and Ether will bottom at $20k and 1k, respectively.", "1k", 1000, "USD"),
    # another currency named by the context
    ("The yuan-denominated fund's market value fell to 3 billion.", "3 billion", 3e9, "CNY"),
    ("In RMB terms, longs lost 900 million in the flush.", "900 million", 9e8, "CNY"),
    ("Measured in euros, the bank's market cap reached 40 billion.", "40 billion", 4e10, "EUR"),
    # the level a move in percent reached
    ("Bitcoin dropped 5% to 98,000 on Tuesday.", "98,000", 98000, "USD"),
    ("SOL jumped 12% to 180 as traders piled in.", "180", 180, "USD"),
    # counts of an asset
    ("Whales bought 200 million more ADA in five weeks.", "200 million", 2e8, "ADA"),
    ("Holders of 1,000 to 10,000 BTC sold coins.", "1,000", 1000, "BTC"),
    (
        "Police have traced the bitcoin.\nCoins seized so far:\n• Group A: 50,000\n• Group B: 3,500"
        "\nMore seizures are expected.",
        "50,000",
        50000,
        "BTC",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "number", "value", "unit"), INFERRED)
def test_implied_unit(analyzer: Analyzer, text: str, number: str, value: float, unit: str) -> None:
    claim = _by_text(_claims(analyzer, text))[number]
    assert (claim.value, claim.unit, claim.unit_inferred) == (pytest.approx(value), unit, True)
    assert claim.explanation and claim.explanation["unit"]  # the rule that read it is named


# A written unit is kept, and a number whose unit is not implied stays a plain count.
NOT_INFERRED = [
    ("Longs lost $1.3 billion in the flush.", "$1.3 billion", "USD"),
    ("Longs lost 1.3 billion yuan in the flush.", "1.3 billion yuan", "CNY"),
    ("Its market capitalization reached 2 trillion euros.", "2 trillion euros", "EUR"),
    ("The fund holds 50,000 BTC.", "50,000 BTC", "BTC"),
    ("Spot ETFs saw outflows of $870 million last week.", "$870 million", "USD"),
    ("Outflows reached 5,800 BTC on Monday.", "5,800 BTC", "BTC"),
    ("The DAO raised a total of ETH 17,422 to bid on the NFT.", "17,422", "ETH"),
    ("Around 120,000 traders were liquidated in the past day.", "120,000", "COUNT"),
    ("The network processed 543,000 transactions on Monday.", "543,000", "COUNT"),
    ("Bitcoin's hash rate hit 440 EH/s.", "440", "COUNT"),
    ("The Dow fell 1,000 points.", "1,000", "COUNT"),
    ("Active addresses rose 5% to 870,000.", "870,000", "COUNT"),
    ("Daily transactions on the network hit a record of 682,099.", "682,099", "COUNT"),
    ("The number of liquidated traders neared 300,000.", "300,000", "COUNT"),
    ("Three funds filed for approval.", "Three", "COUNT"),
    ("The exchange lost 12 listings this year.", "12", "COUNT"),
    ("El Salvador will unveil 10 new BTC-specific legal reforms.", "10", "COUNT"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "number", "unit"), NOT_INFERRED)
def test_written_or_counted_unit_is_not_inferred(
    analyzer: Analyzer, text: str, number: str, unit: str
) -> None:
    claim = _by_text(_claims(analyzer, text))[number]
    assert (claim.unit, claim.unit_inferred) == (unit, False)


def test_rules_are_data() -> None:
    names = [name for name, _, _ in UNIT_RULES]
    assert len(names) == len(set(names)) and {"market_value", "liquidations", "price"} <= set(names)


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("Sales fell to 3 billion yuan.", "CNY"),
        ("Sales fell to 3 billion yuan, or $410 million.", "USD"),
        ("The bank earned 2 billion euros.", "EUR"),
        ("Nothing here names a currency.", "USD"),
        ("Prices in yuan and euros both fell.", "USD"),  # two others: no single one, dollars
    ],
)
def test_text_currency(text: str, currency: str) -> None:
    assert text_currency(text) == currency


def test_unit_inferred_in_the_json(analyzer: Analyzer) -> None:
    analysis: Analysis = analyzer.analyze("Longs lost 1.3 billion in the flush.")
    (claim,) = analysis.to_json_dict()["claims"]
    assert claim["unit"] == "USD" and claim["unit_inferred"] is True
