"""Entity linking on the built-in KB: case rules, tickers in context, nesting, patterns, NER."""

from datetime import date

import pytest

from nlp.entities.kb import KBEntity, KnowledgeBase
from nlp.pipeline import Analyzer
from nlp.types import EntityMention


def _links(
    analyzer: Analyzer, text: str, published: date | None = None
) -> list[tuple[str, str | None]]:
    return [(m.text, m.entity_id) for m in analyzer.analyze(text, published).entities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cashtags, pairs (dash, slash, glued) and tickers in parentheses
        ("Traders piled into $SOL and $BTC.", [("SOL", "crypto:sol"), ("BTC", "crypto:btc")]),
        ("The BTC-USDT and ETH/USD books thinned.",
         [("BTC", "crypto:btc"), ("USDT", "crypto:usdt"), ("ETH", "crypto:eth")]),
        ("Funding on BTCUSDT flipped negative.", [("BTC", "crypto:btc")]),
        ("Chainlink (LINK) and NEAR Protocol (NEAR) gained.",
         [("Chainlink", "crypto:link"), ("LINK", "crypto:link"),
          ("NEAR Protocol", "crypto:near"), ("NEAR", "crypto:near")]),
        # ambiguous English-word tickers: context links them, plain prose does not
        ("ETH, SOL and LINK all fell on Monday.",
         [("ETH", "crypto:eth"), ("SOL", "crypto:sol"), ("LINK", "crypto:link")]),
        ("Whales moved 2 million LINK to exchanges.", [("LINK", "crypto:link")]),
        ("ONE analyst said the NEAR term looks weak.", []),
        ("Click the LINK below to read more.", []),
        ("The OP said yes. Buy $OP now.", [("OP", "crypto:op")]),
        # case rules: a lower-case common word is not a capitalized name
        ("The balancer of the budget is a ripple effect.", []),
        ("Balancer was hacked; Ripple sued the SEC.",
         [("Balancer", "protocol:balancer"), ("Ripple", "company:ripple"), ("SEC", "org:sec")]),
        ("The sec said little.", []),
        ("Strategy matters in markets. Strategy bought more bitcoin.",
         [("Strategy", "company:strategy"), ("bitcoin", "crypto:btc")]),
    ],
)  # fmt: skip
def test_linking_table(
    analyzer: Analyzer, text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert _links(analyzer, text) == expected


def test_pair_links_both_sides(analyzer: Analyzer) -> None:
    assert _links(analyzer, "The BTC-USDT book thinned.") == [
        ("BTC", "crypto:btc"),
        ("USDT", "crypto:usdt"),
    ]


def test_etf_group_keeps_the_nested_asset(analyzer: Analyzer) -> None:
    mentions = analyzer.analyze("Last week, US-listed bitcoin ETFs had outflows.").entities
    assert [(m.text, m.entity_id, m.nested_in) for m in mentions] == [
        ("US-listed bitcoin ETFs", "etf:us-spot-bitcoin-etfs", None),
        ("bitcoin", "crypto:btc", 0),
    ]


def test_fund_name_does_not_nest_its_asset(analyzer: Analyzer) -> None:
    mentions = analyzer.analyze("Fidelity Wise Origin Bitcoin Fund saw inflows.").entities
    assert [(m.text, m.entity_id) for m in mentions] == [
        ("Fidelity Wise Origin Bitcoin Fund", "etf:fbtc")
    ]


def test_acronym_spelled_out_takes_the_acronyms_entity(analyzer: Analyzer) -> None:
    mentions = analyzer.analyze("It raised its general account (TGA) balance.").entities
    assert [(m.text, m.entity_id) for m in mentions] == [
        ("general account", "macro:tga"),
        ("TGA", "macro:tga"),
    ]


def test_patterns_give_parametric_ids(analyzer: Analyzer) -> None:
    text = "BTC held its 200DMA and the 50-day moving average before the June policy meeting."
    assert _links(analyzer, text, date(2023, 5, 10)) == [
        ("BTC", "crypto:btc"),
        ("200DMA", "indicator:ma-200d"),
        ("50-day moving average", "indicator:ma-50d"),
        ("June policy meeting", "event:fomc-2023-06"),
    ]


def test_unknown_names_come_from_ner_with_derived_ids(analyzer: Analyzer) -> None:
    text = (
        "Priya Ramaswamy, an analyst at Quillfeather Capital, said prices would rise. "
        "Ramaswamy added more."
    )
    mentions = [(m.text, m.entity_id, m.type) for m in analyzer.analyze(text).entities]
    assert ("Quillfeather Capital", "org:quillfeather-capital", "COMPANY") in mentions
    assert ("Priya Ramaswamy", "person:priya-ramaswamy", "PERSON") in mentions
    assert ("Ramaswamy", "person:priya-ramaswamy", "PERSON") in mentions  # the surname later


def test_ner_junk_is_dropped(analyzer: Analyzer) -> None:
    text = "DeFi and NFT volumes rose 5% YoY while LTH supply and the ETF AUM fell."
    assert all(m.entity_id is not None for m in analyzer.analyze(text).entities)


def test_kb_hit_beats_ner_label(analyzer: Analyzer) -> None:
    mentions = analyzer.analyze("Bitcoin fell while Balancer was hacked.").entities
    assert [(m.text, m.type) for m in mentions] == [
        ("Bitcoin", "CRYPTO_ASSET"),
        ("Balancer", "PROTOCOL"),
    ]


def test_user_entities_extend_the_kb() -> None:
    extra = KBEntity(
        id="crypto:zzt",
        name="Zeta Test Coin",
        type="CRYPTO_ASSET",
        aliases=("Zeta Test",),
        tickers=("ZZT",),
    )
    analyzer = Analyzer(
        kb=KnowledgeBase.load(extra=[extra]), stages=["nlp.entities.stage:entity_stage"]
    )
    mentions = analyzer.analyze("Zeta Test jumped; ZZT is up 40%.").entities
    assert [(m.text, m.entity_id, m.name) for m in mentions] == [
        ("Zeta Test", "crypto:zzt", "Zeta Test Coin"),
        ("ZZT", "crypto:zzt", "Zeta Test Coin"),
    ]


def test_mentions_carry_sentence_index(analyzer: Analyzer) -> None:
    mentions: list[EntityMention] = analyzer.analyze("Heading\nBitcoin rose. Ether fell.").entities
    assert [(m.text, m.sentence_index) for m in mentions] == [("Bitcoin", 1), ("Ether", 2)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a period or percentage before an indicator name does not hide the KB concept
        ("The 14-day RSI sits near 71.", [("14-day RSI", "indicator:rsi")]),
        (
            "Its 9-Day Relative Strength Index cooled off.",
            [("9-Day Relative Strength Index", "indicator:rsi")],
        ),
        ("The 10% delta skew flipped to puts.", [("10% delta skew", "indicator:delta-skew")]),
        # a report word after a country series is dropped before the lookup
        (
            "Traders await UK inflation figures on Friday.",
            [("UK inflation figures", "macro:uk-cpi")],
        ),
        (
            "US bond yields jumped while US yields elsewhere eased.",
            [
                ("US bond yields", "macro:us-treasury-yields"),
                ("US yields", "macro:us-treasury-yields"),
            ],
        ),
        # moving averages: KB ids for common ones, the parametric family for the rest and lists
        (
            "It reclaimed the 200-day moving average.",
            [("200-day moving average", "indicator:ma-200d")],
        ),
        ("It lost the 89-day moving average.", [("89-day moving average", "indicator:ma-89d")]),
        (
            "Price sits between its 20- and 100-day moving averages.",
            [("20- and 100-day moving averages", "indicator:ma-20d-100d")],
        ),
        # crosses and named upgrades link to their KB entries
        ("A death cross formed on the daily chart.", [("death cross", "indicator:death-cross")]),
        (
            "Stakers could withdraw after the Shanghai upgrade.",
            [("Shanghai upgrade", "event:2023-04-shapella")],
        ),
    ],
)
def test_pattern_spans_link_to_kb(
    analyzer: Analyzer, text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert _links(analyzer, text) == expected


def test_org_event_synonym_links_to_the_known_event(analyzer: Analyzer) -> None:
    links = _links(analyzer, "Memories of the Terra meltdown and the FTX fiasco linger.")
    # the organization stays as a mention nested in the event span
    assert links == [
        ("Terra meltdown", "event:2022-05-terra-collapse"),
        ("Terra", "crypto:luna"),
        ("FTX fiasco", "event:2022-11-ftx-collapse"),
        ("FTX", "exchange:ftx"),
    ]
    assert _links(analyzer, "After the Solana meltdown, SOL recovered.") == [
        ("Solana", "crypto:sol"),
        ("SOL", "crypto:sol"),
    ]


def test_bare_dollar_needs_the_and_no_following_noun(analyzer: Analyzer) -> None:
    text = "The dollar weakened. A billion-dollar fund kept its dollar exposure and the dollar peg."
    assert _links(analyzer, text) == [("dollar", "macro:usd")]
    assert _links(analyzer, "The greenback slid against the yen.") == [
        ("greenback", "macro:usd"),
        ("yen", "macro:jpy"),
    ]


def test_generic_inflation_follows_the_gauge_the_article_names(analyzer: Analyzer) -> None:
    cpi = "The CPI report showed core inflation at 3.2%."
    assert _links(analyzer, cpi) == [
        ("CPI report", "macro:cpi"),
        ("core inflation", "macro:core-cpi"),
    ]
    pce = "The PCE index rose; core inflation held at 2.8%."
    assert _links(analyzer, pce) == [("PCE", "macro:pce"), ("core inflation", "macro:core-pce")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Circle says reserves are fully backed.", [("Circle", "company:circle")]),
        ("Strategy plans another raise.", [("Strategy", "company:strategy")]),
        ("Patience matters here. Strategy matters too.", []),
    ],
)
def test_sentence_initial_firm_with_a_firm_verb(
    analyzer: Analyzer, text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert _links(analyzer, text) == expected
