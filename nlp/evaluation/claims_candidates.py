"""An annotator's aid for the claim labels: the numbers of a text, marked for reading.

This is a plain regular expression over digits (and a few number words), not tidings' claim
extractor: it shows the annotator every number-like span with an id, so no number is overlooked;
the annotator decides from the text what is a claim and labels it (docs/ANNOTATION.md, "Numeric
claims"). Dates, years and clock times are listed too (they are marked `no` by the annotator).

    python -m nlp.evaluation.claims_candidates DOC_ID [DOC_ID ...] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

from nlp.evaluation.claims_texts import SourceText, all_texts
from nlp.sentences import split_sentences

NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    "fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousands|half|dozen|dozens"
)
_SP = r"[ \xa0]"  # one space on the same line: a number never takes a unit from the next line
_SCALE = rf"(?:{_SP}?(?:k|K|m|M|mn|bn|b|B|tn|T)\b|{_SP}(?:thousand|million|billion|trillion)\b)"
_UNIT = (
    rf"(?:{_SP}?%|{_SP}?percent\b|{_SP}(?:per cent|percentage points?|basis points|bps|bp|"
    r"dollars?|bitcoins?|ether|(?-i:[A-Z]{2,6}))\b|x\b)"
)
NUMBER = re.compile(
    rf"(?:US\$|USD{_SP}?|\$|€|£|¥)?(?<![\w.])(?:\d+(?:,\d{{3}})*(?:\.\d+)?|\.\d+)"
    rf"(?:{_SCALE})?(?:{_UNIT})?|\b(?:{NUMBER_WORDS})\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    """A number-like span of a text."""

    index: int
    start: int
    end: int
    sentence: int


def candidates(text: str) -> list[Candidate]:
    """Every number-like span of `text`, with the index of its sentence."""
    spans = split_sentences(text)
    out: list[Candidate] = []
    for match in NUMBER.finditer(text):
        start, end = match.start(), match.end()
        sent = next((i for i, s in enumerate(spans) if s.start <= start < s.end), -1)
        out.append(Candidate(len(out), start, end, sent))
    return out


def render(doc: SourceText) -> str:
    """The text's sentences that hold numbers, each number marked [k:span]."""
    text = doc.text
    found = candidates(text)
    lines = [f"## {doc.doc_id} {doc.src} {doc.published} | {doc.title[:100]}"]
    for i, span in enumerate(split_sentences(text)):
        inside = [c for c in found if c.sentence == i]
        piece, cursor = [], span.start
        for c in inside:
            piece.append(text[cursor : c.start])
            piece.append(f"[{c.index}:{text[c.start : c.end]}]")
            cursor = c.end
        piece.append(text[cursor : span.end])
        mark = "*" if inside else " "
        lines.append(f"{mark}s{i}: {''.join(piece)}")
    return "\n".join(lines)


def main() -> None:
    """Print the marked texts of the given doc ids."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("doc_ids", nargs="+")
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    args = parser.parse_args()
    texts = all_texts(args.shared)
    for doc_id in args.doc_ids:
        print(render(texts[doc_id]))
        print()


if __name__ == "__main__":
    main()
