"""The words and patterns of attribution (nlp/claims/attribution.py reads them): speech verbs,
roles and titles, the clauses that name a source ("according to X", "data from X", captions),
and what never is one.
"""

import re

SPEECH_VERBS = {
    "say",
    "state",
    "post",
    "publish",
    "note",
    "write",
    "report",
    "estimate",
    "tell",
    "share",
    "tweet",
    "argue",
    "warn",
    "predict",
    "forecast",
    "claim",
    "show",
    "reveal",
    "indicate",
    "announce",
    "add",
    "explain",
    "believe",
    "comment",
    "suggest",
    "expect",
    "calculate",
    "find",
    "observe",
    "highlight",
    "point",
    "disclose",
    "confirm",
    "continue",
    "target",
    "hint",
    "anticipate",
    "project",
    "caution",
}
# Unnamed groups that still count as a source when they assert a figure.
ROLE_SOURCES = {"analysts", "technicians", "economists", "strategists", "traders", "experts"}
GENERIC_SOURCES = {
    "analysis",
    "data",
    "report",
    "it",
    "he",
    "she",
    "they",
    "this",
    "that",
    "we",
    "i",
    "you",
    "the report",
    "the data",
    "the analysis",
    "research",
    "the market",
    "market",
    "investors",
    "which",
    "who",
    "some",
    "the community",
    "community",
}
ACCORDING = re.compile(r"\b(?:[Aa]ccording to|[Aa]s per|[Pp]er data from)\s+(?P<clause>[^,;:“\"]+)")
DATA_FROM = re.compile(
    r"\b(?:[Dd]ata|figures|numbers|estimates|statistics)\s+(?:from|by|compiled by|provided by"
    r"|presented by|out of)\s+(?P<clause>[^,;:“\"]+)"
)
# A name: capitalized words ("The Block", "CME Fed Watch Tool"), a domain or a lower-case brand.
NAME = re.compile(
    r"(?:The\s+)?[A-Z0-9][\w.&'’-]*(?:\s+(?:[A-Z0-9][\w.&'’-]*|of|de|&))*"
    r"|\b[a-z0-9-]+\.(?:com|io|org|net|co)\b"
    r"|\b(?:glassnode|coinglass|santiment|lookonchain|arkham|nansen|kaiko)\b"
)
BY_NAME = re.compile(
    r"\b(?:by|from)\s+(?:[a-z-]+\s+){0,5}(?P<name>[A-Z][\w.&'’-]*(?:\s+[A-Z0-9][\w.&'’-]*)*)"
)
CAPTION = re.compile(r"^\s*(?:Data\s+)?[Ss]ources?\s*[:：]\s*(?P<src>.+?)\s*$")
OFFICIAL = re.compile(
    r"\b(?:the )?official (?:statement|announcement|team|account)\b"
    r"|\bthe (?:company|team|project|firm|exchange|protocol) (?:said|stated|announced|claimed)\b"
)
# A sentence that continues its predecessor's statement: a conditional of the forecast ("If it
# fails, ..."), a follow-on ("And"). Anaphors ("That could ...") are often the writer's own.
CONTINUES = re.compile(r"^(?:If|But if|And if|Should|And|Otherwise|Then)\b")
# "That compares to $70 billion": an anaphor that goes on reporting the same figures continues;
# one that speculates ("That could be a tailwind") is the writer's.
ANAPHOR = re.compile(r"^(?:This|That|These|Those|It)\b(?!.*\b(?:could|may|might|would|will)\b)")
# "the median economist forecast", "analysts' estimates": the role is the source.
ROLE_ESTIMATE = re.compile(
    r"(?i)\b(?:the\s+)?(?:median|average|mean|consensus)?\s*(?P<role>economist|analyst|strategist)"
    r"s?['’]?\s+(?:forecasts?|estimates?|expectations?|projections?|consensus)\b"
)
INDICATOR_WORDS = r"CPI|PPI|PCE|GDP|inflation|price pressures|consumer prices|jobs|payrolls"
RELEASE = re.compile(
    r"(?:the\s+)?(?:latest\s+|recent\s+|new\s+|monthly\s+|quarterly\s+)*"
    r"(?P<ind>CPI|PPI|PCE|GDP|jobs|payrolls|nonfarm payrolls)"
    r"\s*(?P<kind>report|release|data|print)?\s*$"
)
COUNTRY = r"US|U\.S\.|UK|Eurozone|euro area|China|Japan|Canada|Germany"
# What a source must name: a mention of one of these entity types (the linker's KB entities,
# uncurated person:/org: ids included), a spaCy PERSON / ORG span, or a role of ROLE_SOURCES.
SOURCE_TYPES = frozenset(
    {"PERSON", "COMPANY", "ORGANIZATION", "GOV_BODY", "EXCHANGE", "PROTOCOL", "ETF"}
)
NER_SOURCE_LABELS = frozenset({"PERSON", "ORG"})
# Never a source, whatever the parse says: figures, and the words of metrics and markets.
PRONOUNS = {"he", "she"}
# Unnamed groups that own an estimate on their own ("analysts say", "economists expect").
OWNER_ROLES = frozenset({"analysts", "economists", "strategists"})
# Head nouns of a speaker phrase that name a named source's role ("Galaxy Digital CEO ...").
TITLES = ROLE_SOURCES | {
    "analyst", "strategist", "economist", "trader", "researcher", "researchers", "ceo", "cio",
    "cto", "cfo", "coo", "founder", "co-founder", "cofounder", "head", "chief", "director",
    "president", "chairman", "chair", "partner", "manager", "spokesperson", "spokesman",
    "spokeswoman", "team", "data", "report", "research", "analysis", "officials", "official",
    "executive", "governor", "secretary", "minister", "lead", "vp", "principal", "managers",
    "earnings", "filing", "filings", "results", "statement", "survey", "study", "poll", "tweet",
    "post", "letter", "update", "blog",
}  # fmt: skip
STOP_WORDS = {"a", "an", "the", "previous", "recent", "new", "latest"}
SOURCE_PREPS = {"at", "of", "from"}
