"""The fine-tuned claim decision layer (claims-decider-3): input text, floors, the shipped ONNX
model, grouped folds and the training tolerance."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nlp.claims.finetuned import (
    SEPARATOR,
    TunedModel,
    confident,
    is_tuned,
    model_input,
    probabilities,
    read_tuned,
)
from nlp.claims.learned import LABELS, MODEL_DIR, ClaimView, claim_view
from nlp.training.claims_cv import decisions, grouped_folds
from nlp.types import ClaimRecord
from tests.conftest import shared_dir

SENTENCE = "Analysts said Bitcoin could rally to $48,000 after it tested the $30,000 support."


def _view(number: str = "$48,000", metric: str = "price") -> ClaimView:
    start = SENTENCE.index(number)
    claim = ClaimRecord(
        start=start, end=start + len(number), text=number, value=None, unit="USD", metric=metric,
        subject=None, subject_id=None, direction="up", claim_type="forecast", time_start=None,
        time_end=None, time_text=None, attributed_to=None, qualifier=None, sentence_index=0,
        explanation={},
    )  # fmt: skip
    return claim_view(claim, SENTENCE, (0, len(SENTENCE)))


def _model(threshold: float = 0.5) -> TunedModel:
    classes = {"claim_type": ("forecast", "observation"), "direction": ("down", "none", "up"),
               "metric": ("price", "price_target")}  # fmt: skip
    return TunedModel(
        folder=Path("/nonexistent"), version="t-3", classes=classes,
        thresholds=dict.fromkeys(LABELS, threshold), window_words=4, max_length=64,
    )  # fmt: skip


def test_model_input_puts_the_rules_before_the_marked_window() -> None:
    text = model_input(_view(), 4)
    prefix, window = text.split(SEPARATOR)
    assert prefix == "forecast up price"
    assert window == "Bitcoin could rally to [ $48,000 ] after it tested the"


def test_confident_answers_respect_the_floor_and_unknown_rules() -> None:
    probs = {
        "claim_type": np.array([[0.9, 0.1], [0.9, 0.1]], np.float32),
        "direction": np.array([[0.4, 0.3, 0.3], [0.4, 0.3, 0.3]], np.float32),
        "metric": np.array([[0.2, 0.8], [0.2, 0.8]], np.float32),
    }
    views = [_view(), _view("$30,000", metric="net_flow")]  # net_flow: not a class of the model
    decided = confident(_model(0.5), views, probs)
    assert decided[0] == {"claim_type": ("forecast", pytest.approx(0.9)),
                          "metric": ("price_target", pytest.approx(0.8))}  # fmt: skip
    assert "metric" not in decided[1] and "direction" not in decided[1]


def test_grouped_folds_keep_a_text_in_one_fold() -> None:
    groups = [f"doc{i // 3}" for i in range(60)]
    fold = grouped_folds(groups, 5)
    assert set(fold.tolist()) == set(range(5))
    for doc in set(groups):
        assert len({int(f) for f, g in zip(fold, groups, strict=True) if g == doc}) == 1
    assert np.array_equal(fold, grouped_folds(groups, 5))  # seeded


def test_cv_decisions_fall_back_to_the_rule() -> None:
    views = [_view()]
    classes: tuple[str, ...] = ("forecast", "observation")
    probs = {name: [(classes, np.array([0.6, 0.4]))] for name in LABELS}
    answers = decisions(views, probs, dict.fromkeys(LABELS, 0.7))
    assert answers == {"claim_type": ["forecast"], "direction": ["up"], "metric": ["price"]}


def test_shipped_model_is_the_fine_tuned_one() -> None:
    assert is_tuned(MODEL_DIR)
    model = read_tuned(MODEL_DIR)
    assert model.version == "claims-decider-3"
    assert "threshold_level" in model.classes["claim_type"]
    assert set(model.classes["direction"]) == {"down", "none", "up"}
    assert model.thresholds["claim_type"] >= 0.5
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir())
    assert size < 30_000_000  # int8 MiniLM + tokenizer
    probs = probabilities(model, [model_input(_view(), model.window_words)] * 2)
    for name in LABELS:  # rows are distributions, and a claim's row does not depend on its batch
        assert probs[name].shape == (2, len(model.classes[name]))
        assert np.allclose(probs[name].sum(axis=1), 1.0, atol=1e-5)
        assert np.allclose(probs[name][0], probs[name][1])


@pytest.mark.shared
@pytest.mark.slow
def test_tuned_training_reproduces_within_tolerance(tmp_path: Path) -> None:
    """The fine-tuned recipe is seeded: two runs on the same texts give the same answers and
    probabilities within 1e-4 (bytes may differ across CPUs and thread counts)."""
    from api.cli import app

    runner = CliRunner()
    args = ["train", "claims", "--limit", "2", "--shared", str(shared_dir()), "--json"]
    outs = []
    for name in ("a", "b"):
        result = runner.invoke(app, [*args, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        start = result.output.index("{")  # the exporter's log lines may come before or after
        outs.append(json.JSONDecoder().raw_decode(result.output[start:])[0])
    assert outs[0]["accuracy"] == outs[1]["accuracy"]
    texts = [model_input(_view(n), 12) for n in ("$48,000", "$30,000")]
    a, b = (probabilities(read_tuned(tmp_path / n), texts) for n in ("a", "b"))
    for name in LABELS:
        assert np.allclose(a[name], b[name], atol=1e-4)
