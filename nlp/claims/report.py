"""Article-level passes over a report's claims: its source and its reporting week.

News that relays a data provider's report states the source once ("according to the latest
weekly fund flows report by X") and then lists figures of the same kind without repeating it.
`carry_sources` credits an unsourced observation with the source of the latest earlier
observation of the same family (fund flows, inflation readings, ...). `weekly_periods` dates
undated figures of a weekly report (the sentence compares "to the prior week", or the figure's
source was introduced as weekly) to the report's week: the last full Monday-Friday week before
publication; levels (assets under management, holdings) to that week's Friday. A clause that
opens "One week after ..." moves its figures that many weeks further back.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from nlp.claims.metrics import metric
from nlp.claims.numwords import digits_or_words
from nlp.types import ClaimRecord

# Macro readings: a release reports several figures of the same indicator.
_INDICATORS = (
    ("inflation", re.compile(r"(?i)\b(?:inflation|cpi|pce|ppi|price pressures?)\b")),
    ("jobs", re.compile(r"(?i)\b(?:payrolls?|unemployment|jobless|jobs report)\b")),
    ("gdp", re.compile(r"(?i)\b(?:gdp|gross domestic product)\b")),
)
_WEEKLY = re.compile(
    r"(?i)\b(?:weekly\s+(?:basis|report|update|data|figures|fund\s+flows?)"
    r"|(?:prior|previous|preceding)\s+week\b"
    r"|week[- ](?:on|over)[- ]week)"
)
_WEEKS_AFTER = re.compile(r"(?i)^\W*(?P<n>\w+)\s+weeks?\s+after\b[^,;]*")


def _indicator(sentence: str) -> str | None:
    """The macro indicator a sentence reports, or None."""
    for name, pattern in _INDICATORS:
        if pattern.search(sentence):
            return name
    return None


def carry_sources(claims: list[ClaimRecord], sentences: list[str]) -> None:
    """Credit unsourced observations with the source of the report they continue (in place)."""
    latest: dict[str, str] = {}
    indicators: dict[int, str | None] = {}  # per sentence, searched once (not once per claim)
    for claim in claims:
        index = claim.sentence_index
        if metric(claim.metric).fund_flow:
            family: str | None = "flow"
        else:
            if index not in indicators:
                indicators[index] = _indicator(sentences[index])
            family = indicators[index]
        if family is None or claim.claim_type not in {"observation", "threshold_level"}:
            continue
        if claim.attributed_to:
            latest[family] = claim.attributed_to
        elif family in latest:
            claim.attributed_to = latest[family]


def report_week(published: date) -> tuple[date, date]:
    """Monday-Friday of the last full week before publication (this week's on a weekend)."""
    monday = published - timedelta(days=published.weekday())
    if published.weekday() < 5:
        monday -= timedelta(days=7)
    return monday, monday + timedelta(days=4)


def _weeks_back(claim: ClaimRecord, sentence: str, sentence_start: int) -> int:
    """N for a claim inside an opening "N weeks after ..." clause, else 0."""
    m = _WEEKS_AFTER.match(sentence)
    if m is None or not (sentence_start + m.start() <= claim.start < sentence_start + m.end()):
        return 0
    count = digits_or_words(m["n"]) if m["n"].lower() not in {"a", "one"} else 1
    return int(count) if count else 0


def weekly_periods(
    claims: list[ClaimRecord],
    sentences: list[tuple[int, str]],
    *,
    published: date | None,
) -> None:
    """Date undated figures of a weekly report to the report's week (in place).

    `sentences`: (start offset, text) of each sentence.
    """
    if published is None:
        return
    default = ((published - timedelta(days=1)).isoformat(), published.isoformat())
    weekly_sources: set[str] = set()
    for claim in claims:
        start, sentence = sentences[claim.sentence_index]
        cue = bool(_WEEKLY.search(sentence))
        if cue and claim.attributed_to:
            weekly_sources.add(claim.attributed_to)
        undated = claim.time_text is None and (claim.time_start, claim.time_end) == default
        if not undated or not (cue or claim.attributed_to in weekly_sources):
            continue
        monday, friday = report_week(published)
        back = timedelta(weeks=_weeks_back(claim, sentence, start))
        first = friday if metric(claim.metric).stock else monday
        claim.time_start = (first - back).isoformat()
        claim.time_end = (friday - back).isoformat()


def _comparable(target: float, reference: float) -> bool:
    """Whether two USD figures are of one magnitude (both per-coin prices, not a total)."""
    return reference / 10 <= target <= reference * 10


def target_directions(records: list[ClaimRecord]) -> None:
    """Give a directionless forecast price the side it lies on of the latest quoted level.

    A target above the level the article last quoted for the same asset is an upside target,
    one below it a downside target; with no earlier level the direction stays as it is.
    """
    last_level: dict[str | None, float] = {}
    latest: float | None = None  # for a claim whose subject was not found
    for claim in records:
        if claim.unit != "USD" or claim.value is None:
            continue
        if claim.claim_type != "forecast" and metric(claim.metric).quoted_level:
            last_level[claim.subject_id] = latest = claim.value
            continue
        reference = last_level.get(claim.subject_id) if claim.subject_id else latest
        if (
            claim.claim_type == "forecast"
            and metric(claim.metric).target
            and claim.direction in {None, "none"}
            and reference
            and claim.value != reference
            and _comparable(claim.value, reference)
        ):
            claim.direction = "up" if claim.value > reference else "down"
            if claim.explanation is not None:
                claim.explanation["direction"] = (
                    "a forecast price takes its side of the level quoted before it"
                )
