"""Text patterns for entity mentions a name list cannot hold: dated events, meetings, country
markets, technical indicators, macro series by country, ETF groups and web domains.

A pattern span links to a KB entity when its normalized text is one of the KB's surface forms;
otherwise it stays an unlinked mention with the pattern's type.
"""

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_QUOTED_LABEL = r"(?:\"[^\"\n]{1,24}\"|“[^”\n]{1,24}”|'[^'\n]{1,24}'|‘[^’\n]{1,24}’)"
_COUNTRY = (
    r"(?:US|U\.S\.|American|Japanese|Korean|South\s+Korean|Chinese|Hong\s+Kong|European|Asian"
    r"|UK|U\.K\.|British|German|French|Indian|Taiwanese|Australian|Canadian|Brazilian|Swiss"
    r"|euro[- ]?zone|Eurozone)"
)
_DATE = (
    rf"(?:\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\b{_MONTHS}\s+\d{{4}}|\b\d{{1,2}}[./]\d{{1,2}})"
)

EVENT_PATTERNS = (
    # the "10.11" crash, the October 10 flash crash, the May 2022 collapse
    rf"(?:{_QUOTED_LABEL}|{_DATE})\s+(?:flash\s+)?(?:crash|sell-?off|collapse|liquidation\s+event)\b",
    # the December rate cut, its June policy meeting, the March FOMC meeting
    rf"\b{_MONTHS}\s+(?:(?:rate|interest[- ]rate)\s+(?:cut|hike|decision)s?"
    r"|(?:(?:policy|FOMC|Fed|monetary[- ]policy)\s+)?meeting|FOMC)\b",
    r"\b(?:(?:US|U\.S\.|federal|government)\s+)*shutdown\b",
    r"\b(?:(?:US|U\.S\.|regional|global|European)\s+)+bank(?:ing)?\s+(?:crisis|turmoil|failures?)\b",
    r"\b(?:golden|death)\s+cross\b",
    # the Shanghai upgrade, the Dencun hard fork
    r"\b(?!(?:This|That|These|Those|Their|Next|Latest|Major|Recent|Network|Protocol|Planned)\b)"
    r"[A-Z][a-z]{3,}\s+(?:network\s+)?(?:upgrade|hard\s+fork)\b",
)
INDICATOR_PATTERNS = (
    # 21DMA, 200-day moving average, 21 and 50-Day Moving Averages, 50-week SMA
    r"\b\d{1,3}(?:-?\s*(?:,|and|&|/)\s*\d{1,3})*[- ]?(?:[Dd]ay|[Ww]eek)[- ]"
    r"(?:[Mm]oving[- ][Aa]verages?|[SEW]?MAs?)\b",
    r"\b\d{1,3}[DW]MAs?\b|\b\d{1,3}[- ]?(?:SMA|EMA)s?\b",
    r"\b(?:\d{1,2}[- ](?:[Dd]ay|[Hh]our|[Ww]eek)[- ])?(?:Relative\s+Strength\s+Index|RSI)\b",
    r"\b\d{1,2}(?:%|-)?\s?delta\s+skew\b",
    rf"\b{_COUNTRY}\s+(?:(?:Treasury|bond|government\s+bond|\d{{1,2}}-year)\s+)?yields?\b",
    rf"\b{_COUNTRY}\s+(?:CPI|PPI|PCE|inflation|jobs|payrolls|GDP|unemployment)"
    r"(?:\s+(?:data|figures?|numbers?|report|print|reading|rate))?\b",
    r"\b(?:core|headline)\s+(?:inflation|CPI|PCE)\b",
)
COUNTRY_MARKET = (
    rf"\b{_COUNTRY}(?:,?\s+(?:and|&)\s+{_COUNTRY})*\s+"
    r"(?:stocks?|equities|equity\s+markets?|stock\s+markets?|shares)\b"
)
ETF_GROUP = re.compile(
    r"\b(?:(?:US|U\.S\.)[- ]listed\s+|(?:US|U\.S\.)\s+|spot\s+)*"
    r"(?:[Bb]itcoin|BTC|[Ee]ther(?:eum)?|ETH|[Ss]olana|SOL|XRP)\s+(?:spot\s+)?"
    r"(?:ETFs?|exchange[- ]traded\s+funds?)(?:\s+market)?\b"
)
# Capitalized words ending in a head noun that makes them one name ("National Bitcoin Office",
# "Bitcoin Beach", "Fed Watch Tool", "Quillfeather Capital"): a name of its own, not the KB
# entity whose word it holds.
_CAP_WORD = r"[A-Z][A-Za-z0-9&.-]*"
NAME_HEADS = (
    "Office|Embassy|Foundation|Institute|Association|Alliance|Council|Coalition|Society|Centre"
    "|Center|Club|Magazine|Conference|Summit|Forum|Academy|University|Beach|City|Tool|Project"
    "|Initiative|Labs|Research|Capital|Ventures|Partners|Investments|Advisors|Analytics|Insights"
)
COMPOUND_NAME = re.compile(rf"\b(?:{_CAP_WORD}\s+){{1,4}}(?:{NAME_HEADS})(?![\w'’]|-[A-Z])")
_NOT_NAME_START = frozenset(
    str.split("""The A An This That These Those In On At For By As And But Its His Her Their Our
    Meanwhile However According Former Then When While If With From To Of After Before Since""")
)
DOMAIN = re.compile(r"\b([A-Za-z][A-Za-z0-9-]{2,30})\.(?:com|io|org|net|xyz|finance|fi|co|app)\b")
# "<organization> <word>": the FTX debacle, the Terra collapse, the Balancer hack.
ORG_EVENT_WORDS = re.compile(
    r"\s+(?:debacle|collapse|implosion|bankruptcy|hack|exploit|fiasco|meltdown|saga|scandal)\b"
)

_COMPILED: tuple[tuple[re.Pattern[str], str], ...] = (
    *((re.compile(p), "EVENT") for p in EVENT_PATTERNS),
    *((re.compile(p), "MACRO_INDICATOR") for p in INDICATOR_PATTERNS),
    (re.compile(COUNTRY_MARKET), "COUNTRY_MARKET"),
)


@dataclass(frozen=True)
class PatternHit:
    """A span found by a text pattern, with the entity type it implies."""

    start: int
    end: int
    type: str
    group: bool = False  # a class-level span (an ETF group) that may hold nested mentions


def pattern_hits(text: str) -> list[PatternHit]:
    """Every event, indicator, country-market and ETF-group span in `text`."""
    hits = [
        PatternHit(m.start(), m.end(), kind)
        for regex, kind in _COMPILED
        for m in regex.finditer(text)
    ]
    hits.extend(PatternHit(m.start(), m.end(), "ETF", group=True) for m in ETF_GROUP.finditer(text))
    return hits


def compound_names(text: str) -> list[tuple[int, int]]:
    """Spans of capitalized names that end in a head noun ("Bitcoin Policy Institute"), without
    leading function words ("The", "Meanwhile")."""
    spans: list[tuple[int, int]] = []
    for m in COMPOUND_NAME.finditer(text):
        start = m.start()
        for word in re.finditer(r"\S+", m.group()):
            if word.group() not in _NOT_NAME_START:
                break
            start = m.start() + word.end() + 1
        if len(text[start : m.end()].split()) >= 2:
            spans.append((start, m.end()))
    return spans


def domain_stems(text: str) -> list[tuple[int, int, str]]:
    """(start, end, stem) of web domains such as coinglass.com."""
    return [(m.start(), m.end(), m.group(1)) for m in DOMAIN.finditer(text)]


def normalize_surface(text: str) -> str:
    """A lookup key for a surface: quotes and 'flash' dropped, spaces collapsed, case folded."""
    text = re.sub(r"[\"“”‘’']", "", text)
    text = re.sub(r"\bflash\s+", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip().casefold()


# A parameter before an indicator name ("14-day", "25%", "25-") and a trailing report word
# ("data", "print"): dropped to find the concept the KB names ("RSI", "delta skew", "UK CPI").
_PARAMETER = re.compile(r"^\d{1,3}\s*(?:%|-)?\s*(?:(?:day|hour|week|month)s?[- ]+)?", re.IGNORECASE)
_REPORT_WORD = re.compile(
    r"\s+(?:data|figures?|numbers?|report|print|reading|readings)$", re.IGNORECASE
)


def reduced_surface(surface: str) -> str | None:
    """The surface without its numeric parameter and report word, or None when nothing drops."""
    reduced = _REPORT_WORD.sub("", _PARAMETER.sub("", surface.strip()))
    return reduced if reduced and reduced != surface.strip() else None


# "the FTX debacle" names the same event as "the FTX collapse"; each word maps to the words
# the KB writes such events with.
_EVENT_WORD_CLASS = {
    **dict.fromkeys(
        ("debacle", "collapse", "implosion", "fiasco", "meltdown", "saga", "scandal", "bankruptcy"),
        ("collapse", "bankruptcy"),
    ),
    **dict.fromkeys(("hack", "exploit"), ("hack", "exploit")),
}


def org_event_keys(org: str, word: str) -> list[str]:
    """Surfaces to look up for "<org> <event word>": the text itself, then synonyms."""
    return [f"{org} {word}", *(f"{org} {w}" for w in _EVENT_WORD_CLASS.get(word.lower(), ()))]


_MA_LIST = re.compile(
    r"^(\d{1,3}(?:-?\s*(?:,|and|&|/)\s*\d{1,3})+)[- ]?(day|week)[- ]"
    r"(?:moving[- ]averages?|[sew]?mas?)$"
)
_MA = re.compile(
    r"^(\d{1,3})(?:[- ]?(day|week)[- ](?:moving[- ]averages?|[sew]?mas?)|([dw])ma|[- ]?[se]ma)s?$"
)
_MEETING = re.compile(
    rf"^({_MONTHS})\s+(?:(?:rate|interest[- ]rate)\s+(?:cut|hike|decision)s?"
    r"|(?:(?:policy|fomc|fed|monetary[- ]policy)\s+)?meeting|fomc)$",
    re.IGNORECASE,
)
_MONTH_ABBREVIATIONS = "jan feb mar apr may jun jul aug sep oct nov dec"
_MONTH_NUMBER = {m: i for i, m in enumerate(_MONTH_ABBREVIATIONS.split(), start=1)}


def parametric_entity(surface: str, published: date | None) -> tuple[str, str] | None:
    """(id, name) for families no list can enumerate: N-day moving averages
    (`indicator:ma-200d`, `indicator:ma-50w`, a list as `indicator:ma-21d-50d`) and FOMC meetings
    by month (`event:fomc-YYYY-MM`, the year that puts the month nearest the publication date)."""
    key = normalize_surface(surface)
    several = _MA_LIST.match(key)
    if several:
        # "21- and 50-day moving averages": one mention of several averages, one id for the set.
        numbers = re.findall(r"\d{1,3}", several.group(1))
        unit = several.group(2)
        slug = "-".join(f"{n}{unit[0]}" for n in numbers)
        return f"indicator:ma-{slug}", f"{' and '.join(numbers)}-{unit} moving averages"
    ma = _MA.match(key)
    if ma:
        days = ma.group(2) or ("week" if ma.group(3) == "w" else "day")
        return f"indicator:ma-{ma.group(1)}{days[0]}", f"{ma.group(1)}-{days} moving average"
    meeting = _MEETING.match(key)
    if meeting and published is not None:
        month = _MONTH_NUMBER[meeting.group(1)[:3].lower()]
        # Talk of meetings looks ahead more than back: up to 7 months ahead, 4 back.
        year = published.year + (1 if month - published.month < -4 else 0)
        year -= 1 if month - published.month > 7 else 0
        return f"event:fomc-{year}-{month:02d}", f"FOMC meeting, {year}-{month:02d}"
    return None
