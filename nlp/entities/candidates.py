"""Entity candidates before overlap resolution, and the text-level passes over them that need
no linker state: compound names, glued ticker pairs, acronym expansions, surname propagation,
and the overlap resolution itself (nlp/entities/linker.py runs them).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from nlp.entities.patterns import compound_names
from nlp.entities.rules import ner_type, title_case
from nlp.entities.uncurated import uncurated_id
from nlp.sentences import SentenceIndex


@dataclass
class Candidate:
    """A possible mention before overlap resolution."""

    start: int
    end: int
    entity_id: str | None
    type: str
    name: str
    source: str  # kb | pattern | ner
    rank: int = 5
    group: bool = False
    host: Candidate | None = field(default=None, repr=False)  # enclosing group span


NOT_FIRST_NAMES = frozenset(
    str.split("""The This That These Those And But Both Either Neither Former Then Today Yesterday
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December CEO Chairman President Senator Analysts""")
)


def compound_candidates(
    text: str, kb_cands: list[Candidate], index: SentenceIndex
) -> list[Candidate]:
    """Names that hold a KB word or end in an organization head ("National Bitcoin Office",
    "Bitcoin Beach", "Fed Watch Tool", "Esas Ventures") are names of their own: an uncurated
    organization that wins over the KB word inside it. Not in title-case headings, and not when
    the span cuts a KB name ("Bank of America Global Research")."""
    out: list[Candidate] = []
    for start, end in compound_names(text):
        inside = [c for c in kb_cands if c.start < end and start < c.end]
        if any(c.start < start or c.end > end for c in inside):
            continue
        if any(c.start == start and c.end == end for c in inside):
            continue  # the KB knows the whole name
        sent = index.of(start)
        if sent is not None and title_case(text[index.span(sent).start : index.span(sent).end]):
            continue
        name = text[start:end]
        kind = ner_type("ORG", name) or "ORGANIZATION"
        out.append(Candidate(start, end, uncurated_id(name, kind), kind, name, "pattern", 4))
    return out


def glued_pairs(
    doc: Doc, tickers: set[str], readings: dict[str, list[tuple[str, str, str]]]
) -> dict[tuple[int, int], list[tuple[str, str, str]]]:
    """BTCUSDT-style tokens: the base ticker glued to a quote currency."""
    found: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
    for token in doc:
        word = token.text
        if not (5 <= len(word) <= 12 and word.isupper() and word.isalnum()):
            continue
        for quote in ("USDT", "USDC", "BUSD", "USD", "EUR", "BTC", "ETH"):
            base = word[: -len(quote)]
            if word.endswith(quote) and base in tickers and f"cs|{base}" in readings:
                start = token.idx
                found[(start, start + len(base))] = list(readings[f"cs|{base}"])
                break
    return found


def _initials_match(words: list[str], acronym: str) -> int:
    """How many trailing `words` spell the end of `acronym` by their initials (0 if under 2)."""
    best = 0
    for k in range(2, min(len(words), len(acronym)) + 1):
        initials = "".join(w[0] for w in words[-k:]).lower()
        if acronym.lower().endswith(initials):
            best = k
    return best


def acronym_expansions(text: str, kb_cands: list[Candidate]) -> list[Candidate]:
    """'Treasury General Account (TGA)': the spelled-out words get the acronym's entity."""
    out: list[Candidate] = []
    for cand in kb_cands:
        if not (text[cand.start - 1 : cand.start] == "(" and text[cand.end : cand.end + 1] == ")"):
            continue
        before = text[max(0, cand.start - 120) : cand.start - 1]
        words = list(re.finditer(r"[A-Za-z][\w'-]*", before))
        if not words or before[words[-1].end() :].strip():
            continue
        k = _initials_match([w.group() for w in words[-8:]], text[cand.start : cand.end])
        if k:
            offset = cand.start - 1 - len(before)
            start = offset + words[-k].start()
            end = offset + words[-1].end()
            out.append(replace(cand, start=start, end=end, source="pattern", rank=3))
    return out


def resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Longest span wins; a crypto asset inside a group span stays as a nested mention."""
    ordered = sorted(cands, key=lambda c: (-(c.end - c.start), c.rank, c.start))
    chosen: list[Candidate] = []
    for cand in ordered:
        host = next((h for h in chosen if h.start < cand.end and cand.start < h.end), None)
        if host is None:
            chosen.append(cand)
            continue
        inside = host.start <= cand.start and cand.end <= host.end
        if inside and host.entity_id is None and cand.entity_id and cand.type == host.type:
            # A pattern span stretching a KB mention of the same type takes over its link.
            host.entity_id, host.name = cand.entity_id, cand.name
            continue
        smaller = (cand.end - cand.start) < (host.end - host.start)
        nestable = inside and smaller and host.group and host.host is None
        nestable = nestable and cand.entity_id not in {None, host.entity_id}
        if nestable and not any(c.start == cand.start and c.end == cand.end for c in chosen):
            cand.host = host
            chosen.append(cand)
    return chosen


def one_edit(a: str, b: str) -> bool:
    """Whether two different words are one insertion, deletion or substitution apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def propagate_surnames(text: str, chosen: list[Candidate]) -> list[Candidate]:
    """A later bare surname ("Thielen") takes the entity of the full name seen before it, unless
    two people of the article share it ("Cameron and Tyler Winklevoss")."""
    taken = [(c.start, c.end) for c in chosen]
    guessed = {(c.start, c.end): c for c in chosen if c.source == "ner"}
    owners: dict[str, set[str]] = defaultdict(set)
    for c in chosen:
        parts = text[c.start : c.end].split()
        if c.type == "PERSON" and (len(parts) >= 2 or c.source == "coref"):
            owners[c.name.split()[-1]].add(c.entity_id or c.name)
    added: list[Candidate] = []
    for cand in chosen:
        parts = text[cand.start : cand.end].split()
        if cand.type != "PERSON" or len(parts) < 2 or not parts[-1][:1].isupper():
            continue
        shared = len(owners[cand.name.split()[-1]]) > 1  # found, but not linked
        for m in re.finditer(rf"\b{re.escape(parts[-1])}\b", text[cand.end :]):
            start, end = cand.end + m.start(), cand.end + m.end()
            if (start, end) in guessed:  # NER's own label for the bare surname ("ORG") loses
                other = guessed.pop((start, end))
                other.entity_id, other.type, other.name = cand.entity_id, cand.type, cand.name
                if shared:
                    other.entity_id, other.name = None, parts[-1]
                continue
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            found = replace(cand, start=start, end=end, source="coref", host=None)
            if shared:
                found.entity_id, found.name = None, parts[-1]
            added.append(found)
    return chosen + added
