"""Who asserts the numbers of a sentence: "according to X", "X said", "data from X", captions.

`sentence_sources(doc, sentences, texts)` returns one source (or None) per sentence. A sentence
without its own source inherits the previous one when it continues the same statement: it opens
with a conditional or anaphor ("If it fails...", "This process...") or sits inside a quotation
opened earlier. A caption line "Data source: X" credits X for the paragraph above it and the
sentence right after it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from nlp.claims.frames import base_form
from nlp.claims.numbers import CURRENCY_WORDS
from nlp.claims.source_words import (
    ACCORDING,
    ANAPHOR,
    BY_NAME,
    CAPTION,
    CONTINUES,
    COUNTRY,
    DATA_FROM,
    GENERIC_SOURCES,
    INDICATOR_WORDS,
    NAME,
    NER_SOURCE_LABELS,
    OFFICIAL,
    OWNER_ROLES,
    PRONOUNS,
    RELEASE,
    ROLE_ESTIMATE,
    ROLE_SOURCES,
    SOURCE_PREPS,
    SOURCE_TYPES,
    SPEECH_VERBS,
    STOP_WORDS,
    TITLES,
)
from nlp.types import EntityMention


def _clean_source(raw: str) -> str | None:
    """A named source, without trailing punctuation; None for generic words."""
    src = raw.strip().rstrip(".,;:'\"”’)")
    src = re.sub(r"(?:'s|’s)\b", "", src)
    if not src or src.lower() in GENERIC_SOURCES or src.lower() in STOP_WORDS:
        return None
    if re.search(r"(?<![\w.])\d[\d,.]*(?:st|nd|rd|th)?(?![\w])|[$%€£¥]", src):
        return None  # "10", "$23.6 billion analysts", "4th Largest Theft": a figure is no source
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
        if prep.dep_ != "prep" or prep.lower_ not in SOURCE_PREPS or obj is None:
            continue
        phrase = [t for t in obj.subtree if t.i <= obj.i]
        inner = _employer(obj)
        if inner or any(t.pos_ == "PROPN" and t.ent_type_ != "DATE" for t in phrase):
            out += [prep, *phrase, *inner]
    return out


def _subject(verb: Token, mentions: list[EntityMention]) -> Token | None:
    """The active subject of a verb; of several (a hyphenated title split by the parser: "BitMEX
    co - founder Arthur Hayes"), the one inside a person's name, else the nearest the verb."""
    # the subject of a passive ("payroll growth is expected to ...") is what is said, not who
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    for tok in subjects:
        if any(m.type == "PERSON" and m.start <= tok.idx < m.end for m in mentions):
            return tok
    return subjects[-1] if subjects else None


def _speaker(tok: Token, mentions: list[EntityMention]) -> str | None:
    """The subject phrase of a speech verb, if it names someone ("CryptoQuant CEO Ki Young Ju");
    a person the subject belongs to stays whole ("BitMEX co-founder Arthur Hayes")."""
    subject = _subject(tok, mentions)
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
    last = doc[max(t.i for t in words)]
    begin, end = doc[first].idx, last.idx + len(last)
    for m in mentions:
        if m.type == "PERSON" and m.start <= subject.idx < m.end:
            begin, end = min(begin, m.start), max(end, m.end)
    text = doc.text[begin:end]
    named = any(t.pos_ == "PROPN" for t in words) or any(
        t.dep_ in {"compound", "amod", "nmod"} for t in words
    )
    if not named and subject.lower_ not in ROLE_SOURCES | {"glassnode", "coinglass"}:
        return None
    return _clean_source(text)


def _clause_name(clause: str) -> str | None:
    """The source named in an "according to ..." clause: "by X" first, else the first name."""
    by = BY_NAME.search(clause)
    if by:
        return _clean_source(by["name"])
    for m in NAME.finditer(clause):
        name = re.sub(r"^The\s+(?=[A-Z]\w*\s+[A-Z])", "", m.group(0))
        if name not in {"The", "A", "An"} and (src := _clean_source(name)):
            return src
    return None


def _release_name(clause: str, text: str) -> str | None:
    """An economic release ("the latest CPI report") with the country the article gives it."""
    m = RELEASE.match(clause)
    if m is None:
        return None
    name = f"{m['ind']} {m['kind'] or 'report'}"
    country = re.search(rf"\b(?P<c>{COUNTRY})\s+(?:{INDICATOR_WORDS})\b", text)
    return f"{country['c']} {name}" if country else name


@dataclass(frozen=True)
class Source:
    """Who asserts the numbers of a sentence, and the characters [start, end) it covers (the
    speech verb's clause; the whole sentence for "according to", captions and quotes)."""

    name: str
    start: int
    end: int

    def covers(self, offset: int) -> bool:
        """Whether a number at `offset` is inside the attribution's reach."""
        return self.start <= offset < self.end


def named_source(
    src: str | None,
    mentions: list[EntityMention],
    sent: Span,
    *,
    subject: Token | None = None,
) -> str | None:
    """`src` when it names a source: a person, firm, outlet, body or data provider that the
    entity mentions (of SOURCE_TYPES) or spaCy's PERSON / ORG spans find inside it; else None.
    For a speaker phrase, its head (`subject`) must be that name or a title before or after it
    ("CEO Mike Novogratz", "strategists at Standard Chartered", "Glassnode data"). A person's
    surname takes the full name the linker gave it ("Coutts" -> "Jamie Douglas Coutts")."""
    if not src:
        return None
    low = src.lower()
    blocked = [(m.start, m.end) for m in mentions if m.type not in SOURCE_TYPES]
    spans = [(m.start, m.end) for m in mentions if m.type in SOURCE_TYPES and m.text.lower() in low]
    spans += [
        (e.start_char, e.end_char)
        for e in sent.ents
        if e.label_ in NER_SOURCE_LABELS
        and e.text.lower() in low
        and not _FIGURE.search(e.text)
        and not any(a < e.end_char and e.start_char < b for a, b in blocked)
    ]
    if not spans and subject is not None:
        # a role the text presents as the estimate's owner ("analysts say"); "traders" is not
        if low == subject.lower_ in OWNER_ROLES:
            return src
        # a proper name the entity stage does not know ("Acme Funds continued"), not an asset's
        unknown = subject.pos_ == "PROPN" and subject.text[:1].isupper()
        if unknown and not any(
            a < subject.idx + len(subject) and subject.idx < b for a, b in blocked
        ):
            return src
        return None
    if not spans:
        return None
    head_named = subject is None or any(a <= subject.idx < b for a, b in spans)
    if not head_named and subject is not None and subject.lower_ not in TITLES:
        return None
    for m in mentions:
        full = m.name
        if (
            m.type == "PERSON"
            and len(full) > len(m.text)
            and full.endswith(m.text)
            and (m.text in src and full not in src)
        ):
            src = src.replace(m.text, full)
    return src


# Words of metrics and markets: a clause "name" made only of them is not a source ("Market Value").
_NOT_NAME_WORDS = frozenset({
    "the", "a", "an", "of", "to", "and", "market", "value", "price", "realized", "ratio",
    "index", "model", "chart", "data", "volume", "supply", "rate", "cap", "capitalization",
    "average", "moving", "fear", "greed", "cycle", "pricing", "report", "bitcoin", "ether",
    "ethereum", "crypto", "cost", "basis", "net", "unrealized", "profit", "loss", "mvrv", "nupl",
    "sopr",
})  # fmt: skip


def _clause_source(name: str | None, mentions: list[EntityMention], sent: Span) -> str | None:
    """The name of an "according to" / "data from" clause: a named source, or a name the entity
    stage does not know ("according to Accenture") unless it names a non-source (an asset, an
    index, a model: "the Bitcoin Stock-to-Flow model")."""
    if not name or _FIGURE.search(name):
        return None
    if found := named_source(name, mentions, sent):
        return found
    low = name.lower()
    tool = re.search(r"\b(?:Tool|Tracker|Monitor|Dashboard|Terminal)$", name)  # a publisher's
    if not tool and any(m.type not in SOURCE_TYPES and m.text.lower() in low for m in mentions):
        return None
    if set(re.findall(r"[a-z]+", low)) <= _NOT_NAME_WORDS or low in CURRENCY_WORDS:
        return None  # "Market Value", "the RMB report"
    return name if name[:1].isupper() or NAME.fullmatch(name) else None


_FIGURE = re.compile(r"(?<![\w.])\d[\d,.]*(?![\w])|[$%€£¥]")


def _own_source(
    sent: Span, subject_hint: str | None, mentions: list[EntityMention]
) -> Source | str | None:
    """The source a sentence names itself, "" for an unnamed one ("the firm"), or None; a
    pronoun speaker ("he said") is returned as the pronoun, for the caller to resolve."""
    text = sent.text
    whole = (sent.start_char, sent.end_char)
    for pattern in (ACCORDING, DATA_FROM):
        m = pattern.search(text)
        if m:
            clause = m["clause"]
            if _UNNAMED_OWN.match(clause) and subject_hint:
                return Source(subject_hint, *whole)  # "according to the company's report"
            name = _release_name(clause, sent.doc.text) or _clause_source(
                _clause_name(clause), mentions, sent
            )
            return Source(name, *whole) if name else ""
    role = ROLE_ESTIMATE.search(text)
    if role:
        return Source(role["role"].lower() + "s", *whole)
    # the main clause's verb first: "..., with the data suggesting ...," X continued.
    for tok in sorted(sent, key=lambda t: t.dep_ != "ROOT"):
        if tok.pos_ in {"VERB", "AUX"} and base_form(tok, SPEECH_VERBS) in SPEECH_VERBS:
            if base_form(tok, SPEECH_VERBS) in _SAY_ONLY_WITH_CLAUSE and not _reports(tok, text):
                continue  # "found himself in ...", "the pool adds $170 million": not speech
            subject = _subject(tok, mentions)
            if subject is not None and subject.lower_ in PRONOUNS:
                return subject.lower_
            speaker = named_source(_speaker(tok, mentions), mentions, sent, subject=subject)
            if speaker:
                return Source(speaker, *_reach(tok, sent))
    said = _said_after_name(sent, mentions)
    if said:
        return said
    if subject_hint and OFFICIAL.search(text):
        return Source(f"{subject_hint} (official statement)", *whole)
    return None


# A speech verb right after a named source, for when the parse misses it ("Standard Chartered
# predicts ..." parsed as a compound noun).
_SAID_AFTER = re.compile(
    r"(?:['’]s?\s+(?:analysts|strategists|economists|researchers|team))?\s+(?:also\s+)?"
    r"(?:said|says|predicts|predicted|expects|expected|forecasts|estimates|estimated|believes"
    r"|noted|notes|wrote|writes|reported|reports|warned|warns|argued|argues|projects|sees)\b"
)


def _said_after_name(sent: Span, mentions: list[EntityMention]) -> Source | None:
    """ "Standard Chartered predicts ...", "Kaiko's analysts said ...": the named source, which
    reaches from its name to the sentence's end."""
    text = sent.doc.text
    for m in mentions:
        if m.type in SOURCE_TYPES and _SAID_AFTER.match(text, m.end, sent.end_char):
            name = m.name if m.text[:1].islower() else m.text  # "the platform said": its name
            return Source(name, m.start, sent.end_char)
    return None


# Speech verbs that also mean something else: speech only with a clause or a quotation.
_SAY_ONLY_WITH_CLAUSE = frozenset({"find", "add", "continue", "point", "target"})


def _reports(verb: Token, text: str) -> bool:
    """Whether a verb reports: it governs a clause ("found that ...") or closes a quotation."""
    return any(c.dep_ in {"ccomp", "parataxis"} for c in verb.children) or bool(
        re.search(r"[”\"]", text)
    )


_DEFINITE = re.compile(r"(?i)\b(?:according to|data from|per)\s+the\b")
_UNNAMED_OWN = re.compile(r"(?i)(?:the|its) (?:company|firm|exchange|project|team|protocol)\b")


def _reach(verb: Token, sent: Span) -> tuple[int, int]:
    """The characters a speech verb's source covers: the whole sentence when the verb heads it
    (or the sentence's own main verb), else only the verb's clause ("..., while analysts
    highlight $48,000": the number before "while" is the writer's)."""
    marked = any(c.dep_ == "mark" for c in verb.children)
    after = [t for t in sent if t.i > verb.i and not t.is_punct]
    if (
        verb.dep_ == "ROOT"
        or verb.head.i == verb.i
        or (verb.dep_ in {"parataxis", "ccomp"} and not marked)
        or not after  # a closing reporting clause: "..., strategists X and Y wrote."
    ):
        # "X hinted at ..., and Tether purchased 1 million shares": a clause joined to the
        # verb with a subject of its own is not X's
        own = [
            c.left_edge.idx
            for c in verb.rights
            if c.dep_ == "conj" and any(g.dep_ in {"nsubj", "nsubjpass"} for g in c.children)
        ]
        return sent.start_char, min([sent.end_char, *own])
    tokens = list(verb.subtree)
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _open_quote(text: str) -> bool:
    """Whether a sentence leaves a quotation open."""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _last_person(mentions: list[EntityMention], before: int, after: int) -> str | None:
    """The last person named in [after, before): who "he" / "she" refers to."""
    people = [m for m in mentions if m.type == "PERSON" and after <= m.start < before]
    return people[-1].text if people else None


def sentence_sources(
    doc: Doc,
    spans: list[tuple[int, int]],
    subjects: list[str | None],
    *,
    text: str,
    mentions: list[EntityMention] | None = None,
) -> list[Source | None]:
    """One source per sentence span (start, end); `subjects` name each sentence's main entity,
    `mentions` are the text's entity mentions in text order."""
    mentions = sorted(mentions or [], key=lambda m: m.start)
    starts = [m.start for m in mentions]
    sources: list[Source | None] = []
    in_quote = False
    for i, (start, end) in enumerate(spans):
        sent = doc.char_span(start, end, alignment_mode="expand")
        sentence = text[start:end]
        here = mentions[bisect_left(starts, start) : bisect_left(starts, end)]
        found = _own_source(sent, subjects[i], here) if sent is not None else None
        own: Source | None = found if isinstance(found, Source) else None
        if found in PRONOUNS:
            window = spans[max(0, i - 2)][0]
            near = mentions[bisect_left(starts, window) : bisect_left(starts, start)]
            person = _last_person(near, start, window)
            own = Source(person, start, end) if person else None
        continues = in_quote or CONTINUES.match(sentence) or ANAPHOR.match(sentence)
        # "according to the firm": the source named before, as a definite reference goes on
        refers = found == "" and bool(_DEFINITE.search(sentence))
        if found in {None, ""} and i and sources[i - 1] and (continues or refers):
            own = Source(sources[i - 1].name, start, end)  # type: ignore[union-attr]
        sources.append(own)
        in_quote = _open_quote(sentence) if not in_quote else not _open_quote(sentence)
    _apply_captions(text, spans, sources)
    return sources


def _apply_captions(text: str, spans: list[tuple[int, int]], sources: list[Source | None]) -> None:
    """Credit a "Data source: X" line to its paragraph above and the next sentence."""
    for i, (start, end) in enumerate(spans):
        m = CAPTION.match(text[start:end])
        if not m or len(m["src"]) > 60:
            continue
        src = m["src"].rstrip(".")
        j = i - 1
        while j >= 0:
            if sources[j] is None:
                sources[j] = Source(src, *spans[j])
            if "\n" in text[spans[j][0] - 2 : spans[j][0]] or j == 0:
                break
            j -= 1
        if i + 1 < len(spans) and sources[i + 1] is None:
            sources[i + 1] = Source(src, *spans[i + 1])
