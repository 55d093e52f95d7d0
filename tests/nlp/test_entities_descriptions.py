"""Ranked descriptions and anaphora: linked when the text makes the referent clear, else not."""

import pytest

from nlp.pipeline import Analyzer


def _link_of(analyzer: Analyzer, text: str, phrase: str) -> str | bool | None:
    """The id of the mention covering `phrase`; False when no mention covers it."""
    start = text.index(phrase)
    for m in analyzer.analyze(text).entities:
        if m.start <= start and start + len(phrase) <= m.end:
            return m.entity_id
    return False


@pytest.mark.parametrize(
    ("text", "phrase", "entity_id"),
    [
        ("Prices rose as the world's largest cryptocurrency hit $70,000.",
         "the world's largest cryptocurrency", "crypto:btc"),
        ("The world’s biggest cryptocurrency slipped 2%.", "The world’s biggest cryptocurrency",
         "crypto:btc"),
        ("Traders sold the top crypto on Friday.", "the top crypto", "crypto:btc"),
        ("The leading cryptocurrency is up 80% this year.", "The leading cryptocurrency",
         "crypto:btc"),
        ("Meanwhile the largest digital asset held support.", "the largest digital asset",
         "crypto:btc"),
        ("The second-largest token fell 4%.", "The second-largest token", "crypto:eth"),
        ("Flows into the second largest cryptocurrency slowed.",
         "the second largest cryptocurrency", "crypto:eth"),
        ("Even the world's second-biggest cryptocurrency lagged.",
         "the world's second-biggest cryptocurrency", "crypto:eth"),
        ("Issuance of the largest stablecoin by market cap grew.", "the largest stablecoin",
         "crypto:usdt"),
        ("Supply of the second-largest stablecoin shrank.", "the second-largest stablecoin",
         "crypto:usdc"),
    ],
)  # fmt: skip
def test_ranked_descriptions(analyzer: Analyzer, text: str, phrase: str, entity_id: str) -> None:
    assert _link_of(analyzer, text, phrase) == entity_id


@pytest.mark.parametrize(
    ("text", "phrase", "entity_id"),
    [
        # a firm, then "the firm" / "the company" / "the asset manager"
        ("Blockstream builds Bitcoin tools. The firm is led by Adam Back.", "The firm",
         "company:blockstream"),
        ("Galaxy Digital reported a loss. The company said trading slowed.", "The company",
         "company:galaxy-digital"),
        ("BlackRock filed again on Monday. The asset manager said demand is strong.",
         "The asset manager", "company:blackrock"),
        ("Marathon Digital mined 1,000 BTC. The Nasdaq-listed miner also sold some.",
         "The Nasdaq-listed miner", "company:mara"),
        ("Coinbase listed the token. The exchange said volumes doubled.", "The exchange",
         "exchange:coinbase"),
        ("Coinbase listed the token. The US-based exchange said volumes doubled.",
         "The US-based exchange", "exchange:coinbase"),
        # a named fund, then "the fund" / "the ETF"
        ("IBIT took in $500 million on Monday. The fund has grown fast.", "The fund", "etf:ibit"),
        ("Investors pulled money from GBTC, and the fund, which charges 1.5%, shrank.",
         "the fund", "etf:gbtc"),
        ("FBTC drew $100 million. The ETF is Fidelity's.", "The ETF", "etf:fbtc"),
        # a person, then "the CEO" / "the founder"
        ("Maria Lopez started the fund in 2019. The founder said fees will fall.", "The founder",
         "person:maria-lopez"),
        # a regulator, then "the agency"
        ("The SEC delayed its decision. The agency cited market manipulation.", "The agency",
         "org:sec"),
    ],
)  # fmt: skip
def test_anaphors_link_to_the_one_compatible_entity(
    analyzer: Analyzer, text: str, phrase: str, entity_id: str
) -> None:
    assert _link_of(analyzer, text, phrase) == entity_id


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        # two compatible entities in reach: unclear, so nothing
        ("Coinbase and Kraken reported volumes. The exchange said demand rose.", "The exchange"),
        ("IBIT and FBTC drew inflows. The fund led.", "The fund"),
        # nothing compatible before it
        ("The firm said it will cut jobs.", "The firm"),
        ("Bitcoin rose. The fund said it bought more.", "The fund"),
        # too far back: two sentences between
        ("Galaxy Digital reported a loss. Prices fell. Volumes dropped. The company said more.",
         "The company"),
        # the noun is part of a longer noun phrase
        ("Coinbase shares rose. The exchange rate of the dollar fell.", "The exchange"),
        ("Ether rose. The token price is up.", "The token"),
        # an unseen name stands between: "the firm" may mean River, which nothing found
        ("Some backers include Cygni and Alarko Ventures. According to River's statement, "
         "the firm aims to grow.", "the firm"),
        # a compatible name later in the sentence: the anaphor may point forward
        ("He posted on Twitter. A trader said the company's bets make MicroStrategy risky.",
         "the company"),
        # an apposition describes the name beside it; it is not a mention of its own
        ("Maria Lopez, the founder of Quillfeather, said fees will fall.", "the founder"),
        # a plural is a class, not the entity
        ("BlackRock filed. The firms said demand is strong.", "The firms"),
    ],
)  # fmt: skip
def test_unclear_anaphors_stay_unlinked(analyzer: Analyzer, text: str, phrase: str) -> None:
    assert _link_of(analyzer, text, phrase) in (False, None)
