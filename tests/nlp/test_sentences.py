"""Sentence segmentation: the gold conventions on real and hand-made text."""

import json

import pytest

from nlp.sentences import split_sentences
from tests.conftest import shared_dir


def _pieces(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bitcoin fell. Ether rose.", ["Bitcoin fell.", "Ether rose."]),
        ("Is it over? Yes! It is.", ["Is it over?", "Yes!", "It is."]),
        # bullets: the glyph and the space after it are left out
        ("Key points:\n• BTC fell 5%.\n- ETH lost 3%.\n* SOL flat",
         ["Key points:", "BTC fell 5%.", "ETH lost 3%.", "SOL flat"]),
        # numbered lists keep their markers and are not split after "1."
        ("1. Bitcoin dropped.\n2) Ether followed.", ["1. Bitcoin dropped.", "2) Ether followed."]),
        # a heading without a full stop is its own unit
        ("Market Wrap\nBitcoin slid on Monday.", ["Market Wrap", "Bitcoin slid on Monday."]),
        # "Name: number" lines
        ("Bitcoin: $98,500\nEther: $3,100", ["Bitcoin: $98,500", "Ether: $3,100"]),
        # a quotation that holds two sentences is split inside, closing quote kept
        ('He said, "The cycle has ended. Bitcoin will fall." Then he left.',
         ['He said, "The cycle has ended.', 'Bitcoin will fall."', "Then he left."]),
        # lower-case continuation, decimals and abbreviations do not split
        ("Prices rose 2.5 percent. the rally held.", ["Prices rose 2.5 percent. the rally held."]),
        ("The U.S. Treasury and Mr. Powell spoke. Markets moved.",
         ["The U.S. Treasury and Mr. Powell spoke.", "Markets moved."]),
        # blank lines, leading whitespace and trailing whitespace vanish
        ("\n\n   Indented line.   \n\n", ["Indented line."]),
        ("", []),
        ("   \n\t\n", []),
        ("No final stop", ["No final stop"]),
    ],
)  # fmt: skip
def test_segmentation_table(text: str, expected: list[str]) -> None:
    assert _pieces(text) == expected


def test_offsets_index_the_original_text() -> None:
    text = "  • First one.  Second one!\r\nThird"
    spans = split_sentences(text)
    assert [(s.start, s.end) for s in spans] == [(4, 14), (16, 27), (29, 34)]


@pytest.mark.shared
def test_matches_every_gold_sentence_exactly() -> None:
    shared = shared_dir()
    gold = json.loads((shared / "gold" / "000_69657d30d331c4cd.json").read_text(encoding="utf-8"))
    text = (shared / "samples" / gold["doc"]).read_text(encoding="utf-8")
    expected = [(s["char_start"], s["char_end"]) for s in gold["sentences_sentiment"]]
    assert len(expected) == 58
    assert [(s.start, s.end) for s in split_sentences(text)] == expected
