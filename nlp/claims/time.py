"""The period a claim is about: the time expression that governs its number, or a default.

Choice, in order: an expression attached to the same verb as the number (explicit dates and
intervals before windows); the nearest one before the number in the same clause (up to a ";");
one right after it in the same phrase ("surged 22 basis points on October 31"); the nearest one
earlier in the sentence. "The same period" / "during the period" take the last multi-day period
of the article, "the four-day outflow" the last period of four trading (or calendar) days.
Observations with no time words are about the publication day and the day before it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta

from spacy.tokens import Doc, Token

from nlp.claims.frames import Frame, governing_verb, head_token, span_tokens
from nlp.claims.periods import TimeExpression

_EVENT_DAY = re.compile(r"(?i)\b(?:day of|on|during|since|after|before)\s+(?:the\s+)?$")
# "the largest inflow since July 2022": a comparison point, not the claim's period
_SINCE_RECORD = re.compile(
    r"(?i)\b(?:highest|lowest|largest|biggest|smallest|strongest|weakest|worst|best|most|least"
    r"|first|fastest|sharpest|record)\b[^.;]{0,60}\bsince\s+(?:the\s+[^.;]{0,40})?$"
)
_ADJACENT = re.compile(r"\s*(?:as of|as at|at|in|on|during|by)?\s*")
# Dependencies that climb from a time expression to what it modifies.
_ATTACH_DEPS = {"pobj", "prep", "pcomp", "npadvmod", "advmod", "nmod", "compound", "amod", "det"}
Anchored = tuple[TimeExpression, "Token | None"]
_RANK = {"interval": 0, "date": 0, "event": 0, "month": 1, "year": 1, "relative": 1, "reference": 2}


@dataclass
class Period:
    """A resolved claim period (dates may be None) and the text it came from."""

    start: date | None
    end: date | None
    text: str | None


@dataclass
class TimeMemory:
    """Multi-day periods seen so far in the article, for "the same period" references."""

    periods: list[tuple[date, date]] = field(default_factory=list)

    def remember(self, start: date | None, end: date | None) -> None:
        """Keep a multi-day period."""
        if start and end and end > start and (start, end) not in self.periods[-1:]:
            self.periods.append((start, end))

    def lookup(self, length_days: int | None) -> tuple[date, date] | None:
        """The latest period, or the latest one `length_days` long (trading or calendar days)."""
        for start, end in reversed(self.periods):
            if length_days is None:
                return start, end
            span = (end - start).days + 1
            weekdays = sum(1 for i in range(span) if (start + timedelta(days=i)).weekday() < 5)
            if length_days in {span, weekdays}:
                return start, end
        return None


def _verb_of(doc: Doc, expr: TimeExpression) -> int | None:
    """Token index of the verb a time expression attaches to."""
    head = head_token(span_tokens(doc, expr.start, expr.end))
    verb = governing_verb(head) if head is not None else None
    return verb.i if verb is not None else None


def _expr_head(doc: Doc, expr: TimeExpression) -> Token | None:
    """The parse head of a time expression."""
    return head_token(span_tokens(doc, expr.start, expr.end))


def _host_noun(head: Token) -> Token | None:
    """The noun a time expression modifies ("an uptrend from late March"), None if a verb's."""
    cur = head
    for _ in range(6):
        if cur.head.i == cur.i or cur.dep_ not in _ATTACH_DEPS:
            return None
        cur = cur.head
        if cur.pos_ in {"NOUN", "PROPN"}:
            return cur
        if cur.pos_ in {"VERB", "AUX"}:
            return None
    return None


def _in_other_clause(frame: Frame, head: Token) -> bool:
    """Whether the expression sits in a complement or relative clause that leaves the number out.

    "the odds that the Fed holds rates next month are 95%": "next month" dates the event the
    odds are about, not the measurement.
    """
    verb = governing_verb(head)
    if verb is None or frame.head is None or (frame.verb is not None and verb.i == frame.verb.i):
        return False
    if verb.dep_ not in {"acl", "relcl", "ccomp", "csubj"}:
        return False
    return frame.head not in list(verb.subtree)


def _usable(frame: Frame, exprs: list[TimeExpression], *, doc: Doc, text: str) -> list[Anchored]:
    """Time expressions that may date the frame's number, each with the noun it modifies."""
    q = frame.quantity
    found: list[Anchored] = []
    for e in exprs:
        lead = text[max(frame.sentence_start, e.start - 80) : e.start]
        if e.text.lower().startswith("since"):
            lead += "since "
        if (
            e.kind == "other"
            or (e.start < q.end and q.start < e.end)
            or (e.kind == "event" and not _EVENT_DAY.search(text[max(0, e.start - 25) : e.start]))
            or _SINCE_RECORD.search(lead)
        ):
            continue
        head = _expr_head(doc, e)
        if head is not None and _in_other_clause(frame, head):
            continue
        found.append((e, _host_noun(head) if head is not None else None))
    return found


def _own_nouns(frame: Frame) -> set[int]:
    """The noun the number measures and, in a relative clause, the noun the clause describes."""
    own = {t.i for t in (frame.anchor, frame.head) if t is not None}
    head = frame.head
    if (
        head is not None
        and head.dep_ == "pobj"
        and head.head.lower_ in {"from", "to"}
        and head.head.head.pos_ == "NOUN"
    ):
        own.add(head.head.head.i)  # "a drop ... from the mid-$30,000s"
    verb = frame.verb
    if verb is not None and verb.dep_ == "relcl":
        own.add(verb.head.i)
    return own


def _direct(
    frame: Frame, anchored: list[Anchored], *, doc: Doc, text: str
) -> TimeExpression | None:
    """An expression right after the number, else one on the noun the number measures."""
    q = frame.quantity
    adjacent = [
        e for e, _ in anchored if e.start >= q.end and _ADJACENT.fullmatch(text[q.end : e.start])
    ]
    if adjacent:
        return adjacent[0]
    own = _own_nouns(frame)
    mine = [
        e
        for e, noun in anchored
        if (noun is not None and noun.i in own)
        or any(e.start <= doc[i].idx < e.end for i in own)  # "the week, which now stands at"
    ]
    return min(mine, key=lambda e: abs(e.start - q.start)) if mine else None


def _pick(
    frame: Frame, exprs: list[TimeExpression], *, doc: Doc, text: str, others: list[int]
) -> TimeExpression | None:
    """The time expression that governs the frame's number, if any."""
    q = frame.quantity
    anchored = _usable(frame, exprs, doc=doc, text=text)
    if not anchored:
        return None
    direct = _direct(frame, anchored, doc=doc, text=text)
    if direct is not None:
        return direct
    subject = {c.i for c in frame.verb.children if c.dep_ == "nsubj"} if frame.verb else set()
    usable = [e for e, noun in anchored if noun is None or noun.i in subject]
    usable += [e for e, noun in anchored if e.start < q.start and e not in usable]
    usable.sort(key=lambda e: e.start)
    if not usable:
        return None
    adjacent = [
        e for e in usable if e.start >= q.end and _ADJACENT.fullmatch(text[q.end : e.start])
    ]
    explicit_before = any(e.kind != "window" and e.end <= q.start for e in usable)
    adjacent = [e for e in adjacent if e.kind != "window" or not explicit_before]
    if adjacent:
        return adjacent[0]
    if frame.verb is not None:
        same = [e for e in usable if _verb_of(doc, e) == frame.verb.i and e.kind != "window"]
        if same:
            # past another number, an expression rather dates that one
            return min(
                same,
                key=lambda e: (
                    bisect_left(others, e.start) - bisect_left(others, q.end),
                    _RANK.get(e.kind, 3),
                    e.start > q.start,
                    abs(e.start - q.start),
                ),
            )
    clause_start = max(frame.sentence_start, text.rfind(";", frame.sentence_start, q.start) + 1)
    before = [e for e in usable if clause_start <= e.start and e.end <= q.start]
    explicit = [e for e in before if e.kind != "window"]
    if explicit or before:
        return max(explicit or before, key=lambda e: e.start)
    after = [
        e
        for e in usable
        if e.start >= q.end
        and e.start - q.end < 40
        and not re.search(r"[,;]", text[q.end : e.start])
    ]
    if after:
        return after[0]
    earlier = [e for e in usable if e.end <= q.start and e.kind != "window"]
    return max(earlier, key=lambda e: e.start) if earlier else None


def claim_period(
    frame: Frame,
    exprs: list[TimeExpression],
    *,
    doc: Doc,
    text: str,
    memory: TimeMemory,
    others: list[int] | None = None,
) -> Period | None:
    """The period of the frame's claim from the sentence's time expressions; None if none.

    `others`: start offsets of the sentence's numbers, sorted.
    """
    expr = _pick(frame, exprs, doc=doc, text=text, others=others or [])
    if expr is None:
        return None
    if expr.kind == "reference":
        found = memory.lookup(expr.length_days)
        if found is None and expr.length_days is not None:
            found = memory.lookup(None)
        if found is not None:
            return Period(found[0], found[1], expr.text)
        return Period(None, None, expr.text)
    return Period(expr.period_start, expr.period_end, expr.text)


def default_period(claim_type: str, published: date | None) -> Period:
    """Observations and levels without time words: the publication day and the day before."""
    if published is None or claim_type not in {"observation", "threshold_level"}:
        return Period(None, None, None)
    return Period(published - timedelta(days=1), published, None)


# "the 2017 bull market", "its 2018 bear market", "the 2022 crash": a past episode named by year
_EPISODE_YEAR = re.compile(r"\b(?:the|its|their|his|her)\s+((?:19|20)\d{2})\s+(?!\d)[a-z]")


def past_episode(sentence_left: str, published: date | None) -> Period | None:
    """The years of the past episodes that `sentence_left` (the clause before a number) names,
    when all are long past."""
    if published is None:
        return None
    years = [int(y) for y in _EPISODE_YEAR.findall(sentence_left)]
    if not years or max(years) > published.year - 2:
        return None
    first, last = min(years), max(years)
    return Period(date(first, 1, 1), date(last, 12, 31), f"{first}-{last}")
