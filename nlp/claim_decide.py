"""Decisions for one claim frame: unit of bare numbers, metric, claim type and direction."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from nlp.claim_frames import Frame, base_form
from nlp.claim_rules import (
    AVERAGE_PRICE,
    FLOW_NOUN,
    HISTORICAL,
    LEVEL_METRICS,
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

PRICE_METRICS = {
    "price",
    "price_target",
    "price_threshold",
    "record_price",
    "average_cost",
    "average_price",
}
_MOVE_VERBS_UP = {
    "rose", "risen", "climbed", "jumped", "surged", "increased", "grew", "grown", "rallied",
}  # fmt: skip
_MOVE_VERBS = _MOVE_VERBS_UP | {
    "fell", "fallen", "dropped", "declined", "slid", "sank", "plunged", "decreased", "tumbled",
}  # fmt: skip
_SHARE_METRICS = {"share", "share_of_supply", "share_of_market"}
_DOWN_METRICS = {"outflow", "liquidations", "loss", "hack_loss", "sold_amount"}
_UP_METRICS = {"inflow", "bought_amount", "profit"}
_SHARE_LINK = re.compile(
    r"(?:accounting for|account(?:s|ed)? for|represent(?:s|ing|ed)?|equal to|equivalent to"
    r"|corresponding to|or|which is|about|around|roughly|nearly|more than|over|\()\s*$"
)
_LEVEL_BEFORE = re.compile(
    r"\b(?:support|resistance|level|mark|threshold|cost basis|floor|ceiling|barrier|line"
    r"|support (?:in|at|near|around) the"
    r"|fail(?:ed|ing|s)? to (?:hold|defend)(?: the)?|holds? above|stay above|reclaim\w*|regain\w*"
    r"|break(?:s|ing)? (?:above|below)|(?:recovery|return|breakout|push) (?:back )?(?:above|below))"
    r"\s*(?:at|of|near|around|\()?\s*(?:about|around|roughly)?\s*(?:(?:low|mid|high)-?)?\s*$"
)
_INDICATOR = re.compile(r"(?i)\b(?:index|rsi|ratio|score|reading|indicator|oscillator)\b")
# "$22.5 billion (...) as of Monday, down from ...": the trend word after the number's phrase
_TREND_AFTER = re.compile(
    r"\s*(?:\([^()]{0,60}\)\s*)?(?:(?:as of|as at|on|at|in)\s+[\w -]{1,20}?)?\s*,?\s*"
    r"(down|up|lower|higher)\s+(?:from|by|\d)"
)
# The value of a forecast ("the median forecast for a 5.0% reading") is a level.
_FORECAST_VALUE = re.compile(
    r"\b(?:forecasts?|estimates?|expectations?|consensus|projections?)\s+(?:for|of)\s+(?:an?\s+)?$"
)
# A level reached by a move ("had risen above 70", "fell to around 42") or a superlative.
_MOVED_TO = re.compile(
    r"\b(\w+)\s+(?:back\s+)?(?:to|above|below)\s*(?:around|about|roughly|nearly|almost)?\s*$"
)
# "its first sub-5% reading": a mark; "a dip to sub-$20,000 levels": where a move went.
_MARK_PREFIX = re.compile(r"(?P<to>\b(?:to|toward|towards)\s+)?\b(?:sub|above|below|over|under)-$")
_FROM_LEVEL = re.compile(r"\bfrom\s+$")
# "hit its highest level ... to the north of the $30,600 level", "a dip to the south of $30,000":
# where a past move went, not a level that matters
_MOVED_PAST_MARK = re.compile(
    r"\b(?:hit|hits|rose|risen|climbed|jumped|surged|rallied|spiked|pushed|dip|dips|dipped|fell"
    r"|fallen|dropped|slid|sank|plunged|tumbled|broke)\b[^.;]{0,60}\bto\s+the\s+"
    r"(?P<side>north|south)\s+of\s+(?:the\s+)?$"
)
# "their current level (of 4.75-5.0%)": the level now, which a forecast moves from
_CURRENT_LEVEL = re.compile(
    r"\b(?:current|present|existing|prevailing)\s+(?:levels?|rates?|range|target range)\s*"
    r"\(?\s*(?:of|at)?\s*$"
)
# "is seen remaining near 3.6%", "the door has been opened for BTC to hit ...", "a possible
# price in the $200-$300K region": a forecast without a modal verb
_FORECAST_PHRASE = re.compile(
    r"\b(?:is|are|was|were)\s+seen\s+(?:\w+ing\b|at\b|near\b|around\b)"
    r"|\bdoor\b[\w\s]{0,25}\bopen(?:ed|s)?\b[\w\s]{0,20}\bto\b"
    r"|\bpaves?\s+the\s+way\b|\b(?:possible|potential)\s+(?:\w+\s+){0,2}"
    r"(?:price|prices|target|targets|move|rally|upside|downside|retest|test)\b"
)
_SUPERLATIVE = re.compile(
    r"\b(?P<up>highest|record high|all-time high|(?:multi|\w+)-(?:year|month|week) high)\b"
    r"|\b(?P<down>lowest|record low|all-time low|(?:multi|\w+)-(?:year|month|week) low)\b"
)
# "the yearly highs it printed back in April", "late-2022 lows": a past extreme, not a level now.
_PAST_EXTREME = re.compile(
    r"(?<!new )(?<!fresh )\b(?:yearly|annual|year-to-date|ytd|earlier|previous|prior|cycle"
    r"|(?:late|early|mid)-\d{4}|(?:19|20)\d\d)\s+(?P<kind>high|low|peak|top|bottom)s?\b"
)
# A level named as the bound of a range ("its $26,000s to $31,000 range").
_RANGE_AFTER = re.compile(r"\s*(?:-|to)?\s*(?:\$?[\d,.]+\w*)?\s*(?:trading\s+)?range\b")
# A moving average's value ("its 50-Day Moving Average (in the mid-$28,000s)") is a level.
_AVERAGE_LEVEL = re.compile(r"moving averages?\b|\b\d*dma\b|\b\d+-day ma\b")
# "last changing hands just under $27,000", "last in the low-$26,000s": the price now.
_PRICE_NOW = re.compile(
    r"\b(?:last|currently|now|changing hands)(?:\s+(?:trading|changing hands|seen|at|in|around"
    r"|near|just|under|above|below|the|low|mid|high)-?){0,4}\s*$"
)
# "18x gains", "3.8% lower": the direction word right after the number.
_DIRECTION_AFTER = re.compile(
    r"\s*(?:\([^()]{0,20}\)\s*)?(?P<w>higher|lower|gains?|losses|rally|bounce|rebound|surge|jump"
    r"|rise|drop|fall|decline|crash|plunge|correction|pullback|slump|dip)\b"
)
_AFTER_UP = {"higher", "gain", "gains", "rally", "bounce", "rebound", "surge", "jump", "rise"}
# Verbs that move a rate; the last one before a rate's value gives its direction.
_RATE_MOVE = re.compile(
    r"\b(?:(?P<up>hik(?:e|es|ed|ing)|rais(?:e|es|ed|ing)|lift(?:s|ed|ing)?|jump(?:s|ed)?|rise"
    r"|rises|rose|climb(?:s|ed)?|increas(?:e|es|ed))|(?P<down>cut|cuts|cutting|lower(?:s|ed|ing)"
    r"|reduc(?:e|es|ed)|fell|fall|falls|drop(?:s|ped)?|declin(?:e|es|ed)|down(?=\s+to\b)))\b"
)
# A swing or range measures size, not a direction ("a high-to-low swing of over 9%").
_SIZE_NOUN = re.compile(r"\b(?:swing|range|volatility|spread)\b")
_NON_PRICE = {"fee", "market_cap", "volume", "liquidations", "hack_loss", "net_flow", "outflow"}
_NON_PRICE |= {"inflow", "aum", "balance", "loss", "sold_amount", "bought_amount", "open_interest"}


def _near(frame: Frame) -> str:
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


@lru_cache(maxsize=2048)
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
    right, near = frame.right, _near(frame)
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
    near = _near(frame)
    if frame.quantity.scale > 1 or match_first(METRIC_RULES, near) in _NON_PRICE:
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


def decide_metric(frame: Frame, unit: str) -> str:
    """The metric of a claim (see nlp.claim_rules.METRICS)."""
    if unit in {"DAYS", "MONTHS", "YEARS", "HOURS"}:
        return "duration"
    if unit == "MULTIPLE":
        return "multiple"
    if unit == "BASIS_POINTS":
        return "rate_change"
    if unit == "PERCENT":
        return _percent_metric(frame) or "change"
    if unit == "USD" and (price := _price_metric(frame)):
        return price
    ruled = match_first(METRIC_RULES, _near(frame)) or match_first(METRIC_RULES, frame.cues)
    if ruled:
        return ruled
    if re.search(r"\bchanges?\b", _near(frame)):
        return "change"
    return "count" if unit == "COUNT" else "amount"


def decide_type(frame: Frame, metric: str) -> str:
    """observation | forecast | historical | threshold_level | other (before time is known)."""
    if _is_definition(frame) or (metric not in PRICE_METRICS and "target" in frame.anchor_text):
        return "other"
    mark = _MARK_PREFIX.search(frame.left[-40:])  # anchored at the end: a window suffices
    if mark and frame.quantity.qualifier in {"below", "over"}:
        return "observation" if mark["to"] else "threshold_level"
    forecast = is_forecast(frame)
    if _observed_level(frame, forecast=forecast):
        return "observation"
    if (
        in_since_clause(frame)
        or (  # "could revisit its yearly lows near $25,000" is a forecast
            metric in PRICE_METRICS and not forecast and _PAST_EXTREME.search(frame.left[-80:])
        )
    ):
        return "historical"
    if metric == "price_target" or (metric not in PRICE_METRICS and forecast):
        return "forecast"
    ahead = forecast or MODAL.search(frame.sentence_left[-120:])
    if metric == "price_threshold" and ahead and re.search(r"\btowards?\b", frame.left[-50:]):
        return "forecast"  # a level a forecast move heads for
    if _is_level(frame, metric, forecast=forecast):
        return "threshold_level"
    return "historical" if HISTORICAL.search(frame.sentence_left) else "observation"


def _observed_level(frame: Frame, *, forecast: bool) -> bool:
    """A level as it is or was: "their current level (of 5%)", the level a forecast move starts
    from, or where a past move went ("a dip to the south of the $30,000 mark")."""
    if _CURRENT_LEVEL.search(frame.left):
        return True
    if forecast:
        return frame.quantity.change_role == "from" or bool(_FROM_LEVEL.search(frame.left))
    return bool(_MOVED_PAST_MARK.search(frame.left))


def _is_level(frame: Frame, metric: str, *, forecast: bool) -> bool:
    """Marks and cost bases; a moving average's value or a range's bound when not forecast."""
    if metric == "price_threshold" or (metric == "average_cost" and "cost basis" in _near(frame)):
        return True
    return (
        metric in PRICE_METRICS
        and not forecast
        and bool(_RANGE_AFTER.match(frame.tail) or _AVERAGE_LEVEL.search(frame.left[-60:]))
    )


def _is_definition(frame: Frame) -> bool:
    """Cohort definitions: "wallets holding 10 to 1,000 BTC", "the top five"."""
    if re.search(r"\btop\s*$", frame.left):
        return True
    verb = frame.verb
    if verb is None or base_form(verb) != "hold" or verb.dep_ != "acl":
        return False
    return verb.head.pos_ == "NOUN" and verb.head.tag_ == "NNS"


def decide_direction(frame: Frame, metric: str, *, previous: str | None) -> str:
    """up | down | none; `previous` is the direction of the claim before it in the sentence."""
    q = frame.quantity
    if q.change_role == "from":
        return "none"
    if q.change_role == "to":
        return last_cue(frame.sentence_left.rsplit(" from ", 1)[0]) or "none"
    worded = _worded_direction(frame, metric)
    if worded:
        return worded
    if _FORECAST_VALUE.search(frame.left) or _SIZE_NOUN.search(_near(frame)[-40:]):
        return "none"
    extreme = _PAST_EXTREME.search(frame.left[-80:]) if metric in PRICE_METRICS else None
    if extreme:
        return "down" if extreme["kind"] in {"low", "bottom"} else "up"
    return _metric_direction(frame, metric, previous) or _level_direction(frame, metric)


def _worded_direction(frame: Frame, metric: str) -> str | None:
    """The direction the words around the number state, else None."""
    if (metric in PRICE_METRICS and _PRICE_NOW.search(frame.left)) or _CURRENT_LEVEL.search(
        frame.left
    ):
        return "none"  # "last changing hands just under $27,000, down 3% on the day"
    past_mark = _MOVED_PAST_MARK.search(frame.left)
    if past_mark:
        return "up" if past_mark["side"] == "north" else "down"
    trend = _TREND_AFTER.match(frame.tail)
    if trend:
        return "down" if trend.group(1) in {"down", "lower"} else "up"
    after = _DIRECTION_AFTER.match(frame.tail)
    if after:
        return "up" if after["w"] in _AFTER_UP else "down"
    return None


def _reached_level(frame: Frame, metric: str) -> str | None:
    """Direction of an index reading a move reached, or of a superlative level, else None."""
    moved = _MOVED_TO.search(frame.left)
    if metric == "count" and moved and moved.group(1) in _MOVE_VERBS:  # an index reading
        return "up" if moved.group(1) in _MOVE_VERBS_UP else "down"
    best = _SUPERLATIVE.search(frame.left[-90:])
    if best:
        return "up" if best["up"] else "down"
    return None


def _metric_direction(frame: Frame, metric: str, previous: str | None) -> str | None:
    """Direction implied by the metric itself (flows, sales, shares, levels), else None."""
    if metric in _SHARE_METRICS:
        linked = _SHARE_LINK.search(frame.left) and previous is not None
        if linked and not FLOW_NOUN.search(frame.right):
            return previous or "none"
        return "none"
    if metric in _DOWN_METRICS:
        return "down"
    if metric in _UP_METRICS:
        return "up"
    if metric == "net_flow":
        return last_cue(frame.anchor_text + " " + frame.left) or "none"
    if metric in LEVEL_METRICS or metric in {"average_cost", "average_price"}:
        # a rate takes the verb that moved it: "hike rates (to 5.0-5.25%)", "rates jump 5.0%"
        moved = _rate_move(frame.left[-90:]) if metric == "rate" else None
        return moved or _reached_level(frame, metric) or "none"
    if "target" in frame.anchor_text and metric not in PRICE_METRICS:
        return "none"
    return None


def _rate_move(left: str) -> str | None:
    """up / down from the last verb that moved a rate to the number, unless it moved from it."""
    moves = list(_RATE_MOVE.finditer(left))
    if not moves or re.search(r"\bfrom\b", left[moves[-1].end() :]):
        return None
    return "up" if moves[-1]["up"] else "down"


def _level_direction(frame: Frame, metric: str) -> str:
    """Direction of prices, targets, changes: the nearest cue, else the qualifier."""
    q = frame.quantity
    cue = last_cue(frame.left) or last_cue(frame.anchor_text)
    if cue:
        return cue
    if q.qualifier in {"below", "low"}:
        return "down"
    if metric in PRICE_METRICS and q.qualifier in {"over", "high"}:
        return "up"
    moved_to = re.fullmatch(r"\s*(?:back\s+)?(?:to|toward|towards)\s*", frame.left)
    if metric in {"price_target", "price_threshold", "rate_change", "price_change"} or moved_to:
        return last_cue(frame.sentence_left) or "none"
    return "none"
