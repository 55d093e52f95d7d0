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


def title_case(sentence: str) -> bool:
    """Whether a sentence is a headline: no closing punctuation and its longer words mostly
    capitalized, so capitals are no sign of a name."""
    if re.search(r"[.!?:\"”’)]\s*$", sentence):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", sentence) if len(w) >= 4]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) >= 0.8


# A singular ETF phrase after a word that makes it one fund ("a spot bitcoin ETF", "the first
# spot Bitcoin ETF", "Grayscale's spot bitcoin ETF", "that bitcoin ETF") is that fund, often a
# hypothetical one, not the group of listed funds; "bitcoin ETF flows" is still the group.
_ONE_FUND_BEFORE = re.compile(
    r"(?:\b(?:a|an|any|one|first|new|another|that|this|its|their|own|proposed|potential)"
    r"|(?<!\bworld)(?<!\bindustry)(?<!\bmarket)(?<!\bnation)['’]s)\s+(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_SINGULAR_FUND = re.compile(r"(?:ETF|ETP|[Ff]und)$")
_GROUP_NOUN_AFTER = re.compile(
    r"\s+(?:flows?|inflows?|outflows?|market|holdings|issuers?|demand|volumes?|trading|space"
    r"|industry|complex|sector|buying|selling)\b"
)


def one_fund(text: str, start: int, end: int) -> bool:
    """Whether a singular ETF-group phrase names one fund rather than the group."""
    if not _SINGULAR_FUND.search(text[start:end]) or _GROUP_NOUN_AFTER.match(text, end):
        return False
    if re.match(r"(?:US|U\.S\.)\b", text[start:end]):
        return False
    return bool(_ONE_FUND_BEFORE.search(text[max(0, start - 40) : start]))


# The company reading of a name shared with its token ("Tether said", "Tether's CTO").
_ISSUER_AFTER = re.compile(
    r"(?:['’]s\s+(?:[\w-]+\s+){0,2}?(?:CEO|CTO|CFO|COO|chief|officers?|executives?|founders?"
    r"|co-founders?|spokes(?:person|man|woman)|statement|announcement|attestations?|reports?"
    r"|reserves|profits?|earnings|revenue|board|management|team|investments?|plans?|lawyers?"
    r"|subsidiary|parent|headquarters|shareholders?|general\s+counsel)\b"
    r"|\s+(?:CEO|CTO|CFO|chief|executives?|officials?|spokes(?:person|man|woman))\b"
    r"|\s+(?:(?:has|had|also|now|then)\s+){0,2}(?:said|says|announced|announces|plans"
    r"|planned|revealed|reveals|reported|reports|confirmed|confirms|expects|intends|launched"
    r"|launches|invested|invests|bought|buys|purchased|disclosed|discloses|posted|recorded|earned"
    r"|hired|appointed|stated|told|noted|added|denied|denies|claims|claimed)\b"
    r"|\s+(?:will|would|is|was|has\s+been)\s+(?:invest|investing|planning|committed|allocat\w+|buy"
    r"|buying|launching|building|expanding|leading|developing|partnering|working|hiring|seeking"
    r"|moving|entering|backing|funding|facing|being\s+sued)\b"
    r"|,\s+(?:the|a)\s+(?:company|firm|issuer|operator|stablecoin\s+issuer)\b)"
)
_ISSUER_BEFORE = re.compile(
    r"(?:\b(?:CEO|CTO|CFO|COO|chief\s+\w+\s+officer|founder|co-founder|executives?|officials?"
    r"|spokes(?:person|man|woman)|shareholders?|lawyers?)\s+(?:of|at|for)\s+)$"
)
# Clause words that make a shared name the company ("Tether reached a record net profit").
_ISSUER_CLAUSE = re.compile(r"\b(?:net\s+profits?|profits?|earnings|revenue|attestation)\b")
_TOKEN_CLAUSE = re.compile(
    r"\b(?:market\s+cap\w*|supply|peg|de-?peg\w*|circulation|price|trading|volume|dominance)\b"
)


def issuer_reading(text: str, start: int, end: int) -> bool:
    """Whether a name shared by a token and its issuer ("Tether") means the company here."""
    if _ISSUER_BEFORE.search(text[max(0, start - 40) : start]):
        return True
    after = text[end : end + 120]
    clause = re.split(r"[.;:!?,\n]", after, maxsplit=1)[0]
    if _TOKEN_CLAUSE.search(clause) and not re.match(r"['’]s\s+(?:CEO|CTO|CFO|chief)", after):
        return False
    return bool(_ISSUER_AFTER.match(after) or _ISSUER_CLAUSE.search(clause))


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
