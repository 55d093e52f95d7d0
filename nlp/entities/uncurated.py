"""Ids for names the knowledge base does not know, and their short forms within an article.

Every PERSON / organization mention left unlinked gets a deterministic id from its normalized full
name (`person:maria-lopez`, `org:acme-research`), so the same name is one entity across articles.
Within an article, later short forms take the full name's id: a bare surname or first name
("Lopez" after "Maria Lopez"), a handle ("@AcmeResearch"), and the old name in "X (formerly Y)".
A short form that fits two different full names in the article (two Lopezes) stays unlinked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from typing import Any

PERSON_TYPES = frozenset({"PERSON"})
ORG_TYPES = frozenset({"COMPANY", "ORGANIZATION", "GOV_BODY", "EXCHANGE"})
_FORMERLY = re.compile(
    r"\s*[(,]\s*(?P<word>formerly|previously|once|now|earlier)(?:\s+(?:known|called))?"
    r"(?:\s+as)?\s+(?P<other>[A-Z][\w.&'’-]*(?:\s+[A-Z0-9][\w.&'’-]*){0,4})"
)
# A fund named after its issuer: "ARK Innovation ETF", "Valkyrie Bitcoin Strategy Fund".
_FUND_TAIL = re.compile(
    r"(?:\s+(?:[A-Z][\w&.-]*|of|and|&)){1,5}?\s+(?:ETF|Fund|Trust|ETP)(?![\w-])"
    r"|\s+(?:[Bb]itcoin|BTC|[Ee]ther(?:eum)?|ETH)\s+(?:trust|fund)(?![\w-])"
)
# "National Bitcoin Office (ONBTC)": an all-caps short form in brackets right after a name.
_ACRONYM = re.compile(r"\s*\(([A-Z][A-Z0-9&]{1,7}\+?)\)")
_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{2,30})\b")
_POSSESSIVE = re.compile(r"['’]s?$")


def slugify(name: str) -> str:
    """'María López' -> 'maria-lopez': ASCII-folded, lower case, runs of other characters as '-'."""
    bare = _POSSESSIVE.sub("", name.strip())
    folded = unicodedata.normalize("NFKD", bare).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def uncurated_id(name: str, entity_type: str) -> str | None:
    """The deterministic id of a name the KB does not know, or None when it has no letters."""
    slug = slugify(name)
    if not slug or not re.search(r"[a-z]", slug):
        return None
    if entity_type in PERSON_TYPES:
        return f"person:{slug}"
    return f"org:{slug}" if entity_type in ORG_TYPES else None


def _words(surface: str) -> list[str]:
    """The name's words without a trailing possessive."""
    return [w for w in re.split(r"\s+", _POSSESSIVE.sub("", surface.strip())) if w]


def _full_names(text: str, cands: list[Any]) -> list[Any]:
    """Person mentions of two or more words, and a first name standing for a full one
    ("Cameron" in "Cameron and Tyler Winklevoss"): the forms short names can point back to."""
    return [c for c in cands if c.type == "PERSON" and len(_name_words(text, c)) >= 2]


def _name_words(text: str, cand: Any) -> list[str]:
    """The words of a person mention, or of its full name when a coordinated first name
    stands for it."""
    words = _words(text[cand.start : cand.end])
    if len(words) == 1 and cand.source == "coref" and cand.entity_id is not None:
        return _words(cand.name)
    return words


def _short_form_owner(text: str, cand: Any, full: list[Any]) -> tuple[bool, Any | None]:
    """(is a short form, the one full name it belongs to or None when several fit)."""
    words = _words(text[cand.start : cand.end])
    if len(words) != 1 or cand.type != "PERSON":
        return False, None
    owners: dict[str, Any] = {}
    for f in full:
        parts = _name_words(text, f)
        if words[0] in (parts[0], parts[-1]) and f is not cand:
            owners.setdefault(f.entity_id or slugify(text[f.start : f.end]), f)
    if not owners:
        return False, None
    return True, next(iter(owners.values())) if len(owners) == 1 else None


def assign_ids(text: str, cands: list[Any], *, known: Callable[[str], bool]) -> list[Any]:
    """Give unlinked names their derived ids and resolve short forms, handles and old names.

    `known(id)` says whether the KB has an id. Returns the candidates plus the mentions added for
    handles; candidates are changed in place."""
    full = _full_names(text, cands)
    for f in full:
        if f.entity_id is None:
            _set(f, uncurated_id(text[f.start : f.end], f.type), _clean(text[f.start : f.end]))
    for cand in cands:
        is_short, owner = _short_form_owner(text, cand, full)
        if is_short and cand.source in {"ner", "coref"}:
            cand.entity_id = owner.entity_id if owner is not None else None
            cand.name = owner.name if owner is not None else text[cand.start : cand.end]
        elif cand.entity_id is None and not is_short and cand.type in ORG_TYPES:
            _set(cand, uncurated_id(text[cand.start : cand.end], cand.type), cand.name)
    _resolve_formerly(text, cands)
    _named_funds(text, cands)
    return cands + _handles(text, cands) + _acronyms(text, cands)


def _named_funds(text: str, cands: list[Any]) -> None:
    """An issuer's name that opens a fund's name the KB lacks becomes that fund (an ETF with a
    derived `etf:` id), so the fund does not pass for its issuer."""
    for cand in cands:
        linked = cand.entity_id is not None or cand.source == "ner"
        if cand.type not in {"COMPANY", "PERSON"} or not linked:
            continue
        m = _FUND_TAIL.match(text, cand.end)
        if m is not None and cand.type == "PERSON" and m.group()[1:2].isupper():
            continue  # a person opens a fund's name only as "Winklevoss bitcoin trust"
        if m is None or any(
            c is not cand and c.start < m.end() and cand.end <= c.start and c.entity_id
            for c in cands
            if c.type not in {"CRYPTO_ASSET"}
        ):
            continue
        name = text[cand.start : m.end()]
        cand.end, cand.type, cand.name = m.end(), "ETF", name
        cand.entity_id = f"etf:{slugify(name)}"


def _clean(surface: str) -> str:
    """The display name of a surface: without a trailing possessive."""
    return " ".join(_words(surface))


def _set(cand: Any, entity_id: str | None, name: str) -> None:
    """Link a candidate to a derived id (no-op when the name yields none)."""
    if entity_id is not None:
        cand.entity_id, cand.name = entity_id, name


def _resolve_formerly(text: str, cands: list[Any]) -> None:
    """'Meta (formerly Facebook)': the old name, here and later, is the same entity."""
    by_start = {c.start: c for c in cands}
    for cand in list(cands):
        if cand.entity_id is None:
            continue
        m = _FORMERLY.match(text, cand.end)
        if m is None:
            continue
        other = _clean(m.group("other"))
        for occ in re.finditer(rf"(?<!\w){re.escape(other)}(?!\w)", text):
            found = by_start.get(occ.start())
            if found is not None and found.end == occ.end():
                found.entity_id, found.name = cand.entity_id, cand.name
            elif not any(c.start < occ.end() and occ.start() < c.end for c in cands):
                added = replace(cand, start=occ.start(), end=occ.end(), source="coref", host=None)
                cands.append(added)
                by_start[added.start] = added


def _acronyms(text: str, cands: list[Any]) -> list[Any]:
    """'National Bitcoin Office (ONBTC)': the bracketed acronym and its later uses are the
    organization named just before it (when nothing else claims the acronym)."""
    added: list[Any] = []
    for owner in [c for c in cands if c.entity_id is not None and c.type in ORG_TYPES]:
        m = _ACRONYM.match(text, owner.end)
        if m is None or len(_words(text[owner.start : owner.end])) < 2:
            continue
        acronym = m.group(1)
        for occ in re.finditer(rf"(?<![\w@$]){re.escape(acronym)}(?![\w+])", text):
            start, end = occ.start(), occ.end()
            if any(c.start < end and start < c.end for c in cands + added):
                continue
            added.append(replace(owner, start=start, end=end, source="coref", host=None))
    return added


def _handles(text: str, cands: list[Any]) -> list[Any]:
    """'@AcmeResearch' after 'Acme Research': the handle names the entity."""
    compact: dict[str, Any] = {}
    for c in cands:
        if c.entity_id is not None and c.type in PERSON_TYPES | ORG_TYPES:
            compact.setdefault(re.sub(r"[^a-z0-9]", "", slugify(c.name)), c)
    added: list[Any] = []
    for m in _HANDLE.finditer(text):
        owner = compact.get(m.group(1).lower())
        start, end = m.start(), m.end()
        if owner is None or any(c.start < end and start < c.end for c in cands):
            continue
        added.append(replace(owner, start=start, end=end, source="coref", host=None))
    return added
