"""Entity linking: knowledge-base surface forms first, text patterns next, spaCy NER last.

Candidates come from three sources, in order of trust:
1. KB surface forms matched on tokens (spaCy PhraseMatcher): aliases case-insensitively (short
   all-caps aliases and `case_sensitive_aliases` with exact case), tickers with exact case.
   Ambiguous tickers (English words such as NEAR, LINK, ONE) link only with context.
2. Patterns: dated crash events, rate-cut meetings, country equity markets, ETF groups such as
   "US-listed bitcoin ETFs", and spelled-out forms of an acronym the KB knows ("general account
   (TGA)"). A pattern span links to a KB entity when its normalized text is a KB surface form.
3. spaCy NER ORG / PERSON / GPE spans that nothing above covers, filtered for junk; they stay
   unlinked (entity_id None) with a type.
Overlaps resolve to the longest span; a crypto asset inside an ETF-group span is kept as a
nested mention (`nested_in`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from nlp.entities.candidates import (
    NOT_FIRST_NAMES,
    Candidate,
    acronym_expansions,
    compound_candidates,
    glued_pairs,
    one_edit,
    propagate_surnames,
    resolve_overlaps,
)
from nlp.entities.descriptions import anaphor_mentions, load_table, ranked_mentions
from nlp.entities.kb import KnowledgeBase
from nlp.entities.ner_filter import NerFilter
from nlp.entities.patterns import (
    ORG_EVENT_WORDS,
    domain_stems,
    normalize_surface,
    org_event_keys,
    parametric_entity,
    pattern_hits,
    reduced_surface,
)
from nlp.entities.rules import (
    CRYPTO_CONTEXT_WORDS,
    FIRM_VERBS,
    GUARDED_WORDS,
    TickerContext,
    english_words,
    generic_inflation_swap,
    guarded_word_ok,
    is_shouting,
    issuer_reading,
    one_fund,
)
from nlp.entities.uncurated import assign_ids, uncurated_id
from nlp.sentences import SentenceIndex, SentenceSpan
from nlp.types import EntityMention

# Lower rank wins when two KB readings share a span.
_KIND_RANK = {"alias_cs": 0, "ticker": 1, "alias": 2, "ambiguous_ticker": 3}


class EntityLinker:
    """Finds and links entity mentions in a spaCy Doc; build once, call per document."""

    def __init__(self, nlp: Language, kb: KnowledgeBase) -> None:
        """Compile the KB's surface forms into token matchers."""
        self.kb = kb
        self._words = english_words(nlp)
        self._ci = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._cs = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._readings: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        self._by_surface: dict[str, str] = {}
        self._tickers: set[str] = set()
        self._plain_tickers: set[str] = set()  # tickers that link without context
        # KB people's two-word names by first name: {first: [(first, last, id)]}
        self._people: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        self._ner_filter = NerFilter(self._words)
        self._compile(nlp)

    def _compile(self, nlp: Language) -> None:
        """Add one pattern per distinct surface to the case-(in)sensitive matcher."""
        ci: dict[str, str] = {}
        cs: dict[str, str] = {}
        for surface, entity_id, kind in self.kb.surface_forms():
            if kind in {"ticker", "ambiguous_ticker"}:
                self._tickers.add(surface)
            if kind == "ticker" and len(surface) > 2:
                self._plain_tickers.add(surface)
            # Short all-caps aliases (TGA, SEC, CPI) would hit ordinary words in lower case.
            exact = kind != "alias" or (surface.isupper() and len(surface) <= 5)
            key = f"{'cs' if exact else 'ci'}|{surface if exact else surface.casefold()}"
            (cs if exact else ci)[key] = surface
            self._readings[key].append((entity_id, kind, surface))
            self._by_surface.setdefault(normalize_surface(surface), entity_id)
            entity = self.kb.get(entity_id)
            if kind == "alias" and entity is not None and entity.type == "PERSON":
                words = surface.split()
                if len(words) == 2:
                    self._people[words[0]].append((words[0], words[1], entity_id))
        for key, surface in ci.items():
            self._ci.add(key, [nlp.make_doc(surface)])
        for key, surface in cs.items():
            self._cs.add(key, [nlp.make_doc(surface)])

    def link(
        self,
        doc: Doc,
        sentences: list[SentenceSpan],
        *,
        use_ner: bool = True,
        published: date | None = None,
    ) -> list[EntityMention]:
        """Every entity mention in `doc`, sorted by position, nested mentions after their host.

        `published` dates mentions such as "the June meeting"; NER is skipped when `use_ner` is
        false (non-English text)."""
        text = doc.text
        index = SentenceIndex(sentences)
        kb_cands = self._kb_candidates(doc, index)
        self._issuers(text, kb_cands)
        pattern_cands = self._pattern_candidates(text, kb_cands, published=published)
        pattern_cands += compound_candidates(text, kb_cands, index)
        cands = [
            c
            for c in kb_cands + pattern_cands
            if not (c.group and c.type == "ETF" and one_fund(text, c.start, c.end))
        ]
        chosen = resolve_overlaps(cands)
        if use_ner:
            chosen = self._ner_filter.add(doc, chosen, make=Candidate)
        chosen = self._coordinated_first_names(text, chosen)
        chosen = propagate_surnames(text, chosen)
        chosen = assign_ids(text, chosen, known=lambda i: self.kb.get(i) is not None)
        self._misspelled_people(text, chosen)
        chosen = ranked_mentions(text, chosen, kb=self.kb, make=self._description)
        chosen = anaphor_mentions(text, chosen, kb=self.kb, index=index)
        self._inflation_family(text, chosen)
        ordered = sorted(chosen, key=lambda c: (c.start, -c.end))
        position = {id(c): i for i, c in enumerate(ordered)}
        mentions = [self._mention(text, c, index=index, position=position) for c in ordered]
        for m in mentions:
            m.curated = None if m.entity_id is None else self.kb.get(m.entity_id) is not None
        return mentions

    def _kb_candidates(self, doc: Doc, index: SentenceIndex) -> list[Candidate]:
        """KB matches with case and context rules applied; one reading per span."""
        text = doc.text
        spans: dict[tuple[int, int], list[tuple[str, str, str]]] = defaultdict(list)
        for matcher in (self._ci, self._cs):
            for match_id, start, end in matcher(doc):
                key = doc.vocab.strings[match_id]
                span = doc[start:end]
                if key.startswith("cs|") and not self._capital_ok(span, index):
                    continue
                if key[3:] in GUARDED_WORDS and not guarded_word_ok(span):
                    continue
                for entity_id, kind, surface in self._readings[key]:
                    if self._surface_ok(span.text, surface, kind):
                        spans[(span.start_char, span.end_char)].append((entity_id, kind, surface))
        spans.update(glued_pairs(doc, self._tickers, self._readings))
        firm = self._firm_counts(spans)
        cands: list[Candidate] = []
        for (start, end), readings in spans.items():
            readings.sort(key=lambda r: (_KIND_RANK[r[1]], -firm[r[0]]))
            entity_id, kind, _ = readings[0]
            if kind == "ambiguous_ticker" and not self._ticker_context_ok(
                text, (start, end), index
            ):
                continue
            cands.append(self._kb_candidate((start, end), entity_id, rank=_KIND_RANK[kind]))
        return cands

    def _kb_candidate(self, span: tuple[int, int], entity_id: str, *, rank: int) -> Candidate:
        """A candidate carrying the KB entity's name and type."""
        entity = self.kb.get(entity_id)
        assert entity is not None
        group = "group" in entity.tags
        return Candidate(span[0], span[1], entity_id, entity.type, entity.name, "kb", rank, group)

    def _description(self, start: int, end: int, entity_id: str) -> Candidate:
        """A ranked description ("the largest stablecoin") naming a KB entity."""
        return replace(self._kb_candidate((start, end), entity_id, rank=4), source="description")

    @staticmethod
    def _firm_counts(spans: dict[tuple[int, int], list[tuple[str, str, str]]]) -> Counter[str]:
        """How often each entity is matched without ambiguity (helps pick between readings)."""
        firm: Counter[str] = Counter()
        for readings in spans.values():
            ids = {r[0] for r in readings}
            if len(ids) == 1 and readings[0][1] != "ambiguous_ticker":
                firm[readings[0][0]] += 1
        return firm

    def _surface_ok(self, found: str, surface: str, kind: str) -> bool:
        """Case rules: a lower-case common English word does not match a capitalized alias."""
        if kind != "alias" or not found.islower() or surface.islower():
            return True
        tokens = re.findall(r"[a-z]+", found)
        # Only single common words are risky ("balancer", "fidelity", "ripple", "compound").
        return not (len(tokens) == 1 and self._is_word(tokens[0]))

    def _capital_ok(self, span: Span, index: SentenceIndex) -> bool:
        """A capitalized common word ("Circle", "Strategy") opening a sentence names the firm
        only when the tagger reads it as a proper noun."""
        if len(span) != 1 or not self._is_word(span.text.lower()) or span.text.isupper():
            return True
        sent_i = index.of(span.start_char)
        at_start = sent_i is not None and index.span(sent_i).start == span.start_char
        if not at_start or span[0].pos_ in {"PROPN", ""}:
            return True
        # "Strategy bought", "Circle's", "Circle says": a past-tense verb, a possessive, or a
        # present-tense verb firms do ("says", "plans") but ordinary nouns rarely ("matters").
        follower = span.doc[span.end] if span.end < len(span.doc) else None
        if follower is None:
            return False
        return follower.tag_ in {"VBD", "POS"} or (
            follower.tag_ == "VBZ" and follower.lower_.removesuffix("s") in FIRM_VERBS
        )

    def _is_word(self, word: str) -> bool:
        """Whether `word` (or its singular) is a common English word."""
        return word in self._words or (word.endswith("s") and word[:-1] in self._words)

    def _ticker_context_ok(self, text: str, span: tuple[int, int], index: SentenceIndex) -> bool:
        """An ambiguous ticker links only as a cashtag, pair, (TICKER), quantity or near crypto."""
        ctx = TickerContext(text, span[0], span[1])
        if ctx.cashtag() or ctx.parenthesized() or ctx.paired(self._tickers):
            return True
        sent_i = index.of(span[0])
        if sent_i is None:
            return False
        sent = index.span(sent_i)
        # One- and two-letter tickers (C, V, MA, OP) need one of the strong signals above.
        if span[1] - span[0] <= 2 or is_shouting(text[sent.start : sent.end]):
            return False
        if ctx.quantity() or ctx.next_word_marks_ticker():
            return True
        window = text[max(sent.start, span[0] - 80) : min(sent.end, span[1] + 80)]
        words = re.findall(r"[A-Za-z][A-Za-z0-9-]*", window)
        return any(w.lower() in CRYPTO_CONTEXT_WORDS or w in self._plain_tickers for w in words)

    def _pattern_candidates(
        self, text: str, kb_cands: list[Candidate], *, published: date | None
    ) -> list[Candidate]:
        """Pattern spans, linked through the KB when their normalized text is a known surface,
        else to a parametric id (moving averages, FOMC meetings) or left unlinked."""
        cands: list[Candidate] = []
        for hit in pattern_hits(text):
            surface = text[hit.start : hit.end]
            cand = self._lookup((hit.start, hit.end), surface)
            reduced = reduced_surface(surface) if cand is None else None
            if reduced is not None:
                cand = self._lookup((hit.start, hit.end), reduced)
            if cand is not None:
                cands.append(replace(cand, group=hit.group or cand.group))
            elif hit.type != "EVENT" or not self._names_known_asset(surface):
                entity_id, name = parametric_entity(surface, published) or (None, surface)
                known = self.kb.get(entity_id) if entity_id else None
                name = known.name if known is not None else name
                cands.append(
                    Candidate(
                        hit.start, hit.end, entity_id, hit.type, name, "pattern", 4, hit.group
                    )
                )
        for start, end, stem in domain_stems(text):
            cand = self._lookup((start, end), stem)
            if cand is not None and cand.type == "CRYPTO_ASSET":
                # "Bitcoin.org" is a website, not the asset.
                name = text[start:end]
                entity_id = uncurated_id(name, "ORGANIZATION")
                cands.append(Candidate(start, end, entity_id, "ORGANIZATION", name, "pattern", 4))
            elif cand is not None:
                cands.append(cand)
        cands.extend(self._org_events(text, kb_cands))
        cands.extend(acronym_expansions(text, kb_cands))
        return cands

    def _org_events(self, text: str, kb_cands: list[Candidate]) -> list[Candidate]:
        """'the FTX debacle': an organization (or an asset, when the KB knows the event) and an
        event word form an event span, linked when the KB knows it by that word or a synonym."""
        out: list[Candidate] = []
        for cand in kb_cands:
            firm = cand.type in {"EXCHANGE", "COMPANY", "PROTOCOL", "ORGANIZATION"}
            m = ORG_EVENT_WORDS.match(text, cand.end)
            if not m or not (firm or cand.type == "CRYPTO_ASSET"):
                continue
            span = (cand.start, m.end())
            org, word = text[cand.start : cand.end], m.group().strip()
            found = (self._lookup(span, key) for key in org_event_keys(org, word))
            linked = next((c for c in found if c is not None), None)
            name = text[span[0] : span[1]]
            event = Candidate(*span, None, "EVENT", name, "pattern", 4, True)
            if linked is not None:
                out.append(replace(linked, group=True))
            elif firm:  # "the Solana meltdown" with no known event stays the asset
                out.append(event)
        return out

    def _coordinated_first_names(self, text: str, chosen: list[Candidate]) -> list[Candidate]:
        """'Cameron and Tyler Winklevoss': the bare first name before "and" shares the full
        name's surname, so it is a person of its own ("Cameron Winklevoss")."""
        out = list(chosen)
        for cand in chosen:
            parts = text[cand.start : cand.end].split()
            if cand.type != "PERSON" or len(parts) != 2:
                continue
            m = re.search(r"(?<![\w.])([A-Z][a-z]{2,})\s+(?:and|&)\s+$", text[: cand.start])
            if m is None or m.group(1) in NOT_FIRST_NAMES:
                continue
            start, end = m.start(1), m.end(1)
            before = re.search(r"([A-Z][\w.'’-]*)\s+$", text[:start])
            if before and not self._is_word(before.group(1).lower()):
                continue  # "Maria Lopez and Daniel Lopez": the word is a surname
            there = [c for c in out if c.start < end and start < c.end]
            if any((c.start, c.end) != (start, end) or c.source != "ner" for c in there):
                continue
            name = f"{m.group(1)} {parts[1]}"
            entity_id = self._by_surface.get(normalize_surface(name))
            known = self.kb.get(entity_id) if entity_id else None
            out = [c for c in out if c not in there]
            out.append(
                Candidate(
                    start, end, known.id if known else uncurated_id(name, "PERSON"), "PERSON",
                    known.name if known else name, "coref", 5,
                )
            )  # fmt: skip
        return out

    def _misspelled_people(self, text: str, chosen: list[Candidate]) -> None:
        """'Cathie Woods', 'Paolo Adoino': a full name the KB lacks that differs from a KB
        person's full name by one letter in the surname (same first name, surname of five
        letters or more) is that person, with its short forms."""
        renamed: dict[str, Candidate] = {}
        for cand in chosen:
            parts = text[cand.start : cand.end].split()
            if cand.type != "PERSON" or len(parts) != 2 or cand.entity_id is None:
                continue
            if self.kb.get(cand.entity_id) is not None or len(parts[1]) < 5:
                continue
            matches = {
                eid for _, last, eid in self._people.get(parts[0], ()) if one_edit(parts[1], last)
            }
            if len(matches) == 1:
                renamed[cand.entity_id] = self._kb_candidate((0, 0), matches.pop(), rank=5)
        for cand in chosen:
            new = renamed.get(cand.entity_id or "")
            if new is not None:
                cand.entity_id, cand.name = new.entity_id, new.name

    def _issuers(self, text: str, cands: list[Candidate]) -> None:
        """Bare "Tether" is the stablecoin unless the text makes it the issuing company ("Tether
        said", "Tether's chief technology officer", "CEO of Tether")."""
        for cand in cands:
            issuer_id = load_table().issuers.get(cand.entity_id or "")
            issuer = self.kb.get(issuer_id) if issuer_id else None
            if issuer is None or text[cand.start : cand.end].isupper():
                continue  # a ticker (USDT) is always the token
            if issuer_reading(text, cand.start, cand.end):
                cand.entity_id, cand.type, cand.name = issuer.id, issuer.type, issuer.name

    def _inflation_family(self, text: str, chosen: list[Candidate]) -> None:
        """Generic "core inflation" follows the gauge the article itself names (CPI or PCE)."""
        named = [(text[c.start : c.end], c.entity_id) for c in chosen]
        for cand in chosen:
            swapped = generic_inflation_swap(text[cand.start : cand.end], cand.entity_id, named)
            entity = self.kb.get(swapped) if swapped else None
            if entity is not None:
                cand.entity_id, cand.name = entity.id, entity.name

    def _lookup(self, span: tuple[int, int], surface: str) -> Candidate | None:
        """A pattern candidate for `span`, linked to the KB entity that has `surface` as a form."""
        entity_id = self._by_surface.get(normalize_surface(surface))
        if entity_id is None or self.kb.get(entity_id) is None:
            return None
        return replace(self._kb_candidate(span, entity_id, rank=4), source="pattern")

    def _names_known_asset(self, surface: str) -> bool:
        """Whether a pattern span starts with a KB crypto asset ("Ethereum upgrade")."""
        entity_id = self._by_surface.get(normalize_surface(surface.split(maxsplit=1)[0]))
        entity = self.kb.get(entity_id) if entity_id else None
        return entity is not None and entity.type == "CRYPTO_ASSET"

    @staticmethod
    def _mention(
        text: str, cand: Candidate, *, index: SentenceIndex, position: dict[int, int]
    ) -> EntityMention:
        """The output record for a chosen candidate."""
        return EntityMention(
            start=cand.start,
            end=cand.end,
            text=text[cand.start : cand.end],
            entity_id=cand.entity_id,
            name=cand.name,
            type=cand.type,
            sentence_index=index.of(cand.start),
            nested_in=position.get(id(cand.host)) if cand.host is not None else None,
        )


# Capitalized words before "and <full name>" that are not first names.
