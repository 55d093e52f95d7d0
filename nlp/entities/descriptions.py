"""Descriptions and anaphora: "the world's largest cryptocurrency", "the Nasdaq-listed miner".

Two kinds of noun phrase name an entity without its name (the table is descriptions.yaml):
- ranked descriptions name one KB entity by its rank ("the second-largest token" is Ether);
- anaphors ("the firm", "the asset manager", "the fund", "the CEO") point back to the most
  recent entity of a compatible type (and KB tag, where the noun needs one) in the same or the
  previous sentence. Precision first: when two different compatible entities are in reach, or
  none, the phrase stays unlinked and is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nlp.entities.kb import KnowledgeBase
from nlp.sentences import SentenceIndex

_TABLE = Path(__file__).resolve().parent / "descriptions.yaml"
_DETERMINER = r"(?P<det>\b[Tt]he)\s+"
# Up to two modifiers: "Nasdaq-listed", "New York-based", "crypto", "US".
_MODIFIER = (
    r"(?:(?:[A-Z][a-z]+\s)?[A-Za-z0-9.&]+-(?:listed|based|headquartered|focused|backed|native)"
    r"|crypto|cryptocurrency|bitcoin|Bitcoin|ether|digital|spot|blockchain|US|U\.S\.|American"
    r"|Canadian|European|Swiss|German|British|Asian|Chinese|Japanese|Korean|Australian|Hong Kong"
    r"|Singaporean|investment|mining|asset|fintech|embattled|beleaguered|troubled|bankrupt)"
)
# The noun ends the phrase: punctuation, a verb or a preposition follows ("the firm said", "the
# fund, which"), not another noun ("the exchange rate", "the token price").
_CLAUSE_GOES_ON = (
    r"(?=\s*[,.;:!?)\"”’]|['’]s\b|\s+(?:is|was|has|had|have|said|says|will|would|could|can|may"
    r"|might|also|added|noted|plans|aims|expects|did|does|remains|and|in|on|at|to|for|with|from|by"
    r"|as|after|since|last|this|now|which|who|itself|currently|recently|[a-z]+ed)\b)"
)
_WORLD = r"(?:world['’]s\s+|industry['’]s\s+|market['’]s\s+)?"


@dataclass(frozen=True)
class Anaphor:
    """What an anaphoric noun can point back to."""

    types: frozenset[str]
    tags: frozenset[str]


@dataclass(frozen=True)
class DescriptionTable:
    """Compiled ranked descriptions, anaphor nouns and token issuers."""

    ranked: dict[str, str]  # lower-cased phrase -> KB id
    ranked_re: re.Pattern[str]
    anaphors: dict[str, Anaphor]
    anaphor_re: re.Pattern[str]
    issuers: dict[str, str]  # token id -> the company id that shares its name


def _phrase_re(phrase: str) -> str:
    """A phrase with any whitespace between words and either hyphen or space in compounds."""
    words = [re.escape(w) for w in phrase.split()]
    return r"\s+".join(words).replace(r"\-", r"[-\s]")


@lru_cache(maxsize=4)
def load_table(path: Path = _TABLE) -> DescriptionTable:
    """The description table from YAML, compiled once."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ranked = {p.lower(): eid for eid, phrases in data["ranked"].items() for p in phrases}
    anaphors = {
        noun.lower(): Anaphor(frozenset(spec["types"]), frozenset(spec.get("tags", ())))
        for noun, spec in data["anaphors"].items()
    }
    by_length = sorted(ranked, key=len, reverse=True)
    ranked_re = re.compile(
        _DETERMINER + _WORLD + "(?P<phrase>" + "|".join(_phrase_re(p) for p in by_length) + r")\b",
        re.IGNORECASE,
    )
    nouns = sorted(anaphors, key=len, reverse=True)
    anaphor_re = re.compile(
        _DETERMINER
        + rf"(?:{_MODIFIER}\s+){{0,2}}"
        + "(?P<noun>(?i:"
        + "|".join(_phrase_re(n) for n in nouns)
        + r"))(?![\w-])"
        + _CLAUSE_GOES_ON
    )
    issuers = {str(k): str(v) for k, v in (data.get("issuers") or {}).items()}
    return DescriptionTable(ranked, ranked_re, anaphors, anaphor_re, issuers)


def _norm(phrase: str) -> str:
    """Lower case, single spaces, so the matched text finds its table row."""
    return re.sub(r"\s+", " ", phrase).lower()


def _overlaps(cands: list[Any], start: int, end: int) -> list[Any]:
    """Candidates overlapping [start, end)."""
    return [c for c in cands if c.start < end and start < c.end]


def ranked_mentions(
    text: str, cands: list[Any], *, kb: KnowledgeBase, make: Callable[[int, int, str], Any]
) -> list[Any]:
    """`cands` with ranked descriptions added; words inside a description are dropped."""
    table = load_table()
    out = list(cands)
    for m in table.ranked_re.finditer(text):
        entity_id = table.ranked.get(_norm(m.group("phrase")))
        if entity_id is None or kb.get(entity_id) is None:
            continue
        start, end = m.start("det"), m.end()
        inside = _overlaps(out, start, end)
        if any(c.start < start or c.end > end for c in inside):
            continue  # part of a longer name ("the largest cryptocurrency exchange FTX")
        out = [c for c in out if c not in inside]
        out.append(make(start, end, entity_id))
    return out


def anaphor_mentions(
    text: str, cands: list[Any], *, kb: KnowledgeBase, index: SentenceIndex
) -> list[Any]:
    """Mentions for anaphors whose antecedent is clear, copied from that antecedent."""
    table = load_table()
    added: list[Any] = []
    for m in table.anaphor_re.finditer(text):
        start, end = m.start("det"), m.end()
        # Names among the modifiers ("the Nasdaq-listed miner") stay; the noun must be free.
        if _overlaps(cands, m.start("noun"), end) or _overlaps(added, start, end):
            continue
        anaphor = table.anaphors[_norm(m.group("noun"))]
        reach = (_reach(index, start)[0], _sentence_end(index, end))
        antecedent = _antecedent(cands, anaphor, kb=kb, reach=reach)
        if antecedent is None or antecedent.start > start or _apposition(text, cands, start):
            continue
        if not _unknown_name_between(text, cands, antecedent, start=start):
            added.append(replace(antecedent, start=start, end=end, source="anaphor", host=None))
    return cands + added


_NOT_NAMES = frozenset(
    str.split("""Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
    April May June July August September October November December US UK EU""")
)


def _unknown_name_between(text: str, cands: list[Any], antecedent: Any, *, start: int) -> bool:
    """Whether a capitalized word nothing recognized stands between the antecedent's last
    mention and the anaphor: an unseen name may be what the anaphor means."""
    last = max(c.end for c in cands if c.entity_id == antecedent.entity_id and c.end <= start)
    for m in re.finditer(r"\b[A-Z][A-Za-z0-9]+(?![\w-])", text[last:start]):
        pos = last + m.start()
        before = text[:pos].rstrip()
        if (
            m.group() in _NOT_NAMES
            or not before
            or before[-1] in ".!?:;\"“”'‘’("
            or _overlaps(cands, pos, pos + 1)
        ):
            continue
        return True
    return False


def _apposition(text: str, cands: list[Any], start: int) -> bool:
    """'Michael Saylor, the founder and chairman of ...': a description set beside a name
    describes it; it is not a mention of its own."""
    before = text[:start].rstrip()
    return before.endswith(",") and any(c.end == len(before) - 1 for c in cands)


def _sentence_end(index: SentenceIndex, pos: int) -> int:
    """Where the sentence holding `pos` ends: a compatible name later in it makes the anaphor
    ambiguous ("the company's bets make MicroStrategy ...")."""
    sent = index.of(pos)
    return index.span(sent).end if sent is not None else pos


def _reach(index: SentenceIndex, start: int) -> tuple[int, int]:
    """[from, to): the previous sentence's start up to the anaphor."""
    sent = index.of(start)
    if sent is None:
        return max(0, start - 300), start
    first = index.span(max(0, sent - 1)).start
    return first, start


def _antecedent(
    cands: list[Any], anaphor: Anaphor, *, kb: KnowledgeBase, reach: tuple[int, int]
) -> Any | None:
    """The one compatible linked entity in reach, or None when there are none or several."""
    found: dict[str, Any] = {}
    for c in sorted(cands, key=lambda c: c.start):
        if c.entity_id is None or c.source == "anaphor" or getattr(c, "host", None) is not None:
            continue
        if not (reach[0] <= c.start and c.end <= reach[1]) or c.type not in anaphor.types:
            continue
        if anaphor.tags:
            entity = kb.get(c.entity_id)
            if entity is None or not anaphor.tags & set(entity.tags):
                continue
        found[c.entity_id] = c
    return next(iter(found.values())) if len(found) == 1 else None
