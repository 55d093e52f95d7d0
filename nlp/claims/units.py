"""Implied units: the unit of a number the text leaves bare, read from its metric and context.

Commentary (often translated) drops the currency: "longs lost 1.3 billion in the flush", "Tesla's
market value climbed to 1.2 trillion", "SOL at a 180 cost basis", "he spent 2.5 million buying
ETH"; and a list about an asset drops the ticker: "coins seized so far: • Group A: 50,000".
`infer_unit(frame, unit, context)` returns the unit such a number is in and the name of the rule
that read it (None when nothing was inferred). An explicit unit is never changed.

The rules are data: ordered tables of (name, pattern, kind), the first match wins. A `money`
rule gives the currency of the context (USD unless the sentence, or else the text, names another
one: yuan, euros, ...); an `asset` rule gives the asset the context names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from nlp.claims.frames import Frame
from nlp.claims.numbers import ASSET_UNITS, Quantity
from nlp.types import EntityMention

# Kinds of unit a rule gives.
MONEY = "money"
ASSET = "asset"
PRICE = "price"  # money per coin: any size of number, but an asset must be in the sentence

# The tickers and lower-case names of the assets a count can be in ("BTC", "bitcoin").
_ASSET_WORDS = "|".join(sorted((re.escape(k) for k in ASSET_UNITS), key=len, reverse=True))
# tickers as written (upper case), names in any case
_ASSET_CASED = (
    "|".join(sorted((re.escape(k) for k in ASSET_UNITS if k.isupper()), key=len, reverse=True))
    + "|(?i:"
    + "|".join(k for k in ASSET_UNITS if not k.isupper())
    + ")"
)
_ASSET_AFTER = re.compile(
    r"[ \t]+(?i:(?:more|additional|extra|new|fresh|of)\s+){0,2}"
    rf"(?P<asset>{_ASSET_CASED})(?![\w-])"
)
# A market recap line: "Btc: 81.6k (-11%) | Eth: 2665": the asset's price.
_RECAP_LABEL = re.compile(rf"(?:^|[\n|•,;(.])\s*(?P<asset>{_ASSET_WORDS})\s*[:：]\s*$", re.I)
# A list item "Group A: 50,000" (the label before the number on its line or after a bullet).
_LIST_ITEM = re.compile(r"(?:^|[\n•·▪*-])\s*[\w .'’&()/-]{1,40}[:：]\s*$")
# The heading of a list of coins: "coins seized so far:", "BTC holdings by group:".
_COIN_HEADING = re.compile(
    rf"(?P<head>\b(?:(?i:coins?|tokens?)|{_ASSET_CASED})\b[^\n:：]{{0,60}})[:：]\s*(?:\n|•|·|▪|\*|-)"
)

# (rule name, pattern over the words around the number, kind). Money first by what the number
# measures, then the verbs of spending, then prices. Patterns read lower-cased text.
UNIT_RULES: list[tuple[str, re.Pattern[str], str]] = [
    (name, re.compile(pattern), kind)
    for name, pattern, kind in [
        ("coins_after", r"^\s*(?:coins|tokens)\b", ASSET),
        (
            "market_value",
            r"\bmarket (?:cap(?:itali[sz]ation)?|value)\b|\bvaluation\b|\bvalued at\b"
            r"|\bworth (?:of )?(?:about |around |nearly |over |some )?#n#",
            MONEY,
        ),
        ("liquidations", r"\bliquidat\w*|\bwiped out\b|\bblown up\b|\bflush\w*\b", MONEY),
        (
            "losses",
            r"\b(?:longs?|shorts?|bulls|bears|traders|investors|holders|whales) "
            r"(?:have |had )?(?:lost|bled|dropped)\b|\blos(?:s|ses|t|ing)\b|\bdrained\b"
            r"|\bdisappeared\b|\bevaporated\b|\bwiped\b"
            r"|\bhack\w*\b|\bexploit\w*\b|\bstolen\b|\bheist\b",
            MONEY,
        ),
        (
            "flows",
            r"\b(?:net )?(?:out|in)flows?\b|\bflow(?:ed|s)? (?:in|out)\b|\bredemptions?\b"
            r"|\bpull(?:ed|s|ing)? #n# (?:out|from)\b|\bwithdr[ae]w\w*\b",
            MONEY,
        ),
        (
            "spending",
            r"\b(?:spen[dt]|spending|paid|pays?|paying|invest(?:ed|s|ing)?|raised?|raising"
            r"|funding|fined?|penalty|costs?|costing|revenue|sales of|income|earn(?:ed|ings)?"
            r"|profits?|budget|fees?|deficit|debt|bailout|stimulus|capex|cashed out|proceeds)\b",
            MONEY,
        ),
        (
            "balances",
            r"\b(?:balance|general account|assets under management|aum|net assets|fund size"
            r"|liquidity|cash)\b",
            MONEY,
        ),
        (
            "price",
            r"\bcost basis\b|\baverage (?:cost|price)\b|\bentry\b|\bpric(?:e|ed|es)\b"
            r"|\brealized price\b|\b(?:bought|sold|buy|sell|entered|exited) (?:\w+ )?(?:at|near)"
            r"(?: an? (?:average |price )?(?:of )?)?\s*(?:about |around )?#n#",
            PRICE,
        ),
    ]
]
# "fell 5% to 98,000", "(+12%) to 180": the level after a move in percent is a price.
_MOVE_TO = re.compile(r"\d ?(?:%|percent)\)? to (?:about |around |roughly )?$")
# Currencies the context may name instead of dollars (sentence first, then the whole text).
CONTEXT_CURRENCIES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.IGNORECASE), code)
    for p, code in [
        (r"\byuan\b|\brmb\b|\bcny\b|\brenminbi\b|人民币", "CNY"),
        (r"\beuros?\b|€|\beur\b", "EUR"),
        (r"\bjapanese yen\b|\byen\b|\bjpy\b", "JPY"),
        (r"\bpounds sterling\b|£|\bgbp\b", "GBP"),
        (r"\bkorean won\b|\bkrw\b|₩", "KRW"),
        (r"\bhong kong dollars?\b|\bhk\$|\bhkd\b", "HKD"),
        (r"\brubles?\b|\broubles?\b|\brub\b", "RUB"),
    ]
]
_DOLLARS = re.compile(r"\$|\busd\b|\bdollars?\b|\busdt\b|\busdc\b", re.IGNORECASE)
# A plural noun right after the number counts things ("120,000 traders"): no money there.
_COUNTED = re.compile(
    r"^\s+(?:(?!(?:in|of|for|to|on|at|from|by|with|into|as|was|is|and|or|but|while)\b)[a-z]+[-\s])?"
    r"(?P<noun>[a-z]{3,}s)\b"
)
_NOT_NOUNS = {"was", "has", "this", "its", "plus", "across", "thus", "less", "as", "is"}
# Not money: counts of things named before the number ("daily transactions hit 543,000", "the
# number of liquidated traders"), units of other things after it ("248 EH/s", "1,000 points").
COUNT_BEFORE = re.compile(
    r"\bnumber of\b|\b(?:transactions|addresses|users|nodes|blocks|followers"
    r"|downloads|participants|hash ?rate|difficulty)\b[^.;:]{0,80}$"
)
COUNT_AFTER = re.compile(
    r"^\s*(?:[EPTGM]H/s|[EPTGM]H\b|points?\b|pts\b|gwei\b|sats?\b|(?:exa|peta|tera)hash)", re.I
)
# A code written before the number ("ETH 17,422", "BTC 480", "ARS 13.5 million"): that unit.
CODES_BEFORE = {
    **{t: t for t in ASSET_UNITS.values()},
    **{c: c for c in ("ARS", "RUB", "TWD", "BRL", "INR", "TRY", "NGN", "AUD", "CAD", "CHF")},
    **{c: c for c in ("CNY", "HKD", "SGD", "KRW", "JPY", "GBP", "EUR", "RMB", "VND", "THB")},
}
_CODE_BEFORE = re.compile(r"\b(?P<code>[A-Z]{2,5})\s+$")
# Numbers too small or too vague for money by nature (a scale word or four digits needed).
_MIN_AMOUNT = 1000.0
# "$20k and 1k": the number follows another through a comma, "and" or "or" only.
_LIST_GAP = re.compile(r"\s*(?:,|and|or|, and|/)\s*")


@dataclass
class UnitContext:
    """What the rules read beyond the frame: the text, the sentence and the assets named."""

    text: str
    sentence: tuple[int, int]
    assets: list[EntityMention] = field(default_factory=list)  # the sentence's asset mentions
    text_asset: str | None = None  # the asset the whole text names most often
    text_currency: str = "USD"  # the currency of the whole text (`text_currency`)
    previous_unit: str | None = None  # the unit of the number before it in the sentence


def asset_unit(word: str) -> str:
    """The unit of an asset word as written ("BTC", "Btc", "bitcoins" -> "BTC")."""
    for key in (word, word.upper(), word.lower()):
        if key in ASSET_UNITS:
            return ASSET_UNITS[key]
    return word.upper()


def _ticker(mention: EntityMention) -> str:
    """The ticker of an asset mention ("crypto:btc" -> "BTC")."""
    for key in (mention.text, mention.text.lower()):
        if key in ASSET_UNITS:
            return ASSET_UNITS[key]
    ident = mention.entity_id or mention.name
    return ident.rsplit(":", 1)[-1].upper()


def _sentence_asset(frame: Frame, ctx: UnitContext) -> str | None:
    """The asset the number's sentence names nearest before the number (else after it)."""
    before = [m for m in ctx.assets if m.start < frame.quantity.start]
    pick = before[-1] if before else (ctx.assets[0] if ctx.assets else None)
    return _ticker(pick) if pick else None


def text_asset(assets: list[EntityMention]) -> str | None:
    """The asset a text's CRYPTO_ASSET mentions name most often."""
    counts = Counter(_ticker(m) for m in assets)
    return counts.most_common(1)[0][0] if counts else None


def _currency_named(scope: str) -> str | None:
    """The one currency a stretch of text names: USD where dollars are written, else a single
    other currency named (yuan, euros...), else None."""
    if _DOLLARS.search(scope):
        return "USD"
    named = {code for pattern, code in CONTEXT_CURRENCIES if pattern.search(scope)}
    return named.pop() if len(named) == 1 else None


def text_currency(text: str) -> str:
    """The currency of bare money in a text: USD unless the text names one other currency."""
    return _currency_named(text) or "USD"


def context_currency(ctx: UnitContext) -> str:
    """The currency of bare money: the sentence's if it names one, else the text's."""
    return _currency_named(ctx.text[ctx.sentence[0] : ctx.sentence[1]]) or ctx.text_currency


def _counts_things(frame: Frame) -> bool:
    """Whether a plural noun right after the number says what is counted ("5,000 traders")."""
    m = _COUNTED.match(frame.tail.lower())
    if m is None or m["noun"] in _NOT_NOUNS:
        return False
    return not re.fullmatch(rf"(?i:{_ASSET_WORDS})", m["noun"])


def _written_unit(q: Quantity) -> bool:
    """Whether the number's own text writes a unit ("$20k", "10 million ADA"; not "1 million")."""
    rest = re.sub(
        r"(?i)[\d.,\s]|thousand|million|billion|trillion|hundred|\b(?:bn|mn|mln|tn)\b"
        r"|(?<=\d)[kmbt]\b",
        "",
        q.text,
    )
    return bool(rest)


def _from_list(frame: Frame, ctx: UnitContext) -> tuple[str, str] | None:
    """A count in a list about an asset ("coins seized so far: • Group A: 50,000")."""
    q = frame.quantity
    line = ctx.text[max(0, q.start - 60) : q.start]
    if not _LIST_ITEM.search(line):
        return None
    heading = None
    for m in _COIN_HEADING.finditer(ctx.text[max(0, q.start - 400) : q.start]):
        heading = m
    if heading is None:
        return None
    named = re.search(rf"\b(?P<a>{_ASSET_CASED})\b", heading["head"])
    if named:
        return asset_unit(named["a"]), "asset list"
    asset = ctx.text_asset
    return (asset, "asset list") if asset else None


@dataclass(frozen=True)
class UnitReading:
    """The unit of a number, the rule that read it (None: as scanned) and whether it is implied."""

    unit: str
    rule: str | None = None
    inferred: bool = False


def infer_unit(frame: Frame, unit: str, ctx: UnitContext) -> UnitReading:
    """The unit of the number of `frame` whose unit so far is `unit` (from the scan, or the
    price rule for a bare number)."""
    q = frame.quantity
    if not q.bare:
        if q.qualifier == "range_lower" and unit in ASSET_UNITS.values() and not _written_unit(q):
            return UnitReading(unit, "range: the upper bound's asset", inferred=True)
        return UnitReading(unit)
    left = ctx.text[max(0, q.start - 8) : q.start]
    code = _CODE_BEFORE.search(left)
    if code and code["code"] in CODES_BEFORE:
        return UnitReading(CODES_BEFORE[code["code"]], "code written before the number")
    if COUNT_AFTER.match(frame.tail) or COUNT_BEFORE.search(frame.sentence_left[-120:].lower()):
        return UnitReading("COUNT", "a count of things" if unit != "COUNT" else None)
    if unit != "COUNT":  # a bare number the price rules read as dollars per coin
        return UnitReading(unit, "price of an asset (bare number)", inferred=True)
    found = _implied(frame, unit, ctx)
    return UnitReading(found[0], found[1], inferred=True) if found else UnitReading(unit)


def _implied(frame: Frame, unit: str, ctx: UnitContext) -> tuple[str, str] | None:
    """(unit, rule) of a bare count that context says is money or coins, else None."""
    q = frame.quantity
    after = _ASSET_AFTER.match(ctx.text, q.end, q.end + 40)
    if after:
        return asset_unit(after["asset"]), "asset named after the number"
    recap = _RECAP_LABEL.search(ctx.text[max(0, q.start - 20) : q.start])
    if recap and not q.written:
        return context_currency(ctx), "market recap: price after the asset's label"
    if ctx.previous_unit not in {None, "COUNT"} and _LIST_GAP.fullmatch(frame.left):
        return ctx.previous_unit, "shares the unit of the number before it"
    listed = _from_list(frame, ctx)
    if listed:
        return listed
    if (q.written and q.scale == 1.0) or _counts_things(frame):
        return None
    if _MOVE_TO.search(frame.sentence_left) and q.scale == 1.0 and _sentence_asset(frame, ctx):
        return context_currency(ctx), "price: the level a move in percent reached"
    return _from_rules(frame, ctx)


def _from_rules(frame: Frame, ctx: UnitContext) -> tuple[str, str] | None:
    """The first UNIT_RULES row whose pattern is in the words around the number."""
    q = frame.quantity
    left = " ".join(frame.left[-60:].lower().split())
    right = " ".join(frame.right[:40].lower().split())
    for name, pattern, kind in UNIT_RULES:
        text = right if name == "coins_after" else f"{left} #n# {right}"
        if name == "price":
            text = f"{left} #n# {' '.join(right.split()[:2])}"
        if not pattern.search(text):
            continue
        if kind == ASSET:
            asset = _sentence_asset(frame, ctx) or ctx.text_asset
            if asset:
                return asset, f"{name}: coins of the asset named"
            continue
        if kind == PRICE:
            if _sentence_asset(frame, ctx) and q.scale == 1.0:
                return context_currency(ctx), f"{name}: the price of an asset"
            continue
        if q.value >= _MIN_AMOUNT or q.scale > 1.0:
            return context_currency(ctx), f"{name}: money by nature"
    return None
