"""Numeric claims: every number in an article as a structured record (value, unit, subject, ...).

`extract_claims(ctx)` finds the quantities of the text (nlp.claims.numbers), places each in the
dependency parse (nlp.claims.frames), decides metric, type and direction (nlp.claims.decide), the
subject (nlp.claims.subjects), who asserts it (nlp.claims.attribution) and the period
(nlp.claims.time, nlp.claims.periods). Pure function of its inputs: no I/O.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from spacy.tokens import Doc

from nlp.claims.attribution import sentence_sources
from nlp.claims.decide import bare_unit, decide_metric
from nlp.claims.decisions import decide_direction, decide_type
from nlp.claims.frames import Frame, build_frame
from nlp.claims.numbers import Quantity, find_quantities
from nlp.claims.periods import TimeExpression, find_time_expressions
from nlp.claims.report import carry_sources, target_directions, weekly_periods
from nlp.claims.subjects import Subject, find_subject
from nlp.claims.time import TimeMemory, claim_period, default_period, past_episode
from nlp.claims.units import UnitContext, UnitReading, infer_unit, text_asset, text_currency
from nlp.errors import TimeBudgetError
from nlp.types import ClaimRecord, EntityMention, SentenceResult

_T = TypeVar("_T")

# Bump when extraction rules change, so stored claims can be recomputed.
CLAIMS_VERSION = "claims-rules-10"


@dataclass
class ClaimContext:
    """What claim extraction reads: text, publication date, parse, sentences, entity mentions."""

    text: str
    published_at: date | None
    doc: Doc
    sentences: list[SentenceResult] = field(default_factory=list)
    entities: list[EntityMention] = field(default_factory=list)
    deadline: float | None = None  # time.monotonic() after which extraction gives up
    budget_s: float = 0.0  # the budget the deadline came from, for the message


@dataclass
class _State:
    """Article-level memory while walking sentences in order."""

    memory: TimeMemory = field(default_factory=TimeMemory)
    subject: Subject | None = None
    others: list[int] = field(default_factory=list)  # the current sentence's other numbers
    units: UnitContext | None = None  # what implied units read; its sentence is the current one


def _sentence_spans(ctx: ClaimContext) -> list[tuple[int, int]]:
    """Sentence offsets from the pipeline, or spaCy's sentences when none were given."""
    if ctx.sentences:
        return [(s.start, s.end) for s in ctx.sentences]
    return [(s.start_char, s.end_char) for s in ctx.doc.sents]


def _by_sentence(
    quantities: list[Quantity], spans: list[tuple[int, int]]
) -> dict[int, list[Quantity]]:
    """Quantities grouped by the index of the sentence that holds them."""
    grouped: dict[int, list[Quantity]] = {}
    starts = [start for start, _ in spans]
    for q in quantities:  # spans are in text order: bisect, not a scan per quantity
        i = bisect_right(starts, q.start) - 1
        if i >= 0 and q.start < spans[i][1]:
            grouped.setdefault(i, []).append(q)
    return grouped


def _in_span(items: list[_T], starts: list[int], span: tuple[int, int]) -> list[_T]:
    """The items (sorted by start, `starts` their starts) that start in span [start, end)."""
    return items[bisect_left(starts, span[0]) : bisect_left(starts, span[1])]


def _sentence_hints(ctx: ClaimContext, spans: list[tuple[int, int]]) -> list[str | None]:
    """The first entity named in each sentence (for "the official statement")."""
    hints: list[str | None] = []
    # (start, position in the list): the first *listed* mention of a sentence names it
    ordered = sorted((m.start, i) for i, m in enumerate(ctx.entities))
    starts = [start for start, _ in ordered]
    for span in spans:
        inside = _in_span(ordered, starts, span)
        first = ctx.entities[min(i for _, i in inside)] if inside else None
        hints.append(first.name if first else None)
    return hints


def _check_deadline(ctx: ClaimContext) -> None:
    """TimeBudgetError once the context's deadline has passed."""
    if ctx.deadline is not None and time.monotonic() > ctx.deadline:
        raise TimeBudgetError(
            f"claim analysis ran past its time budget of {ctx.budget_s:g} s "
            "(TIDINGS_NLP_ARTICLE_TIME_BUDGET_S)"
        )


def extract_claims(
    ctx: ClaimContext,
    *,
    times: list[TimeExpression] | None = None,
    found: list[Quantity] | None = None,
) -> list[ClaimRecord]:
    """Every numeric claim of the text, in text order (`times`/`found`: precomputed scans)."""
    spans = _sentence_spans(ctx)
    exprs = times if times is not None else find_time_expressions(ctx.text, ctx.published_at)
    if found is None:
        found = find_quantities(ctx.text, ctx.published_at, times=exprs)
    quantities = _by_sentence(found, spans)
    sources = sentence_sources(
        ctx.doc, spans, _sentence_hints(ctx, spans), text=ctx.text, mentions=ctx.entities
    )
    state = _State()
    records: list[ClaimRecord] = []
    ordered = sorted(exprs, key=lambda e: e.start)
    expr_starts = [e.start for e in ordered]
    assets = sorted((m for m in ctx.entities if m.type == "CRYPTO_ASSET"), key=lambda m: m.start)
    asset_starts = [m.start for m in assets]
    units = UnitContext(ctx.text, (0, 0), text_asset=text_asset(assets))
    units.text_currency = text_currency(ctx.text)
    for index, (start, end) in enumerate(spans):
        _check_deadline(ctx)
        in_sentence = _in_span(ordered, expr_starts, (start, end))
        units.sentence = (start, end)
        units.assets = _in_span(assets, asset_starts, (start, end))
        state.units = units
        previous: ClaimRecord | None = None
        here = quantities.get(index, [])
        # Every number's start, once per sentence: a number's own start never falls between
        # its end and a later time expression, so one list serves them all (linear, not n²).
        state.others = sorted(o.start for o in here)
        for q in here:
            _check_deadline(ctx)  # one sentence may hold thousands of numbers
            floor = previous.end if previous else start
            frame = build_frame(ctx.doc, (index, start, end), q, previous_end=floor, text=ctx.text)
            previous = _claim(ctx, frame, in_sentence, state=state, previous=previous)
            source = sources[index]
            previous.attributed_to = source.name if source and source.covers(q.start) else None
            records.append(previous)
        _remember(state.memory, in_sentence)
    texts = [ctx.text[start:end] for start, end in spans]
    carry_sources(records, texts)
    weekly_periods(
        records, [(s[0], t) for s, t in zip(spans, texts, strict=True)], published=ctx.published_at
    )
    target_directions(records)
    for record in records:  # after the article-level passes, which may change direction
        record.stance = _stance(record.claim_type or "", record.direction or "none")
    return records


def _remember(memory: TimeMemory, exprs: list[TimeExpression]) -> None:
    """Keep a sentence's multi-day periods; a window beside an explicit interval repeats it."""
    has_interval = any(e.kind == "interval" for e in exprs)
    for e in exprs:
        if (
            e.kind == "interval"
            or (e.kind == "window" and not has_interval)
            or "week" in e.text.lower()
        ):
            memory.remember(e.period_start, e.period_end)


def _asset_in(ctx: ClaimContext, frame: Frame) -> bool:
    """Whether the sentence of a frame names a crypto asset."""
    end = frame.quantity.start + 200
    return any(
        m.type == "CRYPTO_ASSET" and frame.sentence_start <= m.start < end for m in ctx.entities
    )


def _claim(
    ctx: ClaimContext,
    frame: Frame,
    exprs: list[TimeExpression],
    *,
    state: _State,
    previous: ClaimRecord | None,
) -> ClaimRecord:
    """The record of one quantity; `previous` is the claim before it in the same sentence."""
    q = frame.quantity
    unit = bare_unit(frame, asset_in_sentence=_asset_in(ctx, frame)) if q.bare else q.unit
    reading = UnitReading(unit)
    if state.units is not None:
        state.units.previous_unit = previous.unit if previous else None
        reading = infer_unit(frame, unit, state.units)
        unit = reading.unit
    metric, why_metric = decide_metric(frame, unit)
    if previous is not None and _continues(frame, previous) and previous.metric:
        metric, why_metric = previous.metric, "continues the number before it (range, 'to', 'and')"
    period = claim_period(
        frame, exprs, doc=ctx.doc, text=ctx.text, memory=state.memory, others=state.others
    )
    if period is not None and period.start:
        state.memory.remember(period.start, period.end)
    episode = past_episode(frame.sentence_left, ctx.published_at) if period is None else None
    claim_type, why_type = decide_type(
        frame, metric, period=period, published=ctx.published_at, episode=episode is not None
    )
    if period is None:
        period = episode if episode is not None else default_period(claim_type, ctx.published_at)
    direction, why_direction = decide_direction(
        frame, metric, previous=previous.direction if previous else None
    )
    if previous is not None and q.qualifier == "range_upper":
        bound = "a range's upper bound takes the lower bound's"
        if previous.direction:
            direction, why_direction = previous.direction, bound
        if previous.claim_type:
            claim_type, why_type = previous.claim_type, bound  # a range's bounds are one claim
    subject = _subject(ctx, frame, state)
    return ClaimRecord(
        start=q.start,
        end=q.end,
        text=q.text,
        value=q.value,
        unit=unit,
        unit_inferred=reading.inferred,
        metric=metric,
        subject=subject.text if subject else None,
        subject_id=subject.entity_id if subject else None,
        direction=direction,
        claim_type=claim_type,
        time_start=period.start.isoformat() if period.start else None,
        time_end=period.end.isoformat() if period.end else None,
        time_text=period.text,
        attributed_to=None,
        qualifier=q.qualifier if q.qualifier != "high" else "over",
        sentence_index=frame.sentence_index,
        explanation={"metric": why_metric, "claim_type": why_type, "direction": why_direction}
        | ({"unit": reading.rule} if reading.rule else {}),
    )


def _continues(frame: Frame, previous: ClaimRecord) -> bool:
    """Whether a number continues the previous one: a range bound, a "to" value, "X and Y"."""
    q = frame.quantity
    if q.qualifier == "range_upper" or q.change_role in {"to", "from"}:
        return True
    return bool(re.fullmatch(r"\s*(?:,|and|or|, and)\s*", frame.left)) and q.unit == previous.unit


def _subject(ctx: ClaimContext, frame: Frame, state: _State) -> Subject | None:
    """The claim's subject; anaphors and silent subjects take the previous one."""
    sentence_text = ctx.text[frame.sentence_start :]
    found = find_subject(frame, ctx.entities, sentence_text=sentence_text)
    if found is None:
        return state.subject
    state.subject = found
    return found


def _stance(claim_type: str, direction: str) -> str | None:
    """bullish / bearish for forecasts with a direction."""
    if claim_type != "forecast":
        return None
    return {"up": "bullish", "down": "bearish"}.get(direction)
