"""Lexical rules over a claim's parse context: metric, direction and claim type.

The cue text of a claim is built from the dependency parse (governing verb, the noun the number
measures, the verb's subject) plus the clause words right before the number; see
`nlp.claims.frames`. Rules are ordered lists of (label, pattern); the first match wins.
"""

from __future__ import annotations

import re

# "average price", "average purchase price": also how a per-coin USD level is told apart
AVERAGE_PRICE = r"\baverage (?:purchase |buying |selling |entry )?price\b"
METRIC_RULES: list[tuple[str, re.Pattern[str]]] = [
    (m, re.compile(p))
    for m, p in [
        (
            "hack_loss",
            r"\b(?:hack|hacked|exploit|exploited|stolen|heist|attack(?:ed)?|drained from)",
        ),
        ("liquidations", r"\bliquidat"),
        ("net_flow", r"\bnet (?:in|out)?flows?\b|\bnet (?:buying|selling)\b"),
        ("outflow", r"\boutflows?\b|\bflow(?:ed|s)? out\b|\bredemptions?\b|\bwithdraw"),
        (
            "inflow",
            r"\binflows?\b|\bflow(?:ed|s)? in(?:to)?\b|\b(?:t[ao]ok|takes?|taking|dr[ae]w\w*"
            r"|pull(?:ed|s|ing)?) in\b",
        ),
        ("aum", r"\bassets under management\b|\baum\b|\bnet assets\b"),
        ("share_of_supply", r"\bof (?:the |its |total |all )*(?:circulating |total )?supply\b"),
        ("share_of_market", r"\bmarket share\b|\bshare of the market\b|\bdominance\b"),
        ("average_cost", r"\bcost basis\b|\baverage cost\b|\brealized price\b|\bcost of\b"),
        ("average_price", AVERAGE_PRICE),
        (
            "purchase_cost",
            r"\b(?:aggregate|total|combined|cumulative) (?:purchase )?(?:price|cost)\b",
        ),
        ("market_cap", r"\bmarket cap(?:itali[sz]ation)?\b|\bvaluation\b|\bvalued at\b"),
        ("open_interest", r"\bopen interest\b"),
        ("volume", r"\bvolumes?\b|\bturnover\b"),
        ("rate", r"\b(?:rate|rates|yield|yields|sofr|apy|apr|funding)\b"),
        ("balance", r"\bbalance\b"),
        ("sold_amount", r"\bsold\b|\bsell|\bsales\b|\bdump|\boffload|\bcashed out\b|\bdistribut"),
        ("bought_amount", r"\bbought\b|\bbuy|\bpurchas|\bacquir|\baccumulat"),
        ("holdings", r"\bhold(?:s|ing|ings)?\b|\bheld\b|\bowns?\b|\breserves?\b|\btreasury\b"),
        ("transfer_amount", r"\btransfer|\bmoved\b|\badjustments?\b|\bdeposit"),
        ("loss", r"\bloss(?:es)?\b|\blost\b|\blosing\b|\bdisappeared\b|\bwiped\b|\bdrain"),
        ("profit", r"\bprofits?\b|\bin the green\b|\bgains?\b(?! of)"),
        ("fee", r"\bfees?\b"),
        ("supply", r"\bminted\b|\bburn(?:ed|t)?\b|\bissued\b|\bsupply\b"),
    ]
]

DOWN = re.compile(
    r"\b(?:outflows?|flow(?:ed|s)? out|withdr[ae]w\w*|redemptions?|sold|sell\w*|sales|dump\w*"
    r"|liquidat\w*|loss(?:es)?|lost|losing|hack\w*|exploit\w*|stolen|drain\w*|disappear\w*|wiped"
    r"|fell|fall|falls|falling|drop|drops|dropped|dropping|declin\w*|plung\w*|slump\w*|slid|slide"
    r"|tumbl\w*|crash\w*|down|lower|decreas\w*|shed|bleed\w*|cashed out|below|under|low|lows"
    r"|support|breakdown|correction|sink\w*|sank|dipp?\w*|retreat\w*|slash\w*|cut|cuts"
    r"|moderat(?:es|ed|ing)|cool(?:s|ed|ing)|eas(?:es|ed|ing)|(?:moderate|cool|ease)(?=\s+to\b))\b"
)
UP = re.compile(
    r"\b(?:inflows?|flow(?:ed|s)? in|bought|buy\w*|purchas\w*|accumulat\w*|rose|rise|rises|rising"
    r"|gain\w*|surg\w*|jump\w*|climb\w*|rall\w*|soar\w*|increas\w*|up|higher|record|all-time high"
    r"|high|highs|profits?|added|adding|resistance|rebound\w*|recover\w*|spik\w*|grew|grow\w*"
    r"|above|peak\w*|hike\w*|raised?|lift(?:s|ed|ing)?|bounc\w*)\b"
)
FLOW_NOUN = re.compile(r"\b(?:outflows?|inflows?|flows?|sales|selling|sell-off|liquidations?)\b")

MODAL = re.compile(
    r"\b(?:will|may|might|could|would|should|can|expects?|(?<!as )expected|forecasts?|predicts?"
    r"|predicted|projected|projects to|likely to|set to|poised to|going to|on track to"
    r"|aims? to|eyeing|targeting|targeted|prospects? for|sees? \w+ (?:reaching|hitting)|warns?"
    r"|expectations? (?:for|of))\b"
)
THRESHOLD = re.compile(
    r"\b(?:support|resistance|mark|level|levels|cost basis|threshold|battleground|line|floor"
    r"|ceiling|barrier|psychological|key|fail(?:ed|ing|s)? to hold|hold above|holds above"
    r"|stay above|reclaim\w*|regain\w*|break(?:s|ing)? (?:above|below)|breaks? through)\b"
)
HISTORICAL = re.compile(
    r"\b(?:historically|in the past,|previous cycles?|prior cycles?|last cycle"
    r"|past (?:(?:two|three|four|few|\d) )?(?:market |bull |bear )?cycles"
    r"|back in (?:(?:19|20)\d\d|the day|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"|in (?:19|20)\d\d)\b"
)
RECORD = re.compile(r"\b(?:record high|all-time high|ath|record low|all-time low|peak)\b")
PRICE_CUE = re.compile(
    r"\b(?:(?:fall|fell|falls|falling|drop\w*|ris\w*|rose|climb\w*|slid\w*|jump\w*|surg\w*|rall\w*"
    r"|plung\w*|tumbl\w*|sink\w*|sank|reach\w*|test\w*|trad\w*|hit|hits|recover\w*|rebound\w*"
    r"|soar\w*|dip\w*|crash\w*|head\w*|mov\w*|return\w*|retreat\w*|spik\w*)\s+(?:back\s+|[\d.,]+%\s+)?"
    r"(?:to|toward|towards|at|near|around|above|below|under|over)|price|prices|priced"
    r"|trad(?:e|es|ed|ing) (?:at|above|below|near|around)|fell to|fall to"
    r"|falls to|dropped to|drop to|rose to|rise to|climbed to|hit|hits|reached|reach|touched"
    r"|test|tests|support|resistance|level|mark|above|below|high of|low of|reclaim\w*|broke"
    r"|break|as low as|as high as|up to|down to|cost basis|worth|valued at|around|near|target"
    r"|changing hands|moving averages?|highs|lows|last (?:in|at|around|near|trading))\b"
)


def match_first(rules: list[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    """The label of the first rule whose pattern occurs in `text`."""
    for label, pattern in rules:
        if pattern.search(text):
            return label
    return None


# "support-turned-resistance" names a level, not a move
_TURNED = re.compile(r"\b\w+-turned-\w+\b")


def last_cue(text: str) -> str | None:
    """The direction of the cue word nearest the end of `text` ("up", "down") or None."""
    text = _TURNED.sub(lambda m: " " * len(m.group(0)), text)
    best: tuple[int, str] | None = None
    for label, pattern in (("down", DOWN), ("up", UP)):
        for m in pattern.finditer(text):
            if best is None or m.start() > best[0]:
                best = (m.start(), label)
    return best[1] if best else None
