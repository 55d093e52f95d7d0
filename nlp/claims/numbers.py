"""Find and normalize the numbers in text: money, percentages, basis points, coins, durations.

`find_quantities(text, published=None)` scans raw text (not tokens, so "$1.63 billion" and
"14.4 to 14.6 million BTC" keep their exact offsets) and returns one `Quantity` per number
expression, with the value in its unit, the hedge qualifier and range bounds. Traps that are
not quantities are skipped: dates, years used as names, clock times, time zones, list markers,
quoted event labels ("10.11", "312"), windows such as "in the past 30 days", names with digits
("21Shares", "10x Research", "S&P 500", "ERC-20"), adjectival durations ("5-year").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from nlp.claims.numwords import FRACTIONS, SCALES, WORD_NUMBER, word_to_number
from nlp.claims.periods import TimeExpression, find_time_expressions
from nlp.entities.kb import KnowledgeBase

# Crypto assets read as the unit of a quantity ("2,043 BTC"): the tickers of the knowledge-base
# entities tagged `unit`, and the names written in lower case. USDT and USDC read as dollars
# (CURRENCY_WORDS).
ASSET_UNITS = {
    **{t: t for t in KnowledgeBase.builtin().tagged_tickers("unit")},
    "bitcoin": "BTC",
    "bitcoins": "BTC",
    "ether": "ETH",
    "ethers": "ETH",
    "ethereum": "ETH",
    "solana": "SOL",
}
CURRENCY_SIGNS = {
    "$": "USD",
    "US$": "USD",
    "USD": "USD",
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "GBP": "GBP",
    "¥": "JPY",
    "₩": "KRW",
    "A$": "AUD",
    "C$": "CAD",
    "HK$": "HKD",
    "S$": "SGD",
}
CURRENCY_WORDS = {
    "dollar": "USD",
    "us dollar": "USD",
    "usd": "USD",
    "usdt": "USD",
    "usdc": "USD",
    "euro": "EUR",
    "eur": "EUR",
    "pound": "GBP",
    "gbp": "GBP",
    "yen": "JPY",
    "jpy": "JPY",
    "yuan": "CNY",
    "cny": "CNY",
    "rmb": "CNY",
    "won": "KRW",
    "krw": "KRW",
}
DURATION_UNITS = {
    "hour": "HOURS",
    "day": "DAYS",
    "week": "DAYS",
    "month": "MONTHS",
    "year": "YEARS",
}

_ASSET_ALT = (
    "|".join(sorted((k for k in ASSET_UNITS if k.isupper()), key=len, reverse=True))
    + r"|(?i:bitcoins?|ethers?|ethereum|solana)"
)
_H = r"[^\S\n]"  # a space on the same line: no unit or scale from the next line
_CUR_ALT = rf"US\$|A\$|C\$|HK\$|S\$|\$|€|£|¥|₩|(?:USD|EUR|GBP){_H}?"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_SCALE = (
    rf"(?:{_H}?(?P<sca>bn|Bn|BN|mn|Mn|mln|tn)(?![A-Za-z])|(?P<scl>[kKmMbBtT])(?![A-Za-z])"
    rf"|{_H}?-?{_H}?(?P<scw>(?i:thousand|million|billion|trillion|hundred))\b)"
)
_UNIT = (
    rf"(?:{_H}?(?P<pct>%|(?i:percent|per{_H}?cent|pct|percentage{_H}+points?)\b)"
    rf"|{_H}(?P<bps>(?i:basis{_H}+points?|bps|bp))\b"
    rf"|(?P<mult>[xX×])(?![\w])(?!{_H}+[A-Z])"
    rf"|{_H}(?P<curw>(?:US{_H})?dollars?|USD|USDT|USDC|euros?|EUR|pounds?|GBP|yen|JPY|yuan|CNY|RMB"
    r"|won|KRW)\b"
    rf"|{_H}(?P<asset>{_ASSET_ALT})(?:{_H}+(?:tokens|coins))?\b"
    rf"|{_H}(?P<dur>(?i:(?:(?:trading|consecutive|calendar|straight){_H}+)?(?:hours?|days?|weeks?"
    r"|months?|years?)))\b)"
)
_UNIT_RE = re.compile(_UNIT)
_QUANTITY_RE = re.compile(
    rf"(?<![\w.,])(?P<ord>\d{{1,4}})(?:st|nd|rd|th){_H}(?P<ordu>day|week|month|year)\b|"
    rf"(?P<cur>{_CUR_ALT})?(?<![\w.,])(?P<num>{_NUM})(?:{_SCALE})?"
    rf"|(?<![\w-])(?P<wnum>(?i:{WORD_NUMBER}))(?![\w-])"
    rf"(?:{_H}(?P<wsc>(?i:hundred|thousand|million|billion|trillion))\b)?"
    rf"|(?<![\w-])(?P<frac>(?i:{'|'.join(sorted(FRACTIONS, key=len, reverse=True))}))(?={_H}+of\b)",
)
_INDEX_NAME = re.compile(
    r"(?:S&P|Nasdaq|NASDAQ|Russell|FTSE|Dow|Stoxx|STOXX|Nikkei|CSI|DAX|CAC|KOSPI|Hang Seng|ASX"
    r"|Top|TOP)\s?$"
)
_TITLE_WORDS = (
    "As|At|To|In|On|Of|By|For|From|With|After|Before|Amid|Ahead|And|But|Or|While|Despite"
    "|Since|Until|Over|Under|Above|Below|Near|Into|Is|Are|Was|Were|Then|Following|Per"
)
_NAME_AFTER = re.compile(rf"{_H}(?!(?:{_TITLE_WORDS}){_H})[A-Z][a-z]+{_H}[A-Z]")
_LIST_MARKER = re.compile(r"(?:^|\n)[ \t]*(?:[-*•]\s*)?\(?$")

QUALIFIER_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("low", re.compile(r"(?i)\bas low as\s*$")),
    ("high", re.compile(r"(?i)\bas high as\s*$")),
    (
        "about",
        re.compile(
            r"(?i)(?:\b(?:about|around|roughly|approximately|approx\.|nearly|almost|close to"
            r"|some|an estimated|estimated|circa|just under|just shy of|an approximate)|~)\s*$"
        ),
    ),
    (
        "over",
        re.compile(
            r"(?i)(?:\b(?:over|more than|above|exceeded|exceeding|exceeds|exceed|at least"
            r"|upwards of|north of|in excess of|surpassed|surpassing|topped|topping|beyond"
            r"|greater than|higher than|just over)|>)\s*$"
        ),
    ),
    (
        "below",
        re.compile(
            r"(?i)(?:\b(?:below|under|less than|fewer than|at most|beneath|south of|lower than"
            r"|no more than|fail(?:ed|ing|s)? to (?:hold|defend|reclaim|regain|stay above)"
            r"(?: the)?)|<)\s*$"
        ),
    ),
]


@dataclass(frozen=True)
class Quantity:
    """A number expression: span, normalized value and unit, hedge and range role."""

    start: int
    end: int
    text: str
    value: float
    unit: str  # USD, EUR..., BTC..., PERCENT, BASIS_POINTS, COUNT, DAYS, MONTHS, YEARS, MULTIPLE
    qualifier: str | None = None  # about | over | below | low | high | range_lower | range_upper
    bare: bool = False  # no unit written: a count, or a price when context says so
    written: bool = False  # spelled out ("two", "half")
    change_role: str | None = None  # "from" / "to" in "from $30 billion to $100 billion"
    scale: float = 1.0  # scale word applied ("million" -> 1e6)


def parse_number(text: str) -> float | None:
    """The value of one number written in digits or words ("1,234.5", "two", "twenty-one")."""
    cleaned = text.replace(",", "").strip()
    try:
        return float(cleaned)
    except ValueError:
        return word_to_number(cleaned)


def _scale_of(m: re.Match[str]) -> float:
    """The multiplier of a matched scale word or suffix ("bn" -> 1e9)."""
    word = m["sca"] or m["scl"] or m["scw"] or m["wsc"]
    return SCALES[word.lower()] if word else 1.0


def _unit_of(m: re.Match[str], u: re.Match[str] | None) -> tuple[str, float, bool]:
    """(unit, extra factor, bare) of a matched number `m` and the unit `u` written after it."""
    if m["cur"]:
        return CURRENCY_SIGNS[m["cur"].strip()], 1.0, False
    if u is None:
        return "COUNT", 1.0, True
    for group, unit in (("pct", "PERCENT"), ("bps", "BASIS_POINTS"), ("mult", "MULTIPLE")):
        if u[group]:
            return unit, 1.0, False
    if u["curw"]:
        word = u["curw"].lower()
        word = CURRENCY_WORDS.get(word) or CURRENCY_WORDS.get(word.rstrip("s"), "USD")
        return word, 1.0, False
    if u["asset"]:
        key = u["asset"] if u["asset"] in ASSET_UNITS else u["asset"].lower()
        return ASSET_UNITS.get(key, u["asset"].upper()), 1.0, False
    if u["dur"]:
        word = u["dur"].split()[-1].lower().rstrip("s")
        return DURATION_UNITS[word], 7.0 if word == "week" else 1.0, False
    return "COUNT", 1.0, True


_NOT_PLURAL_NOUNS = {
    "was",
    "is",
    "has",
    "does",
    "as",
    "this",
    "its",
    "us",
    "plus",
    "thus",
    "across",
}
_RANGE_GAP = re.compile(
    r"\s*(?:to|and|through|-|–|—|/)\s*(?:(?:about|around|roughly|over|more than|nearly|almost"
    r"|under|below|above)\s+)?"
)
_BY_BEFORE = re.compile(r"\bby\s+$")
_FROM_BEFORE = re.compile(
    r"(?i)\bfrom\s+(?:the\s+)?(?:(?:about|around|roughly|over|nearly|almost|above|below|under"
    r"|just)\s+)*(?:(?:mid|low|high|upper|lower|sub)-)?$"
)
_BETWEEN_BEFORE = re.compile(r"(?i)\bbetween\s+(?:about |around |roughly )?$")


_LEVEL_PREFIX = re.compile(r"(?i)\b(sub|mid|low|high|upper|lower|near)-$")
_SLASH_UPPER = re.compile(r"\d{1,3}(?:,\d{3})+")


def _qualifier(text: str, start: int) -> str | None:
    """The hedge or comparator right before a number ("about", "over", "below", "low")."""
    prefix = _LEVEL_PREFIX.search(text[max(0, start - 8) : start])
    if prefix:
        return "below" if prefix.group(1).lower() == "sub" else "about"
    left = text[max(0, start - 40) : start]
    for name, pattern in QUALIFIER_CUES:
        if pattern.search(left):
            return name
    return None


def _glued(text: str, start: int, end: int) -> bool:
    """Digits glued to a name ("21Shares", "ERC-20", "Web3", "5-year", "24/7", "#1")."""
    before = text[start - 1] if start else " "
    before2 = text[start - 2] if start > 1 else " "
    after = text[end] if end < len(text) else " "
    after2 = text[end + 1] if end + 1 < len(text) else " "
    if before == "-" and _LEVEL_PREFIX.search(text[max(0, start - 8) : start]):
        before = " "  # "mid-$30,000s", "sub-$20,000"
    if before == "/" and re.search(r"\$\d{1,3}/$", text[max(0, start - 6) : start]):
        before = " "  # the upper bound of "$25/26,000s"
    if before.isalpha() or before in "#_/" or (before == "-" and before2.isalpha()):
        return True
    if after == "/" and text[start] == "$" and _SLASH_UPPER.match(text, end + 1):
        return False  # "$25/26,000s": a shorthand range
    if after == "s" and not after2.isalnum() and text[start:end].endswith("00"):
        return False  # "the $30,000s"
    if after.isalnum() or after in "_/" or (after == "-" and after2.isalpha()):
        return True
    return before2 == "." and before.isdigit()


def _is_trap(text: str, m: re.Match[str], end: int) -> bool:
    """Whether a digit match is a name, label, list marker, year or version, not a quantity."""
    raw = m["num"]
    if _glued(text, m.start("num") if not m["cur"] else m.start(), end):
        return True
    before = text[max(0, m.start() - 20) : m.start()]
    after = text[end : end + 2]
    if before.endswith(('"', "“")) and after[:1] in {'"', "”"}:
        return True  # a quoted label: "312", "10.11"
    if _LIST_MARKER.search(before) and re.match(r"[.)](?:\s|$)", after):
        return True
    if (
        not m["cur"]
        and end == m.end()
        and _NAME_AFTER.match(text[end : end + 30])
        and "," not in raw
    ):
        return True  # a name with a number in front: "3 Arrows Capital" (not "To 98,000 As ETF")
    if not m["cur"] and after[:1] == ")" and "(" not in before[-3:] and len(raw) <= 2:
        return True  # an inline list marker: "... in the form of 1) the 21DMA, 2) ..."
    if _INDEX_NAME.search(before) or (re.search(r"[A-Z]\w*\s$", before) and raw.endswith(".0")):
        return True
    plain = not (m["cur"] or m["sca"] or m["scl"] or m["scw"]) and end == m.end()
    if plain and re.fullmatch(r"(?:19|20)\d\d", raw):
        return True  # a year, even one used as a name ("the 2025 rally")
    return len(raw.replace(",", "").replace(".", "")) > 15


def _build(text: str, m: re.Match[str], **fields: object) -> Quantity | None:
    """A Quantity from a number match plus the unit written after it; None for traps."""
    u = _UNIT_RE.match(text, m.end())
    end = u.end() if u else m.end()
    if m["num"] and _is_trap(text, m, end):
        return None
    plural = not u and text[end : end + 1] == "s" and (m["num"] or "").endswith("00")
    end += 1 if plural else 0
    unit, factor, bare = _unit_of(m, u)
    scale = _scale_of(m)
    if m["num"]:
        number = float(m["num"].replace(",", ""))
        if m["scl"] and m["scl"] in "tT" and not (m["cur"] or u):
            return None  # "5t" alone is too ambiguous to read as trillions
    else:
        words = word_to_number(m["wnum"])
        if words is None or (bare and scale == 1.0 and not _counted_noun(text, end, m["wnum"])):
            return None
        number = words
    return Quantity(
        start=m.start(),
        end=end,
        text=text[m.start() : end],
        value=number * scale * factor,
        unit=unit,
        qualifier=_qualifier(text, m.start()) or ("about" if plural else None),
        bare=bare,
        scale=scale,
        **fields,  # type: ignore[arg-type]
    )


def _from_fraction(text: str, m: re.Match[str]) -> Quantity:
    """ "more than half of", "a third of": a share in percent."""
    return Quantity(
        start=m.start(),
        end=m.end(),
        text=m.group(0),
        value=FRACTIONS[m["frac"].lower()],
        unit="PERCENT",
        qualifier=_qualifier(text, m.start()),
        written=True,
    )


def _counted_noun(text: str, end: int, word: str) -> bool:
    """Whether a bare written number counts a plural noun right after it ("three funds")."""
    if word.lower() in {"one", "a couple of"}:
        return False
    words = re.findall(r"[A-Za-z-]+", text[end : end + 40])[:2]
    for i, noun in enumerate(words):
        plural = noun.endswith("s") and noun.lower() not in _NOT_PLURAL_NOUNS and len(noun) > 2
        if plural:
            return True
        if i == 0 and not noun.islower():
            return False
    return False


def _from_ordinal(m: re.Match[str]) -> Quantity:
    """A duration written as an ordinal ("its 35th day")."""
    unit = DURATION_UNITS[m["ordu"].lower()]
    factor = 7.0 if m["ordu"].lower() == "week" else 1.0
    return Quantity(m.start(), m.end(), m.group(0), float(m["ord"]) * factor, unit)


def _link_pairs(text: str, found: list[Quantity]) -> list[Quantity]:
    """Join "X to Y" / "between X and Y" ranges and "from X to Y" changes; share scale/unit."""
    out = list(found)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        gap = text[a.end : b.start]
        if a.qualifier == "range_upper" or a.change_role == "to":
            continue
        if not _RANGE_GAP.fullmatch(gap) or (gap.strip() == "and" and not _between(text, a)):
            continue
        if gap.strip() == "to" and _BY_BEFORE.search(text[max(0, a.start - 12) : a.start]):
            continue  # "lifted rates by 25 bps to 5.0-5.25%": a move and the level it reached
        if b.bare and not a.bare:
            if _destination(a, b):
                continue  # "dropped 5% to 98,000": a move's size, then the level it reached
            b = out[i + 1] = _shorthand_upper(a, b)
        if a.unit != b.unit and not a.bare:
            continue
        shared = _share_scale(a, b)
        dash = gap.strip() in {"-", "–", "—", "/"}
        if not dash and _FROM_BEFORE.search(text[max(0, a.start - 30) : a.start]):
            out[i] = replace(shared, change_role="from")
            out[i + 1] = replace(b, change_role="to")
        elif a.change_role is None:
            out[i] = replace(shared, qualifier="range_lower")
            out[i + 1] = replace(b, qualifier="range_upper")
    return out


def _shorthand_upper(a: Quantity, b: Quantity) -> Quantity:
    """ "$26,500-800": the upper bound repeats the lower bound's leading digits and unit."""
    digits = len(b.text.replace(",", "").split(".")[0])
    value = b.value
    if b.value < a.value and b.value == int(b.value):
        value = a.value - a.value % 10**digits + b.value
    return replace(b, unit=a.unit, value=value, bare=False)


def _destination(a: Quantity, b: Quantity) -> bool:
    """Whether a bare number after a percent, basis points or a multiple is a level rather
    than the range's upper bound ("fell 5% to 98,000")."""
    return a.unit in {"PERCENT", "BASIS_POINTS", "MULTIPLE"} and b.value > 100


def _between(text: str, a: Quantity) -> bool:
    """Whether "between" opens the pair that starts with `a`."""
    return bool(_BETWEEN_BEFORE.search(text[max(0, a.start - 30) : a.start]))


def _share_scale(a: Quantity, b: Quantity) -> Quantity:
    """Give the lower bound the upper bound's unit and scale word ("14.4 to 14.6 million BTC")."""
    unit = b.unit if a.bare else a.unit
    value = a.value
    if a.scale == 1.0 and b.scale > 1.0 and a.value < b.value / b.scale:
        value = a.value * b.scale
    elif "," not in a.text and b.value >= 1000 and a.value * 100 < b.value and "," in b.text:
        # "$25/26,000s": the lower bound drops the shared thousands
        value = a.value * 10 ** (len(str(int(b.value))) - len(str(int(a.value))))
    return replace(a, unit=unit, value=value, bare=a.bare and b.bare, scale=b.scale)


def find_quantities(
    text: str, published: date | None = None, *, times: list[TimeExpression] | None = None
) -> list[Quantity]:
    """Every quantity in `text`, left to right, with dates and other traps skipped.

    `times` are the text's time expressions when the caller has them already.
    """
    if times is None:
        times = find_time_expressions(text, published)
    blocked = [(t.start, t.end) for t in times]
    found: list[Quantity] = []
    for m in _QUANTITY_RE.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in blocked):
            continue
        if m["ord"]:
            quantity: Quantity | None = _from_ordinal(m)
        elif m["frac"]:
            quantity = _from_fraction(text, m)
        elif m["num"]:
            quantity = _build(text, m)
        else:
            quantity = _build(text, m, written=True)
        if quantity is not None:
            found.append(quantity)
    return _mark_from(text, _link_pairs(text, found))


def _mark_from(text: str, found: list[Quantity]) -> list[Quantity]:
    """ "down from around $46 billion": a starting level of a change."""
    return [
        replace(q, change_role="from")
        if q.change_role is None
        and q.qualifier not in {"range_lower", "range_upper"}
        and _FROM_BEFORE.search(text[max(0, q.start - 30) : q.start])
        else q
        for q in found
    ]
