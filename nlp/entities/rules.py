"""Context rules for the entity linker: ticker context, case signals, NER span types.

Kept apart from the matcher so each rule is a small, testable function of the text.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Span

# Quote currencies that form trading pairs with a base ticker (BTC-USDT, ETH/USD, BTCUSDT).
QUOTE_CURRENCIES = frozenset(
    str.split("USD USDT USDC BUSD FDUSD DAI EUR GBP JPY KRW TRY BRL AUD CAD BTC ETH BNB SOL")
)
# Words near an uppercase ticker that make a crypto reading likely.
CRYPTO_CONTEXT_WORDS = frozenset(
    str.split("""crypto cryptocurrency cryptocurrencies token tokens coin coins altcoin altcoins
    memecoin memecoins blockchain defi staking staked airdrop airdrops mainnet testnet layer-1
    layer-2 l1 l2 dex on-chain onchain web3 nft nfts wallet wallets stablecoin stablecoins
    protocol""")
)
# Words right after a ticker that mark it as a ticker ("SOL price", "LINK holders").
TICKER_NEXT_WORDS = frozenset(
    str.split("""token tokens coin coins price prices holders holder futures perpetual perpetuals
    perps etf etfs staking whales supply""")
)
# Present-tense verbs that make a sentence-initial common word a firm ("Strategy says",
# "Circle plans"): reporting and corporate-action verbs.
FIRM_VERBS = frozenset(
    str.split("""say announce report plan hold own buy acquire add file expect raise sell launch
    issue disclose claim note state tell confirm intend seek reveal estimate predict warn argue
    purchase increase reduce partner list invest""")
)
_EXCHANGE_PREFIX = re.compile(r"(?:NASDAQ|Nasdaq|NYSE|NYSEARCA|CBOE|Cboe|AMEX|TSX|OTC)\s*:\s*$")


def english_words(nlp: Language) -> frozenset[str]:
    """Common English words from the pipeline's lemmatizer tables (empty when it has none)."""
    if "lemmatizer" not in nlp.component_names:
        return frozenset()
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return frozenset()
    index = lookups.get_table("lemma_index")
    words: set[str] = set()
    for pos in ("noun", "verb", "adj", "adv"):
        words.update(w for w in index.get(pos, []) if "_" not in w)
    return frozenset(words)


def is_shouting(sentence: str) -> bool:
    """Whether a sentence is mostly upper case (a heading), so case carries no signal."""
    letters = [c for c in sentence if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.6


@dataclass(frozen=True)
class TickerContext:
    """What surrounds a ticker-shaped token in the text."""

    text: str
    start: int
    end: int

    def cashtag(self) -> bool:
        """$SOL: a dollar sign glued to the ticker."""
        return self.start > 0 and self.text[self.start - 1] == "$"

    def parenthesized(self) -> bool:
        """(SOL) or (NASDAQ: COIN)."""
        before = self.text[max(0, self.start - 12) : self.start]
        after = self.text[self.end : self.end + 1]
        return (before.endswith("(") and after == ")") or bool(_EXCHANGE_PREFIX.search(before))

    def paired(self, tickers: Iterable[str]) -> bool:
        """SOL-USDT, ETH/SOL: another ticker or a quote currency glued by - or /."""
        known = set(tickers) | QUOTE_CURRENCIES
        after = re.match(r"[-/]([A-Z0-9]{2,10})\b", self.text[self.end : self.end + 12])
        before = re.search(
            r"\b([A-Z0-9]{2,10})[-/]$", self.text[max(0, self.start - 12) : self.start]
        )
        return bool((after and after.group(1) in known) or (before and before.group(1) in known))

    def quantity(self) -> bool:
        """500 SOL, 1.2 million LINK: a number right before the ticker."""
        before = self.text[max(0, self.start - 24) : self.start]
        return bool(
            re.search(r"\d(?:[\d,.]*\d)?(?:\s*(?:[kKmMbB]|thousand|million|billion))?\s+$", before)
        )

    def next_word_marks_ticker(self) -> bool:
        """SOL price, LINK holders."""
        after = re.match(r"\s+([A-Za-z-]+)", self.text[self.end : self.end + 24])
        return bool(after and after.group(1).lower() in TICKER_NEXT_WORDS)


def ner_type(label: str, text: str) -> str | None:
    """The KB type for an unlinked spaCy entity, or None to drop it."""
    if label == "PERSON":
        return "PERSON"
    if label not in {"ORG", "GPE", "LOC", "FAC"}:
        return None
    if re.search(
        r"\b(?:Commission|Ministry|Department|Authority|Agency|Court|Senate|Congress|Parliament"
        r"|Government|Treasury|Central Bank|Bank of|Regulator|Council)\b",
        text,
    ):
        return "GOV_BODY"
    if re.search(
        r"\b(?:Inc|Corp|Corporation|Ltd|LLC|Group|Holdings|Capital|Research|Labs|Ventures"
        r"|Partners|Markets|Securities|Management|Technologies|Digital|Financial|Bank|Fund)\b",
        text,
    ):
        return "COMPANY"
    return "ORGANIZATION"


# Currency words that name the currency only as "the dollar" used on its own ("the dollar
# weakened"), not in "dollar amounts", "billion-dollar" or "the dollar peg".
GUARDED_WORDS = frozenset({"dollar", "yen", "euro"})


def guarded_word_ok(span: Span) -> bool:
    """Whether a bare currency word follows "the" and is not a modifier of the next noun."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if before is None or before.lower_ != "the":
        return False
    return after is None or not (after.tag_ in {"NN", "NNS", "HYPH"} or after.text == "-")


# Gauges a generic inflation phrase may refer to: (CPI reading, PCE reading).
_INFLATION_PAIRS = {"macro:cpi": "macro:pce", "macro:core-cpi": "macro:core-pce"}
_GAUGE_WORDS = re.compile(r"\b(?:CPI|PCE|consumer price|personal consumption)", re.IGNORECASE)


def generic_inflation_swap(
    surface: str, entity_id: str | None, named: list[tuple[str, str | None]]
) -> str | None:
    """The PCE id for a generic "core/headline inflation" linked to CPI when the article names
    PCE and never CPI; None when the link stands."""
    if entity_id not in _INFLATION_PAIRS or _GAUGE_WORDS.search(surface):
        return None
    gauges = {eid for text, eid in named if _GAUGE_WORDS.search(text)}
    pce = set(_INFLATION_PAIRS.values())
    if gauges & pce and not gauges & set(_INFLATION_PAIRS):
        return _INFLATION_PAIRS[entity_id]
    return None
