"""Corpus loaders and the fixed FPB held-out split (needs ../shared)."""

from collections import Counter
from pathlib import Path

import pytest

from nlp.evaluation.sentiment import gold_sentences, scores
from nlp.training.data import (
    SentimentDataError,
    fpb_allagree_heldout,
    fpb_split,
    load_fpb,
    load_semeval_headlines,
    load_twitter,
    normalize_text,
    score_label,
    text_key,
)
from nlp.training.pool import training_pool

pytestmark = pytest.mark.shared


def test_fpb_levels_are_read_as_latin1_and_deduplicated(shared_path: Path) -> None:
    assert len(load_fpb(shared_path, "50")) == 4838  # 4,846 lines, 8 repeated texts
    allagree = load_fpb(shared_path, "all")
    assert Counter(e.label for e in allagree) == {"neutral": 1386, "positive": 570, "negative": 303}
    with pytest.raises(SentimentDataError, match="unknown FPB agreement level"):
        load_fpb(shared_path, "90")


def test_heldout_split_is_fixed_stratified_and_never_trained_on(shared_path: Path) -> None:
    train, heldout = fpb_split(shared_path)
    assert (len(train), len(heldout)) == (3870, 968)
    assert Counter(e.label for e in heldout) == {"neutral": 575, "positive": 272, "negative": 121}
    assert fpb_split(shared_path)[1] == heldout
    banned = {text_key(e.text) for e in heldout}
    for rows in training_pool(shared_path).values():
        assert not banned & {text_key(e.text) for e in rows}
    assert len(fpb_allagree_heldout(shared_path)) == 432


def test_other_corpora_map_labels(shared_path: Path) -> None:
    tweets = load_twitter(shared_path, "valid")
    assert len(tweets) == 2388
    assert Counter(e.label for e in tweets) == {"neutral": 1566, "positive": 475, "negative": 347}
    assert all("http" not in e.text for e in tweets)
    heads = load_semeval_headlines(shared_path)
    assert len(heads) == 1142
    assert heads[0][1] == "Morrisons"
    assert [score_label(s) for s in (0.43, -0.344, 0.05)] == ["positive", "negative", "neutral"]
    assert len(gold_sentences(shared_path)) >= 58


def test_normalize_and_scores() -> None:
    assert normalize_text("Sales rose 5 % , to EUR 3 mn ( USD 4 mn ) .") == (
        "Sales rose 5%, to EUR 3 mn (USD 4 mn)."
    )
    assert normalize_text("See https://t.co/x now") == "See now"
    got = scores(
        ["positive", "negative", "neutral", "neutral"],
        ["positive", "neutral", "neutral", "neutral"],
    )
    assert got == {"accuracy": 0.75, "macro_f1": 0.6, "n": 4}
