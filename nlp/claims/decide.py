"""Decisions for one claim frame: unit of bare numbers, metric, claim type and direction."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from nlp.claims.frames import Frame, base_form
from nlp.claims.metrics import metric as info
from nlp.claims.rules import (
    AVERAGE_PRICE,
    METRIC_RULES,
    MODAL,
    PRICE_CUE,
    RECORD,
    THRESHOLD,
    last_cue,
    match_first,
)

if TYPE_CHECKING:
    from spacy.tokens import Token

_LEVEL_BEFORE = re.compile(
    r"\b(?:support|resistance|level|mark|threshold|cost basis|floor|ceiling|barrier|line"
    r"|support (?:in|at|near|around) the"
    r"|fail(?:ed|ing|s)? to (?:hold|defend)(?: the)?|holds? above|stay above|reclaim\w*|regain\w*"
    r"|break(?:s|ing)? (?:above|below)|(?:recovery|return|breakout|push) (?:back )?(?:above|below))"
    r"\s*(?:at|of|near|around|\()?\s*(?:about|around|roughly)?\s*(?:(?:low|mid|high)-?)?\s*$"
)
_INDICATOR = re.compile(r"(?i)\b(?:index|rsi|ratio|score|reading|indicator|oscillator)\b")
_FORECAST_PHRASE = re.compile(
    r"\b(?:is|are|was|were)\s+seen\s+(?:\w+ing\b|at\b|near\b|around\b)"
    r"|\bdoor\b[\w\s]{0,25}\bopen(?:ed|s)?\b[\w\s]{0,20}\bto\b"
    r"|\bpaves?\s+the\s+way\b|\b(?:possible|potential)\s+(?:\w+\s+){0,2}"
    r"(?:price|prices|target|targets|move|rally|upside|downside|retest|test)\b"
)


def near_text(frame: Frame) -> str:
    """The closest context: clause words before the number and the noun it measures."""
    return f"{frame.left[-80:]} || {frame.anchor_text}"


def _in_clause(frame: Frame, marks: set[str]) -> bool:
    """Whether the number's verb, or one it is chained to, opens with one of `marks`."""
    verb = frame.verb
    for _ in range(3):
        if verb is None:
            return False
        if any(c.dep_ == "mark" and c.lower_ in marks for c in verb.children):
            return True
        if verb.dep_ not in {"xcomp", "conj", "ccomp"}:
            return False
        verb = verb.head
    return False


def is_conditional(frame: Frame) -> bool:
    """Whether the number sits in an if/unless/once clause."""
    return _in_clause(frame, {"if", "unless", "once", "should"})


def in_since_clause(frame: Frame) -> bool:
    """Whether the number sits in a "since ..." clause ("the largest since it rose 10%")."""
    return _in_clause(frame, {"since"})


_MODAL_AUX = {"will", "may", "might", "could", "would", "should", "can", "'ll"}
_FORECAST_HEADS = {"expect", "forecast", "predict", "project", "anticipate", "imply", "target"}


@lru_cache(maxsize=256)
def _aux_words(tok: Token) -> frozenset[str]:
    """The auxiliaries of a token, once per token: a verb may govern thousands of numbers."""
    return frozenset(c.lower_ for c in tok.children if c.dep_ == "aux")


def _modal_above(frame: Frame) -> bool:
    """Whether a verb on the number's path to the root carries a modal or is a forecast verb."""
    tok = frame.head
    for _ in range(8):
        if tok is None:
            return False
        as_expected = tok.i > 0 and tok.doc[tok.i - 1].lower_ == "as"
        auxes = _aux_words(tok)
        # "may have been": a guess about the past, not a forecast; "will have cut" still is one
        modal = bool(auxes & _MODAL_AUX) and ("have" not in auxes or "will" in auxes)
        if tok.pos_ in {"VERB", "AUX"} and (
            modal or (base_form(tok) in _FORECAST_HEADS and not as_expected)
        ):
            return True
        if tok.dep_ == "ROOT" or tok.head is tok:
            return False
        past_relcl = tok.dep_ == "relcl" and tok.tag_ == "VBD"
        if past_relcl or (tok.dep_ in {"acl", "ccomp"} and tok.head.pos_ == "NOUN"):
            # "bulls will take heart from the fact that it found support ...", "we could look
            # at past cycles, both of which lasted four years": the clause has its own tense
            return False
        tok = tok.head
    return False


def is_forecast(frame: Frame) -> bool:
    """Whether a modal, expectation or target governs the number."""
    if is_conditional(frame):
        return False
    return bool(
        MODAL.search(frame.left[-60:])
        or MODAL.search(frame.verb_text)
        or _FORECAST_PHRASE.search(frame.sentence_left[-120:])
        or _modal_above(frame)
    )


def bare_unit(frame: Frame, *, asset_in_sentence: bool) -> str:
    """USD per coin for a bare number in a price context about an asset, else COUNT."""
    q = frame.quantity
    if q.written or q.value < 100 or _INDICATOR.search(frame.sentence_left[-120:]):
        return "COUNT"
    if asset_in_sentence and PRICE_CUE.search(frame.left[-40:] + " " + frame.anchor_text):
        return "USD"
    return "COUNT"


def _percent_metric(frame: Frame) -> str | None:
    """Metric of a percentage: a share, a rate, a profit or a change."""
    right, near = frame.right, near_text(frame)
    if "market share" in near or "market share" in right or "of the market" in right:
        return "share_of_market"
    if re.match(r"\s*of\b", right):
        return "share_of_supply" if re.search(r"\bsupply\b", right) else "share"
    ruled = match_first(METRIC_RULES, near)
    if ruled in {"rate", "profit", "sold_amount", "bought_amount", "liquidations"}:
        return ruled
    if last_cue(frame.left[-40:] + " " + frame.anchor_text):
        return "price_change"
    return ruled or match_first(METRIC_RULES, frame.cues)


def _price_metric(frame: Frame) -> str | None:
    """Metric of a per-coin USD level, or None when the number is not a price."""
    near = near_text(frame)
    if frame.quantity.scale > 1 or info(match_first(METRIC_RULES, near)).total:
        return None
    wide = f"{frame.sentence_left[-50:]} || {frame.anchor_text}"
    if not (PRICE_CUE.search(wide) or RECORD.search(near) or THRESHOLD.search(frame.cues)):
        return None
    return _price_kind(frame, near)


def _price_kind(frame: Frame, near: str) -> str:
    """Which price metric a per-coin USD level is: cost, average, record, target, level, price."""
    if re.search(r"cost basis|average cost|realized price|cost of", near):
        return "average_cost"
    if re.search(AVERAGE_PRICE, near):
        return "average_price"
    if RECORD.search(near):
        return "record_price"
    if frame.quantity.qualifier in {"over", "below"} and (
        is_forecast(frame) or is_conditional(frame)
    ):
        return "price_threshold"
    if is_forecast(frame) or re.search(r"\btarget\b", near):
        return "price_target"
    right = " ".join(frame.right.split()[:2])
    if (
        is_conditional(frame)
        or _LEVEL_BEFORE.search(frame.left)
        or THRESHOLD.search(f"{frame.anchor_text.split(' ', 1)[0]} {right}")
    ):
        return "price_threshold"
    return "price"


_UNIT_METRICS = {
    "DAYS": ("duration", "unit: a length of time"),
    "MONTHS": ("duration", "unit: a length of time"),
    "YEARS": ("duration", "unit: a length of time"),
    "HOURS": ("duration", "unit: a length of time"),
    "MULTIPLE": ("multiple", "unit: a multiple"),
    "BASIS_POINTS": ("rate_change", "unit: basis points"),
}


def decide_metric(frame: Frame, unit: str) -> tuple[str, str]:
    """The metric of a claim (see nlp.claims.metrics.METRICS) and the rule that decided it."""
    if unit in _UNIT_METRICS:
        return _UNIT_METRICS[unit]
    if unit == "PERCENT":
        percent = _percent_metric(frame)
        why = "percentage: its cue (share of, rate, profit, a move)"
        return (percent, why) if percent else ("change", "percentage without a cue")
    if unit == "USD" and (price := _price_metric(frame)):
        return price, "USD per coin: a price cue near the number"
    ruled = match_first(METRIC_RULES, near_text(frame))
    if ruled:
        return ruled, f"metric rule {ruled!r} on the words before the number"
    ruled = match_first(METRIC_RULES, frame.cues)
    if ruled:
        return ruled, f"metric rule {ruled!r} on the parse cues (verb, noun, subject)"
    if re.search(r"\bchanges?\b", near_text(frame)):
        return "change", "the word 'change'"
    return ("count", "default for a count") if unit == "COUNT" else ("amount", "default")
