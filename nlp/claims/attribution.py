"""Who asserts the numbers of a sentence: "according to X", "X said", "data from X", captions.

`sentence_sources(doc, sentences, texts)` returns one source (or None) per sentence. A sentence
without its own source inherits the previous one when it continues the same statement: it opens
with a conditional or anaphor ("If it fails...", "This process...") or sits inside a quotation
opened earlier. A caption line "Data source: X" credits X for the paragraph above it and the
sentence right after it.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from nlp.claims.frames import base_form

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
}
# Unnamed groups that still count as a source when they assert a figure.
ROLE_SOURCES = {"analysts", "technicians", "economists", "strategists", "traders", "experts"}
_GENERIC_SOURCES = {
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
_ACCORDING = re.compile(
    r"\b(?:[Aa]ccording to|[Aa]s per|[Pp]er data from)\s+(?P<clause>[^,;:“\"]+)"
)
_DATA_FROM = re.compile(
    r"\b(?:[Dd]ata|figures|numbers|estimates|statistics)\s+(?:from|by|compiled by|provided by"
    r"|presented by|out of)\s+(?P<clause>[^,;:“\"]+)"
)
# A name: capitalized words ("The Block", "CME Fed Watch Tool"), a domain or a lower-case brand.
_NAME = re.compile(
    r"(?:The\s+)?[A-Z0-9][\w.&'’-]*(?:\s+(?:[A-Z0-9][\w.&'’-]*|of|de|&))*"
    r"|\b[a-z0-9-]+\.(?:com|io|org|net|co)\b"
    r"|\b(?:glassnode|coinglass|santiment|lookonchain|arkham|nansen|kaiko)\b"
)
_BY_NAME = re.compile(
    r"\b(?:by|from)\s+(?:[a-z-]+\s+){0,5}(?P<name>[A-Z][\w.&'’-]*(?:\s+[A-Z0-9][\w.&'’-]*)*)"
)
_CAPTION = re.compile(r"^\s*(?:Data\s+)?[Ss]ources?\s*[:：]\s*(?P<src>.+?)\s*$")
_OFFICIAL = re.compile(
    r"\b(?:the )?official (?:statement|announcement|team|account)\b"
    r"|\bthe (?:company|team|project|firm|exchange|protocol) (?:said|stated|announced|claimed)\b"
)
_CONTINUES = re.compile(r"^(?:If|This|That|These|Those|It|He|She|They|But if|And)\b")
# "the median economist forecast", "analysts' estimates": the role is the source.
_ROLE_ESTIMATE = re.compile(
    r"(?i)\b(?:the\s+)?(?:median|average|mean|consensus)?\s*(?P<role>economist|analyst|strategist)"
    r"s?['’]?\s+(?:forecasts?|estimates?|expectations?|projections?|consensus)\b"
)
_INDICATOR_WORDS = r"CPI|PPI|PCE|GDP|inflation|price pressures|consumer prices|jobs|payrolls"
_RELEASE = re.compile(
    r"(?:the\s+)?(?:latest\s+|recent\s+|new\s+|monthly\s+|quarterly\s+)*"
    r"(?P<ind>CPI|PPI|PCE|GDP|jobs|payrolls|nonfarm payrolls)"
    r"\s*(?P<kind>report|release|data|print)?\s*$"
)
_COUNTRY = r"US|U\.S\.|UK|Eurozone|euro area|China|Japan|Canada|Germany"
_STOP_WORDS = {"a", "an", "the", "previous", "recent", "new", "latest"}
_SOURCE_PREPS = {"at", "of", "from"}


def _clean_source(raw: str) -> str | None:
    """A named source, without trailing punctuation; None for generic words."""
    src = raw.strip().rstrip(".,;:'\"”’)")
    src = re.sub(r"(?:'s|’s)\b", "", src)
    if not src or src.lower() in _GENERIC_SOURCES or src.lower() in _STOP_WORDS:
        return None
    return src


def _name_tail(tok: Token, subject: Token) -> bool:
    """Whether `tok` joins `subject` through name-part and coordination arcs only."""
    while tok.i != subject.i:
        if tok.dep_ not in {"flat", "compound", "conj", "cc"} or tok.head.i == tok.i:
            return False
        tok = tok.head
    return True


def _employer(head: Token) -> list[Token]:
    """A named organisation after a speaker ("strategists at Standard Chartered", "head of
    research at Kaiko"): the preposition and its object's words, through chains of them."""
    out: list[Token] = []
    for prep in head.rights:
        obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if prep.dep_ != "prep" or prep.lower_ not in _SOURCE_PREPS or obj is None:
            continue
        phrase = [t for t in obj.subtree if t.i <= obj.i]
        inner = _employer(obj)
        if inner or any(t.pos_ == "PROPN" and t.ent_type_ != "DATE" for t in phrase):
            out += [prep, *phrase, *inner]
    return out


def _speaker(tok: Token) -> str | None:
    """The subject phrase of a speech verb, if it names someone ("CryptoQuant CEO Ki Young Ju")."""
    # the subject of a passive ("payroll growth is expected to ...") is what is said, not who
    subject = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    if subject is None:
        return None
    words = [t for t in subject.subtree if t.dep_ not in {"relcl", "acl", "punct", "det", "appos"}]
    # after the head noun only coordinated names ("strategists Alkesh Shah and Andrew Moss") and
    # the employer ("economists at JP Morgan"); not a name part hung under a dropped phrase
    words = [t for t in words if t.i <= subject.i or _name_tail(t, subject)]
    words += _employer(subject)
    first = min(t.i for t in words)
    doc = tok.doc
    while (
        first > 0
        and doc[first - 1].pos_ in {"PROPN", "NOUN", "NUM"}
        and (doc[first - 1].dep_ in {"npadvmod", "compound", "nummod", "nmod"})
    ):
        first -= 1  # a name part the parser hung elsewhere ("10x" of "10x Research CEO ...")
    text = doc[first : max(t.i for t in words) + 1].text
    named = any(t.pos_ == "PROPN" for t in words) or any(
        t.dep_ in {"compound", "amod", "nmod"} for t in words
    )
    if not named and subject.lower_ not in ROLE_SOURCES | {"glassnode", "coinglass"}:
        return None
    return _clean_source(text)


def _clause_name(clause: str) -> str | None:
    """The source named in an "according to ..." clause: "by X" first, else the first name."""
    by = _BY_NAME.search(clause)
    if by:
        return _clean_source(by["name"])
    for m in _NAME.finditer(clause):
        name = re.sub(r"^The\s+(?=[A-Z]\w*\s+[A-Z])", "", m.group(0))
        if name not in {"The", "A", "An"} and (src := _clean_source(name)):
            return src
    return None


def _release_name(clause: str, text: str) -> str | None:
    """An economic release ("the latest CPI report") with the country the article gives it."""
    m = _RELEASE.match(clause)
    if m is None:
        return None
    name = f"{m['ind']} {m['kind'] or 'report'}"
    country = re.search(rf"\b(?P<c>{_COUNTRY})\s+(?:{_INDICATOR_WORDS})\b", text)
    return f"{country['c']} {name}" if country else name


def _own_source(sent: Span, subject_hint: str | None) -> str | None:
    """The source a sentence names itself, "" for an unnamed one ("the firm"), or None."""
    text = sent.text
    for pattern in (_ACCORDING, _DATA_FROM):
        m = pattern.search(text)
        if m:
            return _release_name(m["clause"], sent.doc.text) or _clause_name(m["clause"]) or ""
    role = _ROLE_ESTIMATE.search(text)
    if role:
        return role["role"].lower() + "s"
    # the main clause's verb first: "..., with the data suggesting ...," X continued.
    for tok in sorted(sent, key=lambda t: t.dep_ != "ROOT"):
        if tok.pos_ in {"VERB", "AUX"} and base_form(tok, SPEECH_VERBS) in SPEECH_VERBS:
            speaker = _speaker(tok)
            if speaker:
                return speaker
    if subject_hint and _OFFICIAL.search(text):
        return f"{subject_hint} (official statement)"
    return None


def _open_quote(text: str) -> bool:
    """Whether a sentence leaves a quotation open."""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def sentence_sources(
    doc: Doc, spans: list[tuple[int, int]], subjects: list[str | None], *, text: str
) -> list[str | None]:
    """One source per sentence span (start, end); `subjects` name each sentence's main entity."""
    sources: list[str | None] = []
    in_quote = False
    for i, (start, end) in enumerate(spans):
        sent = doc.char_span(start, end, alignment_mode="expand")
        sentence = text[start:end]
        own = _own_source(sent, subjects[i]) if sent is not None else None
        continues = in_quote or _CONTINUES.match(sentence) or own == ""
        if not own and i and sources[i - 1] and continues:
            own = sources[i - 1]
        sources.append(own or None)
        in_quote = _open_quote(sentence) if not in_quote else not _open_quote(sentence)
    _apply_captions(text, spans, sources)
    return sources


def _apply_captions(text: str, spans: list[tuple[int, int]], sources: list[str | None]) -> None:
    """Credit a "Data source: X" line to its paragraph above and the next sentence."""
    for i, (start, end) in enumerate(spans):
        m = _CAPTION.match(text[start:end])
        if not m or len(m["src"]) > 60:
            continue
        src = m["src"].rstrip(".")
        j = i - 1
        while j >= 0:
            if sources[j] is None:
                sources[j] = src
            if "\n" in text[spans[j][0] - 2 : spans[j][0]] or j == 0:
                break
            j -= 1
        if i + 1 < len(spans) and sources[i + 1] is None:
            sources[i + 1] = src
