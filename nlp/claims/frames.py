"""The parse context of one number: its head token, governing verb, measured noun and cue text.

A `Frame` is what the claim rules read. It comes from the dependency parse (the verb that
governs the number, the noun the number measures: "outflow" in "a net outflow of $802 million"
or in "$799 million outflow", the verb's subject) plus the clause words right before the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from nlp.claims.numbers import Quantity

_VERB_POS = {"VERB", "AUX"}
_EXPECTATION = {"expected", "anticipated", "forecast", "predicted", "projected", "estimated"}
_CLAUSE_BREAK = re.compile(r"[;:]|\n|—")


@dataclass
class Frame:
    """One quantity with its place in the parse."""

    quantity: Quantity
    sentence_index: int
    sentence_start: int
    head: Token | None
    verb: Token | None
    anchor: Token | None  # the noun the number measures
    left: str  # lower-cased clause text before the number (since the previous number)
    # Lower-cased sentence text before the number, at most its last SENTENCE_WINDOW characters:
    # cues farther away never decide a claim, and a bounded window keeps the analysis of a
    # sentence linear in its numbers (a statistical table is one "sentence" of thousands).
    sentence_left: str
    right: str  # lower-cased words right after the number, up to punctuation
    tail: str  # lower-cased raw text right after the number (90 characters)
    anchor_text: str
    verb_text: str
    subject_text: str

    @property
    def cues(self) -> str:
        """Everything the lexical rules look at, nearest context first."""
        return (
            f"{self.left} || {self.anchor_text} || {self.right} || {self.verb_text}"
            f" || {self.subject_text}"
        )


_IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "wrote": "write", "written": "write",
    "found": "find", "shown": "show", "held": "hold", "sold": "sell", "bought": "buy",
    "fell": "fall", "fallen": "fall", "rose": "rise", "risen": "rise", "saw": "see",
    "seen": "see", "had": "have", "has": "have", "was": "be", "were": "be", "is": "be",
    "are": "be", "been": "be", "hit": "hit", "put": "put", "set": "set", "cut": "cut",
    "led": "lead", "lost": "lose", "made": "make", "took": "take", "taken": "take",
    "grew": "grow", "grown": "grow", "sank": "sink", "slid": "slide", "broke": "break",
}  # fmt: skip


def base_form(tok: Token, vocab: frozenset[str] | set[str] = frozenset()) -> str:
    """The lemma of a token; a light suffix rule (checked against `vocab`) without lemmatizer."""
    if tok.lemma_:
        return tok.lemma_.lower()
    word = tok.lower_
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, repl in (
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + repl
            if suffix in {"ing", "ed"} and len(stem) > 3 and stem[-1] == stem[-2]:
                stem = stem[:-1]  # "dropped" -> "drop"
            return stem + "e" if stem + "e" in vocab else stem  # "stated" -> "state"
    return word


def span_tokens(doc: Doc, start: int, end: int) -> list[Token]:
    """Tokens overlapping text[start:end]."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else []


def head_token(tokens: list[Token]) -> Token | None:
    """The token of a multi-token span whose head lies outside it."""
    inside = {t.i for t in tokens}
    for tok in reversed(tokens):
        if tok.head.i not in inside or tok.head.i == tok.i:
            return tok
    return tokens[-1] if tokens else None


def governing_verb(tok: Token) -> Token | None:
    """The nearest verb above `tok` in the parse (itself when it is a verb)."""
    cur = tok
    for _ in range(8):
        if cur.pos_ in _VERB_POS:
            return cur
        if cur.head.i == cur.i:
            return None
        cur = cur.head
    return None


def measured_noun(head: Token, q_tokens: set[int]) -> Token | None:
    """The noun a number measures: "outflow" in "outflow of $X" or "$X outflow"."""
    parent = head.head
    nouns = {"NOUN", "PROPN"}
    modifier = head.dep_ in {"nummod", "compound", "amod", "quantmod", "nmod"}
    if modifier and parent.i not in q_tokens and parent.pos_ in nouns:
        return parent
    if (
        head.dep_ == "pobj"
        and parent.lower_ in {"of", "at", "for", "by"}
        and parent.head.pos_ in nouns
    ):
        return parent.head
    if head.dep_ in {"appos", "dobj", "attr"} and parent.pos_ in {"NOUN", "PROPN"}:
        return parent
    for prep in head.children:  # "$8.8 million in inflows": the kind of money
        if prep.dep_ == "prep" and prep.lower_ == "in":
            kind = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if kind is not None and kind.pos_ == "NOUN" and kind.tag_ == "NNS":
                return kind
    return None


def noun_phrase(tok: Token | None) -> str:
    """The noun with its compounds, adjectives and possessor, lower-cased."""
    if tok is None:
        return ""
    keep = [
        t
        for t in tok.subtree
        if (t.i <= tok.i and t.dep_ in {"compound", "amod", "poss", "case", "nmod"}) or t.i == tok.i
    ]
    phrase = " ".join(t.lower_ for t in sorted(keep, key=lambda t: t.i))
    after = [c for c in tok.children if c.dep_ == "prep" and c.i > tok.i]
    for prep in after[:1]:  # "assets under management", "share of supply"
        phrase += " " + " ".join(t.lower_ for t in prep.subtree)
    return phrase


def verb_phrase(verb: Token | None) -> tuple[str, str]:
    """(verb text with particles and modals, subject phrase) of a governing verb."""
    if verb is None:
        return "", ""
    parts = [c for c in verb.children if c.dep_ in {"aux", "prt", "neg", "auxpass"}]
    words = " ".join(t.lower_ for t in sorted([*parts, verb], key=lambda t: t.i))
    subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    subj_text = ""
    if subject is not None:
        toks = [t for t in subject.subtree if t.dep_ not in {"relcl", "acl", "punct"}][:10]
        subj_text = " ".join(t.lower_ for t in toks)
    return f"{words} {base_form(verb)}", subj_text


def clause_left(text: str, *, floor: int, start: int) -> str:
    """Sentence text from the last clause break (or `floor`) up to `start`, lower-cased."""
    left = text[floor:start]
    breaks = list(_CLAUSE_BREAK.finditer(left))
    if breaks:
        left = left[breaks[-1].end() :]
    return left.lower()


def _as_expected(verb: Token) -> bool:
    """ "as expected", "as forecast": a comparison with expectations, not a prediction."""
    return (
        verb.dep_ == "advcl"
        and verb.lower_ in _EXPECTATION
        and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)
    )


SENTENCE_WINDOW = 600


def build_frame(
    doc: Doc,
    sentence: Span | tuple[int, int, int],
    quantity: Quantity,
    *,
    previous_end: int,
    text: str,
) -> Frame:
    """The frame of `quantity` in sentence (index, start, end) of `doc`."""
    index, s_start, s_end = sentence if isinstance(sentence, tuple) else (0, 0, 0)
    tokens = span_tokens(doc, quantity.start, quantity.end)
    head = head_token(tokens)
    verb = governing_verb(head) if head is not None else None
    if verb is not None and _as_expected(verb):
        verb = governing_verb(verb.head)  # "fell as expected to 5.5%": the verb is "fell"
    anchor = measured_noun(head, {t.i for t in tokens}) if head is not None else None
    verb_text, subject_text = verb_phrase(verb)
    right = re.split(r"[,;:()\n]|\.(?=\s|$)", text[quantity.end : min(s_end, quantity.end + 60)])[0]
    return Frame(
        quantity=quantity,
        sentence_index=index,
        sentence_start=s_start,
        head=head,
        verb=verb,
        anchor=anchor,
        left=clause_left(text, floor=max(s_start, previous_end), start=quantity.start),
        sentence_left=text[max(s_start, quantity.start - SENTENCE_WINDOW) : quantity.start].lower(),
        right=right.lower(),
        tail=text[quantity.end : min(s_end, quantity.end + 90)].lower(),
        anchor_text=noun_phrase(anchor),
        verb_text=verb_text,
        subject_text=subject_text,
    )
