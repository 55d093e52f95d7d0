"""Rule-based sentence segmentation matching the gold `annotation_conventions`.

Every non-empty line is a unit (headings and bullets included). Leading whitespace and a bullet
glyph are left out; list markers such as "1)" or "1." are kept. Lines are split further after
[.?!] (and any closing quotes) when whitespace and an uppercase letter or an opening quote follow,
also inside quotations. Common abbreviations ("Mr.", "U.S.", "Inc.") do not end a sentence.
"""

import bisect
import re
from dataclasses import dataclass

# Bullet glyphs (a hyphen or asterisk only when a space follows, so "-5%" stays intact).
_BULLET = re.compile(r"(?:[•·◦▪▫‣⁃►▶➢➤✓✔■□●○♦◆]|[-*–—](?=\s))\s*")
_BOUNDARY = re.compile(r"[.?!]+[\"'”’»)\]]*(?=\s+[\"'“‘«A-Z\u00c0-\u00de])")
_ABBREVIATIONS = frozenset(
    str.split(
        "mr mrs ms dr prof st jr sr inc corp ltd co vs etc gov sen rep gen lt col sgt rev fig no "
        "jan feb mar apr jun jul aug sep sept oct nov dec mt ft approx est dept univ"
    )
)
_INITIALISM = re.compile(r"(?:\b[A-Za-z]\.){2,}$|\b[A-Z]\.$")
_LAST_WORD = re.compile(r"([A-Za-z]+)\.$")


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence as code-point offsets into the text (end exclusive)."""

    start: int
    end: int


def _is_abbreviation(segment: str) -> bool:
    """Whether the text ending at a full stop ends with an abbreviation, not a sentence."""
    if _INITIALISM.search(segment):
        return True
    word = _LAST_WORD.search(segment)
    return bool(word and word.group(1).lower() in _ABBREVIATIONS)


def _split_line(text: str, start: int, end: int) -> list[SentenceSpan]:
    """Split one stripped line text[start:end] at sentence boundaries."""
    spans: list[SentenceSpan] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        piece = text[cursor : match.end()]
        # A bare list marker ("1.") or an abbreviation is not a sentence of its own.
        if not re.search(r"[A-Za-z\u00c0-\uffff]{2}", piece):
            continue
        if match.group().startswith(".") and _is_abbreviation(text[cursor : match.start() + 1]):
            continue
        spans.append(SentenceSpan(cursor, match.end()))
        nxt = match.end()
        while nxt < end and text[nxt].isspace():
            nxt += 1
        cursor = nxt
    if cursor < end:
        spans.append(SentenceSpan(cursor, end))
    return spans


def split_sentences(text: str) -> list[SentenceSpan]:
    """Sentence spans of `text` in order; empty and whitespace-only lines give none."""
    spans: list[SentenceSpan] = []
    for line in re.finditer(r"[^\n\r\u2028\u2029]+", text):
        start, end = line.start(), line.end()
        while start < end and text[start].isspace():
            start += 1
        bullet = _BULLET.match(text, start, end)
        if bullet:
            start = bullet.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.extend(_split_line(text, start, end))
    return spans


class SentenceIndex:
    """Maps a character offset to the index of the sentence holding it."""

    def __init__(self, sentences: list[SentenceSpan]) -> None:
        """Index sentence starts for bisection."""
        self._sentences = sentences
        self._starts = [s.start for s in sentences]

    def of(self, offset: int) -> int | None:
        """Index of the sentence containing `offset`, or None when between sentences."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self._sentences[i].end:
            return i
        return None

    def span(self, index: int) -> SentenceSpan:
        """The sentence with this index."""
        return self._sentences[index]
