"""The `hf` backend on a local model folder saved by the test (tiny random BERT + MiniLM vocab)."""

import json
from pathlib import Path

import pytest
import torch
from transformers import BertForSequenceClassification, BertTokenizerFast

from nlp.sentiment.backend import SentimentError
from nlp.sentiment.hf import HfBackend, parse_label_map, resolve_labels
from nlp.sentiment.registry import create_backend
from nlp.sentiment.settings import SentimentSettings
from tests.conftest import save_tiny_bert

TEXTS = [
    "Shares rose 5 % after strong results .",
    "The bank cut its outlook.",
    "Meeting on Friday.",
]


def reference_probs(folder: Path, texts: list[str]) -> list[list[float]]:
    """Softmax of the saved model computed directly with torch, one text at a time."""
    model = BertForSequenceClassification.from_pretrained(folder).eval()
    tok = BertTokenizerFast.from_pretrained(folder)
    with torch.inference_mode():
        return [
            torch.softmax(model(**tok(t, return_tensors="pt")).logits, -1)[0].tolist()
            for t in texts
        ]


def test_local_model_with_named_labels(tmp_path: Path) -> None:
    folder = save_tiny_bert(tmp_path / "m", {0: "bearish", 1: "neutral", 2: "bullish"})
    backend = HfBackend(str(folder), label_map={}, threads=1, batch_size=2)
    assert backend.labels == ["negative", "neutral", "positive"]
    got = backend.predict(TEXTS)
    for probs, ref in zip(got, reference_probs(folder, TEXTS), strict=True):
        assert list(probs) == ["negative", "neutral", "positive"]
        assert probs["negative"] == pytest.approx(ref[0], abs=1e-5)
        assert probs["neutral"] == pytest.approx(ref[1], abs=1e-5)
        assert probs["positive"] == pytest.approx(ref[2], abs=1e-5)
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)


def test_label_map_setting_and_selection_by_name(tmp_path: Path) -> None:
    folder = save_tiny_bert(tmp_path / "m", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    mapping = {"LABEL_0": "positive", "LABEL_1": "negative", "LABEL_2": "neutral"}
    settings = SentimentSettings(
        sentiment_backend="hf",
        sentiment_hf_model=str(folder),
        sentiment_label_map=json.dumps(mapping),
        sentiment_cache_size=0,
    )
    backend = create_backend(settings)
    assert backend.name == "hf"
    assert backend.version == f"hf-{folder}"
    ref = reference_probs(folder, TEXTS[:1])[0]
    probs = backend.predict(TEXTS[:1])[0]
    assert probs["positive"] == pytest.approx(ref[0], abs=1e-5)
    assert probs["negative"] == pytest.approx(ref[1], abs=1e-5)
    assert probs["neutral"] == pytest.approx(ref[2], abs=1e-5)


def test_unmapped_generic_labels_are_a_clear_error(tmp_path: Path) -> None:
    folder = save_tiny_bert(tmp_path / "m", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    with pytest.raises(SentimentError, match="LABEL_0"):
        HfBackend(str(folder), label_map={}, threads=1, batch_size=2)


def test_two_label_model_gets_zero_neutral(tmp_path: Path) -> None:
    folder = save_tiny_bert(tmp_path / "m", {0: "NEG", 1: "POS"})
    probs = HfBackend(str(folder), label_map={}, threads=1, batch_size=4).predict(TEXTS)
    assert [p["neutral"] for p in probs] == [0.0, 0.0, 0.0]
    assert all(p["negative"] + p["positive"] == pytest.approx(1.0, abs=1e-5) for p in probs)


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SentimentError, match=r"no config\.json"):
        HfBackend(str(empty), label_map={}, threads=1, batch_size=2)


def test_label_map_validation() -> None:
    assert parse_label_map('{"Bear": "negative"}') == {"bear": "negative"}
    assert parse_label_map("  ") == {}
    with pytest.raises(SentimentError, match="not JSON"):
        parse_label_map("{bad")
    with pytest.raises(SentimentError, match="must map"):
        parse_label_map('{"x": "bullish"}')
    assert resolve_labels({0: "Bear"}, {"bear": "negative"}) == ["negative"]
