"""Turns spaCy NER spans the KB does not cover into unlinked mentions, dropping junk.

The small English model mislabels much of this domain (tickers as ORG, "Bitcoin" as PERSON,
"DeFi" as ORG), so a span is kept only when it looks like a proper name that nothing else found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc

from nlp.entities.rules import CRYPTO_CONTEXT_WORDS, ner_type

# Articles, a title acronym ("KOL Banmuxia", "CEO Jane Doe") or a title word before a name.
_LEADING = re.compile(
    r"^(?:(?:the|The|THE|a|an|An|A)\s+|(?:[A-Z]{2,4}\s+)(?=[A-Z][a-z])"
    r"|(?:Chair(?:man|woman)?|Senator|Sen\.|Rep\.|Representative|President|Governor|Gov\."
    r"|Founder|Co-founder|Analyst|Professor|Prof\.|Dr\.|Mr\.|Ms\.|Mrs\.|Judge|Minister"
    r"|Secretary|Commissioner|Bitcoiner|Trader|Investor|Billionaire|Economist|Strategist|Engineer|Technologist|Host|Anchor|Lawyer|Attorney|Veteran|Former)\s+(?=[A-Z]))+"
)
_TRAILING = re.compile(r"(?:['’]s?|[\s,.;:])+$")
_GENERIC = frozenset(
    str.split("""etf etfs crypto bitcoin ethereum blockchain web3 defi nft nfts dao cex dex
    utc gmt est et pst yoy mom qoq ytd twitter x telegram discord reddit youtube""")
)

_DOMAIN_STEMS = ("bitcoin", "crypto", "ethereum", "blockchain", "stablecoin", "altcoin")


class NerFilter:
    """Keeps plausible proper-name NER spans and spreads each kept name over the document."""

    def __init__(self, english: frozenset[str]) -> None:
        """`english`: common English words; single-word names among them are too risky."""
        self._english = english

    def add(self, doc: Doc, chosen: list[Any], *, make: Callable[..., Any]) -> list[Any]:
        """`chosen` plus unlinked mentions built by `make` for NER spans nothing covers."""
        text = doc.text  # rebuilt from the tokens on every access: read it once
        taken = [(c.start, c.end) for c in chosen]
        names: dict[str, str] = {}
        out = list(chosen)
        for ent in doc.ents:
            for kept in _pieces(text, self._trim(text, ent.start_char, ent.end_char)):
                self._keep(text, (kept, ent.label_), taken=taken, names=names, out=out, make=make)
        for surface, kind in names.items():
            for m in re.finditer(rf"(?<![\w$]){re.escape(surface)}(?!\w)", text):
                if not _overlaps(taken, (m.start(), m.end())):
                    taken.append((m.start(), m.end()))
                    out.append(make(m.start(), m.end(), None, kind, surface, "ner", 6))
        return out

    def _keep(
        self,
        text: str,
        found: tuple[tuple[int, int], str],
        *,
        taken: list[tuple[int, int]],
        names: dict[str, str],
        out: list[Any],
        make: Callable[..., Any],
    ) -> None:
        """Add one trimmed NER span as an unlinked mention when it is a plausible name."""
        kept, label = found
        if not _overlaps(taken, kept):
            surface = text[kept[0] : kept[1]]
            kind = ner_type(label, surface)
            if label in {"GPE", "LOC", "FAC"} and kind == "ORGANIZATION":
                return  # a place ("Lugano", "San Salvador"); places are not annotated
            if kind is not None and self._plausible(surface, label):
                names.setdefault(surface, kind)
                taken.append(kept)
                out.append(make(kept[0], kept[1], None, kind, surface, "ner", 6))

    @staticmethod
    def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
        """Strip articles, a leading title acronym ("KOL Banmuxia") and a trailing 's."""
        span = text[start:end]
        lead = _LEADING.match(span)
        if lead:
            start += lead.end()
        tail = _TRAILING.search(text[start:end])
        if tail:
            end = start + tail.start()
        return (start, end) if end > start else None

    def _plausible(self, surface: str, label: str) -> bool:
        """Whether a trimmed NER span looks like a proper name worth reporting."""
        words = surface.split()
        if not surface[:1].isupper() and not surface[:1].isdigit():
            return False
        if len(words) > 6 or not re.search(r"[a-z]", surface):
            return False  # long runs or all-caps acronyms (LTH, AUM) are mostly noise here
        lowered = [w.lower().strip(".,'’") for w in words]
        if any(w in _GENERIC or w in CRYPTO_CONTEXT_WORDS for w in lowered):
            return False
        # "Bitcoiners", "Q1 Employment Cost Index": domain words and periods, not names
        if any(w.startswith(_DOMAIN_STEMS) for w in lowered) or re.match(r"[QH][1-4]\b", surface):
            return False
        if any(
            not (w[:1].isupper() or w[:1].isdigit() or w in {"of", "and", "&", "de"}) for w in words
        ):
            return False
        common = [w in self._english or w.rstrip("s") in self._english for w in lowered]
        if label in {"GPE", "LOC", "FAC"}:
            return not all(common)  # places are ordinary words in the lexicon; others may be firms
        # One common word ("Research") or a run of them (a report title) is rarely a name.
        return not all(common) or len(words) == 2


def _pieces(text: str, span: tuple[int, int] | None) -> list[tuple[int, int]]:
    """A span cut at list commas ("Cygni, Alarko Ventures") and after a possessive
    ("Neigut's State"): each piece is a name of its own."""
    if span is None:
        return []
    start, end = span
    m = re.search(r"['’]s\s", text[start:end])
    if m is not None:
        end = start + m.start()
    if re.search(
        r",\s*(?:Inc|Ltd|LLC|L\.P|Corp|Co|Jr|Sr|S\.A|AG|PLC|[A-Z]-\w+)\b", text[start:end]
    ):
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    if not re.search(r",\s+[A-Z]", text[start:end]):
        return [(start, end)]
    for m in re.finditer(r"[^,]+", text[start:end]):
        inner = m.group()
        lead = len(inner) - len(inner.lstrip())
        s0, s1 = start + m.start() + lead, start + m.start() + len(inner.rstrip())
        if s1 > s0:
            pieces.append((s0, s1))
    return pieces


def _overlaps(taken: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    """Whether `span` overlaps any span in `taken`."""
    return any(s < span[1] and span[0] < e for s, e in taken)
