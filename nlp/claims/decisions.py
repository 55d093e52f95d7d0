"""Claim type and direction, each decided by an ordered list of named rules: the first rule that
gives an answer wins, and its name is the claim's explanation (`tidings analyze --explain`).

The rules read the claim's frame (nlp.claims.frames), its metric's record (nlp.claims.metrics)
and, for the type, its period: an observation is dated by OBSERVATION_RULES (a period long past or
a past episode makes it historical). Only a range's upper bound, which takes its lower bound's
type and direction, is left to the orchestrator, nlp.claims.extract.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from nlp.claims.decide import in_since_clause, is_forecast, near_text
from nlp.claims.frames import Frame, base_form
from nlp.claims.metrics import Metric
from nlp.claims.metrics import metric as info
from nlp.claims.rules import FLOW_NOUN, HISTORICAL, MODAL, last_cue
from nlp.claims.time import Period

_MOVE_VERBS_UP = {
    "rose", "risen", "climbed", "jumped", "surged", "increased", "grew", "grown", "rallied",
}  # fmt: skip

_MOVE_VERBS = _MOVE_VERBS_UP | {
    "fell", "fallen", "dropped", "declined", "slid", "sank", "plunged", "decreased", "tumbled",
}  # fmt: skip

_SHARE_LINK = re.compile(
    r"(?:accounting for|account(?:s|ed)? for|represent(?:s|ing|ed)?|equal to|equivalent to"
    r"|corresponding to|or|which is|about|around|roughly|nearly|more than|over|\()\s*$"
)

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


@dataclass
class Facts:
    """What the rules read about one number."""

    frame: Frame
    metric: str
    previous: str | None = None  # direction of the claim before it in the sentence
    period: Period | None = None  # the period the text gives the claim, if any
    published: date | None = None
    episode: bool = False  # no period given, but the clause names a long-past episode

    @cached_property
    def record(self) -> Metric:
        return info(self.metric)

    @cached_property
    def forecast(self) -> bool:
        return is_forecast(self.frame)

    @property
    def left(self) -> str:
        return self.frame.left


Rule = tuple[str, Callable[[Facts], str | None]]


def first_rule(rules: list[Rule], facts: Facts) -> tuple[str, str]:
    """(answer, rule name) of the first rule that answers; the last rule always does."""
    for name, rule in rules:
        answer = rule(facts)
        if answer is not None:
            return answer, name
    raise AssertionError("the last rule of a list must always answer")


def _when(condition: bool, answer: str) -> str | None:
    return answer if condition else None


# --- claim type ---------------------------------------------------------------------------------


def _is_definition(frame: Frame) -> bool:
    """Cohort definitions: "wallets holding 10 to 1,000 BTC", "the top five"."""
    if re.search(r"\btop\s*$", frame.left):
        return True
    verb = frame.verb
    if verb is None or base_form(verb) != "hold" or verb.dep_ != "acl":
        return False
    return verb.head.pos_ == "NOUN" and verb.head.tag_ == "NNS"


def _mark(f: Facts) -> str | None:
    mark = _MARK_PREFIX.search(f.left[-40:])  # anchored at the end: a window suffices
    if mark and f.frame.quantity.qualifier in {"below", "over"}:
        return "observation" if mark["to"] else "threshold_level"
    return None


def _observed_level(f: Facts) -> bool:
    """A level as it is or was: "their current level (of 5%)", the level a forecast move starts
    from, or where a past move went ("a dip to the south of the $30,000 mark")."""
    if _CURRENT_LEVEL.search(f.left):
        return True
    if f.forecast:
        return f.frame.quantity.change_role == "from" or bool(_FROM_LEVEL.search(f.left))
    return bool(_MOVED_PAST_MARK.search(f.left))


def _heads_for(f: Facts) -> bool:
    """A threshold a forecast move heads for ("could rally towards the $30,000 resistance")."""
    ahead = f.forecast or MODAL.search(f.frame.sentence_left[-120:])
    return bool(
        f.metric == "price_threshold" and ahead and re.search(r"\btowards?\b", f.left[-50:])
    )


def _is_level(f: Facts) -> bool:
    """Marks and cost bases; a moving average's value or a range's bound when not forecast."""
    if f.metric == "price_threshold" or (
        f.metric == "average_cost" and "cost basis" in near_text(f.frame)
    ):
        return True
    return (
        f.record.price
        and not f.forecast
        and bool(_RANGE_AFTER.match(f.frame.tail) or _AVERAGE_LEVEL.search(f.left[-60:]))
    )


TYPE_RULES: list[Rule] = [
    ("a cohort definition ('wallets holding 10 to 1,000 BTC', 'the top five')",
     lambda f: _when(_is_definition(f.frame), "other")),
    ("'target' names a figure that is not a price",
     lambda f: _when(not f.record.price and "target" in f.frame.anchor_text, "other")),
    ("a mark written sub-/above-/below- ('a dip to sub-$20,000 levels')", _mark),
    ("a level as it is or was (current level, where a forecast move starts or a past one went)",
     lambda f: _when(_observed_level(f), "observation")),
    ("inside a 'since' clause", lambda f: _when(in_since_clause(f.frame), "historical")),
    ("a price's past extreme ('its yearly lows'), not forecast",
     lambda f: _when(
         f.record.price and not f.forecast and bool(_PAST_EXTREME.search(f.left[-80:])),
         "historical")),
    ("a price target", lambda f: _when(f.metric == "price_target", "forecast")),
    ("a modal, expectation or forecast verb governs the number",
     lambda f: _when(not f.record.price and f.forecast, "forecast")),
    ("a level a forecast move heads towards", lambda f: _when(_heads_for(f), "forecast")),
    ("a level: support, resistance, a mark, a cost basis, a moving average, a range bound",
     lambda f: _when(_is_level(f), "threshold_level")),
    ("a historical cue in the sentence ('historically', 'back in 2021')",
     lambda f: _when(bool(HISTORICAL.search(f.frame.sentence_left)), "historical")),
    ("default: an observation", lambda f: "observation"),
]  # fmt: skip


HISTORICAL_AFTER_DAYS = 60


def _age_days(f: Facts) -> int:
    """Days from the end of the claim's own period to publication; 0 when either is unknown."""
    if f.period is None or f.period.end is None or f.published is None:
        return 0
    return (f.published - f.period.end).days


# What TYPE_RULES call an observation, dated by its period.
OBSERVATION_RULES: list[Rule] = [
    (f"an observation of a period over {HISTORICAL_AFTER_DAYS} days old",
     lambda f: _when(_age_days(f) > HISTORICAL_AFTER_DAYS, "historical")),
    ("a record price of a period over a week old",
     lambda f: _when(f.metric == "record_price" and _age_days(f) > 7, "historical")),
    ("an observation about a past episode ('the 2017 bull market')",
     lambda f: _when(f.episode, "historical")),
    ("default: the observation stands", lambda f: "observation"),
]  # fmt: skip


def decide_type(
    frame: Frame,
    metric: str,
    *,
    period: Period | None = None,
    published: date | None = None,
    episode: bool = False,
) -> tuple[str, str]:
    """observation | forecast | historical | threshold_level | other, and the name of the rule
    that decided it; `period` is the one the text gives (None when there is none), `episode`
    whether the clause names a long-past episode instead."""
    facts = Facts(frame, metric, period=period, published=published, episode=episode)
    decided = first_rule(TYPE_RULES, facts)
    if decided[0] != "observation":
        return decided
    dated = first_rule(OBSERVATION_RULES, facts)
    return decided if dated[0] == "observation" else dated


# --- direction ----------------------------------------------------------------------------------


def _worded_now(f: Facts) -> bool:
    """ "last changing hands just under $27,000", "their current level (of 5%)"."""
    return bool((f.record.price and _PRICE_NOW.search(f.left)) or _CURRENT_LEVEL.search(f.left))


def _past_mark(f: Facts) -> str | None:
    past_mark = _MOVED_PAST_MARK.search(f.left)
    return ("up" if past_mark["side"] == "north" else "down") if past_mark else None


def _trend_after(f: Facts) -> str | None:
    trend = _TREND_AFTER.match(f.frame.tail)
    return ("down" if trend.group(1) in {"down", "lower"} else "up") if trend else None


def _word_after(f: Facts) -> str | None:
    after = _DIRECTION_AFTER.match(f.frame.tail)
    return ("up" if after["w"] in _AFTER_UP else "down") if after else None


def _past_extreme(f: Facts) -> str | None:
    extreme = _PAST_EXTREME.search(f.left[-80:]) if f.record.price else None
    if extreme is None:
        return None
    return "down" if extreme["kind"] in {"low", "bottom"} else "up"


def _share_restates(f: Facts) -> str | None:
    """A share linked to the figure before it ("$500 million, or 3% of supply") takes its
    direction."""
    linked = f.record.share and _SHARE_LINK.search(f.left) and f.previous is not None
    return (f.previous or "none") if linked and not FLOW_NOUN.search(f.frame.right) else None


def _rate_move(f: Facts) -> str | None:
    """up / down from the last verb that moved a rate to the number, unless it moved from it."""
    if not (f.record.level and f.metric == "rate"):
        return None
    left = f.left[-90:]
    moves = list(_RATE_MOVE.finditer(left))
    if not moves or re.search(r"\bfrom\b", left[moves[-1].end() :]):
        return None
    return "up" if moves[-1]["up"] else "down"


def _reached_level(f: Facts) -> str | None:
    """Direction of an index reading a move reached, or of a superlative level, else None."""
    if not f.record.level:
        return None
    moved = _MOVED_TO.search(f.left)
    if f.metric == "count" and moved and moved.group(1) in _MOVE_VERBS:  # an index reading
        return "up" if moved.group(1) in _MOVE_VERBS_UP else "down"
    best = _SUPERLATIVE.search(f.left[-90:])
    return ("up" if best["up"] else "down") if best else None


def _sentence_cue(f: Facts) -> str | None:
    moved_to = re.fullmatch(r"\s*(?:back\s+)?(?:to|toward|towards)\s*", f.left)
    if f.metric in {"price_target", "price_threshold", "rate_change", "price_change"} or moved_to:
        return last_cue(f.frame.sentence_left) or "none"
    return None


DIRECTION_RULES: list[Rule] = [
    ("where a change started ('from $X')",
     lambda f: _when(f.frame.quantity.change_role == "from", "none")),
    ("where a change ended ('to $X'): the cue before 'from'",
     lambda f: (last_cue(f.frame.sentence_left.rsplit(" from ", 1)[0]) or "none")
     if f.frame.quantity.change_role == "to" else None),
    ("the level now ('last changing hands at', 'current level')",
     lambda f: _when(_worded_now(f), "none")),
    ("where a past move went ('to the north of $30,600')", _past_mark),
    ("a trend word after the number's phrase ('..., down from')", _trend_after),
    ("a direction word right after the number ('3% lower', '18x gains')", _word_after),
    ("the value of a forecast or the size of a swing",
     lambda f: _when(bool(_FORECAST_VALUE.search(f.left)
                          or _SIZE_NOUN.search(near_text(f.frame)[-40:])), "none")),
    ("a price's past extreme ('yearly lows' down, 'highs' up)", _past_extreme),
    ("a share restating the figure before it", _share_restates),
    ("a share of a total has no direction", lambda f: _when(f.record.share, "none")),
    ("the metric's own direction (inflows up; outflows, sales, losses down)",
     lambda f: f.record.direction),
    ("a net flow: its cue word",
     lambda f: (last_cue(f.frame.anchor_text + " " + f.left) or "none")
     if f.metric == "net_flow" else None),
    ("a rate takes the verb that moved it ('hike rates to 5.25%')", _rate_move),
    ("a level a move reached, or a superlative ('its highest level')", _reached_level),
    ("a level, stock or share has no direction of its own",
     lambda f: _when(f.record.level, "none")),
    ("'target' names a figure that is not a price",
     lambda f: _when("target" in f.frame.anchor_text and not f.record.price, "none")),
    ("the nearest cue word before the number",
     lambda f: last_cue(f.left) or last_cue(f.frame.anchor_text)),
    ("qualifier 'below' / 'low'",
     lambda f: _when(f.frame.quantity.qualifier in {"below", "low"}, "down")),
    ("a price qualified 'over' / 'high'",
     lambda f: _when(f.record.price and f.frame.quantity.qualifier in {"over", "high"}, "up")),
    ("a target, threshold or change: the sentence's last cue word", _sentence_cue),
    ("default: no direction", lambda f: "none"),
]  # fmt: skip


def decide_direction(frame: Frame, metric: str, *, previous: str | None) -> tuple[str, str]:
    """up | down | none and the name of the rule that decided it; `previous` is the direction of
    the claim before it in the sentence."""
    return first_rule(DIRECTION_RULES, Facts(frame, metric, previous))
