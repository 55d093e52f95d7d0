"""Fixtures of the sentiment training tests: a tiny real BERT to train and MiniLM's tokenizer."""

from datetime import date
from pathlib import Path

import pytest

from nlp.pipeline import Analyzer
from nlp.training.data import Example
from nlp.types import ClaimRecord
from tests.conftest import save_tiny_bert

# labeled sentences small enough to overfit in seconds
TRAIN_ROWS = [
    Example("Operating profit rose 12 % to EUR 4.1 mn.", "positive", "test"),
    Example("Net sales fell sharply in the quarter.", "negative", "test"),
    Example("The annual meeting is held on 5 April.", "neutral", "test"),
    Example("Spot bitcoin ETFs saw record inflows.", "positive", "test"),
    Example("Long-term holders sold 405,000 BTC.", "negative", "test"),
    Example("The report is published on Thursday.", "neutral", "test"),
    Example("Shares jumped after the upgrade.", "positive", "test"),
    Example("The lender cut its outlook again.", "negative", "test"),
]


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small randomly initialised BERT encoder saved like a checkpoint."""
    return save_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="module")
def tok():
    """The tokenizer of the shipped model (MiniLM's vocabulary, as the tiny BERT's)."""
    from transformers import AutoTokenizer

    from nlp.sentiment.embedded import default_model_dir

    return AutoTokenizer.from_pretrained(str(default_model_dir()))


PUB = date(2025, 11, 5)  # publication date of the claim test sentences


def claims_of(analyzer: Analyzer, text: str, published: date | None = PUB) -> list[ClaimRecord]:
    """The claims the pipeline finds in `text`."""
    return analyzer.analyze(text, published).claims


def by_text(claims: list[ClaimRecord]) -> dict[str, ClaimRecord]:
    """Claims by their matched text."""
    return {c.text: c for c in claims}
