"""What a claim is about: an entity (with its KB id when known) or a noun phrase.

Order of evidence: a "Name: number" bullet; the possessor of the measured noun ("IBIT's
assets", "the market's outflow"); the subject of the governing verb, climbing through
conjunctions, adverbial and relative clauses; the nearest entity mention before the number in
the clause. Pronouns and anaphors ("it", "they", "this group") take the subject of the previous
claim or sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

from nlp.claims.frames import Frame
from nlp.types import EntityMention

_PRONOUNS = {"it", "they", "this", "these", "that", "which", "its", "their", "who", "he", "she"}
_ANAPHOR = re.compile(r"^(?:this|that|these|the) (?:group|cohort|fund|asset|token|coin|firm)$")
_BULLET = re.compile(r"^\s*(?:[-*•]\s*)?(?P<name>[^:\n]{2,50}?)\s*:\s")
_GENERIC = {"price", "the price", "amount", "the total amount", "total", "market", "the market"}


@dataclass(frozen=True)
class Subject:
    """A claim subject: display text and KB id (None when the KB does not know it)."""

    text: str
    entity_id: str | None


def mention_at(mentions: list[EntityMention], start: int, end: int) -> EntityMention | None:
    """The entity mention overlapping text[start:end], preferring the longest."""
    hits = [m for m in mentions if m.start < end and start < m.end]
    return max(hits, key=lambda m: m.end - m.start) if hits else None


def is_anaphor(tok: Token) -> bool:
    """Whether a subject token points back ("it", "they", "this group")."""
    if tok.lower_ in _PRONOUNS or tok.pos_ == "PRON":
        return True
    return any(
        c.dep_ == "det" and c.lower_ in {"this", "these", "that", "those"} for c in tok.children
    )


def _token_subject(tok: Token, mentions: list[EntityMention]) -> Subject | None:
    """A subject from a token: its entity mention, else its noun phrase."""
    lo = min(t.idx for t in tok.subtree if t.i <= tok.i)
    hit = mention_at(mentions, tok.idx, tok.idx + len(tok.text))
    if hit is None:
        hit = mention_at(mentions, lo, tok.idx + len(tok.text))
    if hit is not None:
        return Subject(hit.name or hit.text, hit.entity_id)
    if is_anaphor(tok):
        return None
    words = [t for t in tok.subtree if t.i <= tok.i and t.dep_ not in {"det", "punct", "predet"}]
    words = [t for t in words if t.dep_ in {"compound", "amod", "nmod", "poss", "case"} or t is tok]
    text = " ".join(t.text for t in words).replace(" ’s", "’s").replace(" 's", "'s")
    if not text or _ANAPHOR.match(text.lower()):
        return None
    return Subject(text, None)


def _verb_subject(verb: Token | None) -> Token | None:
    """The nominal subject of `verb`, climbing conj/advcl/xcomp/relcl links."""
    cur = verb
    for _ in range(5):
        if cur is None:
            return None
        subj = next((c for c in cur.children if c.dep_ in {"nsubj", "nsubjpass", "expl"}), None)
        if subj is not None and subj.dep_ != "expl":
            if subj.lower_ in {"which", "that", "who"} and cur.dep_ == "relcl":
                return cur.head
            return subj
        if cur.dep_ not in {"conj", "advcl", "xcomp", "relcl", "ccomp", "pcomp", "acl"}:
            return None
        cur = cur.head
    return None


def _possessor(anchor: Token | None) -> Token | None:
    """The possessor of the measured noun ("IBIT" in "IBIT's net outflow")."""
    if anchor is None:
        return None
    return next((c for c in anchor.children if c.dep_ == "poss"), None)


def find_subject(
    frame: Frame, mentions: list[EntityMention], *, sentence_text: str
) -> Subject | None:
    """The subject of one claim, or None when the sentence does not say (use the previous one)."""
    bullet = _BULLET.match(sentence_text)
    if bullet and frame.quantity.start - frame.sentence_start > bullet.end("name"):
        hit = mention_at(
            mentions,
            frame.sentence_start + bullet.start("name"),
            frame.sentence_start + bullet.end(),
        )
        name = bullet["name"].strip()
        if len(name.split()) <= 6:
            return Subject(hit.name if hit else name, hit.entity_id if hit else None)
    q = frame.quantity
    for tok in (_possessor(frame.anchor), _verb_subject(frame.verb)):
        if tok is not None and not (q.start <= tok.idx < q.end):
            found = _token_subject(tok, mentions)
            if found is not None and found.text.lower() not in _GENERIC:
                return found
            if found is None and is_anaphor(tok):
                return None
    before = [
        m for m in mentions if frame.sentence_start <= m.start and m.end <= frame.quantity.start
    ]
    if before:
        last = before[-1]
        return Subject(last.name or last.text, last.entity_id)
    return None
