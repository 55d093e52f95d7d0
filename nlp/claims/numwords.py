"""Written numbers ("two", "twenty-five", "a dozen", "half") and the scale words shared by them."""

from __future__ import annotations

import re

UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Fractions read as a share of something, in percent ("more than half of" -> 50 %).
FRACTIONS = {
    "half": 50.0,
    "a half": 50.0,
    "one half": 50.0,
    "a third": 100 / 3,
    "one third": 100 / 3,
    "one-third": 100 / 3,
    "two thirds": 200 / 3,
    "two-thirds": 200 / 3,
    "a quarter": 25.0,
    "one quarter": 25.0,
    "one-quarter": 25.0,
    "three quarters": 75.0,
    "three-quarters": 75.0,
    "a fifth": 20.0,
    "one-fifth": 20.0,
    "a tenth": 10.0,
}
SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
    "hundred": 1e2,
}

_TENS_ALT = "|".join(TENS)
_UNITS_ALT = "|".join(sorted(UNITS, key=len, reverse=True))
# "twenty-five", "forty", "seven", "a dozen", "dozen"
WORD_NUMBER = (
    rf"(?:(?:{_TENS_ALT})(?:[- ](?:{_UNITS_ALT}))?|{_UNITS_ALT}"
    r"|a dozen|dozen|a couple of|a hundred)"
)


def word_to_number(words: str) -> float | None:
    """The value of a written cardinal ("twenty-five" -> 25), or None when it is not one."""
    text = words.strip().lower()
    if text in {"a dozen", "dozen"}:
        return 12.0
    if text == "a couple of":
        return 2.0
    if text == "a hundred":
        return 100.0
    if text in UNITS:
        return float(UNITS[text])
    parts = re.split(r"[- ]", text)
    if parts[0] in TENS:
        total = TENS[parts[0]]
        if len(parts) == 2 and parts[1] in UNITS and UNITS[parts[1]] < 10:
            return float(total + UNITS[parts[1]])
        if len(parts) == 1:
            return float(total)
    return None


def digits_or_words(token: str) -> float | None:
    """A count written in digits or words ("30", "thirty", "two") -> its value, else None."""
    cleaned = token.replace(",", "").strip()
    try:
        return float(cleaned)
    except ValueError:
        return word_to_number(cleaned)
