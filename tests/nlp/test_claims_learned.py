"""The learned claim decision layer: features, numpy inference, explanations, version, training."""

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nlp.claims.extract import CLAIMS_VERSION
from nlp.claims.learned import (
    EMBED_DIM,
    HASH_DIM,
    MODEL_DIR,
    ClaimView,
    DecisionModel,
    LabelModel,
    apply_decisions,
    claim_view,
    feature_matrix,
    hashed,
    lexical_tokens,
    marked_text,
    model_version,
    read_model,
    save_model,
)
from nlp.evaluation.claims_labels import rules_only
from nlp.pipeline import Analyzer
from nlp.settings import NlpSettings
from nlp.types import ClaimRecord
from tests.conftest import shared_dir

SENTENCE = "Analysts said Bitcoin could rally to $48,000 after it tested the $30,000 support."


def _claim(text: str, start: int, **labels: str) -> ClaimRecord:
    """A claim record at `start` in SENTENCE with the given rule labels."""
    return ClaimRecord(
        start=start, end=start + len(text), text=text, value=None, unit="USD",
        metric=labels.get("metric", "amount"), subject=None, subject_id=None,
        direction=labels.get("direction", "none"),
        claim_type=labels.get("claim_type", "observation"), time_start=None, time_end=None,
        time_text=None, attributed_to=None, qualifier=None, sentence_index=0,
        explanation={"metric": "default", "claim_type": "default", "direction": "default"},
    )  # fmt: skip


def _view(number: str = "$48,000") -> ClaimView:
    start = SENTENCE.index(number)
    return claim_view(_claim(number, start), SENTENCE, (0, len(SENTENCE)))


def _fake_encode(texts: Sequence[str]) -> np.ndarray:
    """A stand-in encoder: one-hot of the text's length (deterministic, no model)."""
    out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        out[i, len(text) % EMBED_DIM] = 1.0
    return out


def test_view_marks_the_number_in_its_sentence() -> None:
    view = _view()
    assert view.sentence[view.start : view.end] == "$48,000"
    assert marked_text(view) == SENTENCE.replace("$48,000", "[ $48,000 ]")
    assert view.rules == {"claim_type": "observation", "direction": "none", "metric": "amount"}


def test_word_window_keeps_the_words_next_to_the_number() -> None:
    view = _view()
    assert marked_text(view, 2) == "rally to [ $48,000 ] after it"
    assert marked_text(view, 0) == "[ $48,000 ]"
    assert marked_text(view, 50) == marked_text(view)  # a short sentence: all of it
    first = _view("$30,000")
    assert marked_text(first, 3) == "it tested the [ $30,000 ] support."
    embedded = feature_matrix([view], _fake_encode, 2)[0, :EMBED_DIM]
    assert embedded.argmax() == len("rally to [ $48,000 ] after it") % EMBED_DIM


def test_the_window_travels_with_the_model(tmp_path: Path) -> None:
    model = LabelModel(("a", "b"), np.zeros((1, 4), np.float32), np.zeros(1, np.float32), 0.5)
    save_model(DecisionModel("t-2", {"metric": model}, window_words=7), tmp_path)
    assert read_model(tmp_path).window_words == 7
    save_model(DecisionModel("t-1", {"metric": model}), tmp_path)  # no window: the old model
    assert read_model(tmp_path).window_words is None
    assert not (tmp_path / "features.json").exists()


@pytest.mark.parametrize(
    ("number", "present"),
    [
        ("$48,000", {"L1:to", "R1:after", "modal_near_left", "rule_metric=amount", "unit=USD"}),
        ("$30,000", {"L1:the", "R1:support", "S:support", "Led:ed", "why_metric=default"}),
    ],
)
def test_lexical_tokens(number: str, present: set[str]) -> None:
    assert present <= set(lexical_tokens(_view(number)))


def test_hashed_is_a_stable_binary_bag() -> None:
    row = hashed(["a", "b", "a"])
    assert row.shape == (HASH_DIM,) and set(np.unique(row)) <= {0.0, 1.0}
    assert row.sum() in (1.0, 2.0)
    assert np.array_equal(row, hashed(["b", "a"]))


def test_feature_matrix_joins_embedding_and_tokens() -> None:
    views = [_view("$48,000"), _view("$30,000")]
    features = feature_matrix(views, _fake_encode)
    assert features.shape == (2, EMBED_DIM + HASH_DIM)
    assert features[:, :EMBED_DIM].sum() == 2.0  # one hot per row from the fake encoder
    assert not np.array_equal(features[0, EMBED_DIM:], features[1, EMBED_DIM:])
    assert feature_matrix([], _fake_encode).shape == (0, EMBED_DIM + HASH_DIM)


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_numpy_probabilities_match_sklearn(n_classes: int, tmp_path: Path) -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    x = rng.normal(size=(120, 12)).astype(np.float32)
    y = np.array([f"c{i % n_classes}" for i in range(120)])
    x[np.arange(120), np.arange(120) % n_classes] += 2.0  # learnable
    fitted = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    model = LabelModel(
        classes=tuple(fitted.classes_), coef=fitted.coef_.astype(np.float32),
        intercept=fitted.intercept_.astype(np.float32), threshold=0.0,
    )  # fmt: skip
    assert np.allclose(model.probabilities(x), fitted.predict_proba(x), atol=1e-5)
    save_model(DecisionModel("t-1", {"metric": model}), tmp_path)
    back = read_model(tmp_path)
    assert back.version == "t-1" and back.labels["metric"].classes == model.classes
    # float16 weights: probabilities within a rounding of sklearn's
    assert np.allclose(back.labels["metric"].probabilities(x), fitted.predict_proba(x), atol=2e-2)


def test_low_confidence_keeps_the_rule_and_explanations_say_who_decided() -> None:
    claims = [_claim("$48,000", SENTENCE.index("$48,000"))]
    views = [claim_view(claims[0], SENTENCE, (0, len(SENTENCE)))]
    sure = LabelModel(("forecast", "observation"), np.zeros((1, 4), np.float32),
                      np.array([-5.0], np.float32), threshold=0.9)  # fmt: skip
    unsure = LabelModel(("down", "none", "up"), np.zeros((3, 4), np.float32),
                        np.zeros(3, np.float32), threshold=0.5)  # fmt: skip
    model = DecisionModel("t-1", {"claim_type": sure, "direction": unsure})
    decided = model.decide(views, np.zeros((1, 4), np.float32))
    assert decided == [{"claim_type": "forecast"}]
    apply_decisions(claims, views, decided)
    claim = claims[0]
    assert claim.claim_type == "forecast" and claim.direction == "none"
    assert claim.explanation is not None
    assert claim.explanation["decided_by"] == {
        "claim_type": "model", "direction": "rules", "metric": "rules"
    }  # fmt: skip
    assert claim.explanation["rules"]["claim_type"] == "observation"
    payload = {"claims": [claim.model_dump()]}
    assert rules_only(payload, [claim.explanation])["claims"][0]["claim_type"] == "observation"


def test_pipeline_claims_carry_decided_by(analyzer: Analyzer) -> None:
    claims = analyzer.analyze(SENTENCE).claims
    assert claims
    for claim in claims:
        assert claim.explanation is not None
        assert set(claim.explanation["decided_by"]) == {"claim_type", "direction", "metric"}
        assert set(claim.explanation["decided_by"].values()) <= {"rules", "model"}
        for name, by in claim.explanation["decided_by"].items():
            said = claim.explanation[name]
            assert said.startswith("learned layer claims-decider-") == (by == "model"), said
    deciders = {by for c in claims for by in c.explanation["decided_by"].values()}
    assert "model" in deciders  # the shipped model is sure of something in this sentence


def test_version_joins_rules_and_model(analyzer: Analyzer) -> None:
    version = analyzer.model_versions["claims"]
    assert version == f"{CLAIMS_VERSION}+{model_version(MODEL_DIR)}"
    assert version != CLAIMS_VERSION  # articles analyzed by the rules alone are stale
    rules = Analyzer(stages=["nlp.claims.stage:rules_only_stage"])
    assert rules.model_versions["claims"] == CLAIMS_VERSION


def test_the_decider_setting_picks_the_rules_alone() -> None:
    settings = NlpSettings(claims_decider="rules")
    rules = Analyzer(stages=["nlp.claims.stage:claims_stage"], settings=settings)
    assert rules.model_versions["claims"] == CLAIMS_VERSION
    claims = rules.analyze("Analysts expect bitcoin to reach $48,000 by June.").claims
    assert claims and all("decided_by" not in (c.explanation or {}) for c in claims)


def test_lr_model_round_trips(tmp_path: Path) -> None:
    """decider-2's format (the `--recipe lr` models) still saves and reads back (the shipped
    model is the fine-tuned one since decider-3: tests/nlp/test_claims_finetune.py)."""
    classes = ("forecast", "observation", "threshold_level")
    label = LabelModel(classes, np.ones((3, 4), np.float32), np.zeros(3, np.float32), 0.8)
    save_model(DecisionModel("t-2", {"claim_type": label}, window_words=8), tmp_path)
    model = read_model(tmp_path)
    assert model.version == "t-2" and model.window_words == 8
    assert "threshold_level" in model.labels["claim_type"].classes


@pytest.mark.shared
@pytest.mark.slow
def test_train_command_on_a_tiny_subset(tmp_path: Path) -> None:
    from api.cli import app

    shared = shared_dir()
    runner = CliRunner()
    args = ["train", "claims", "--recipe", "lr", "--limit", "8", "--shared", str(shared), "--json"]
    first = runner.invoke(app, [*args, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    result = json.loads(first.output)
    assert result["examples"]["train"] > 10
    assert set(result["accuracy"]["train"]) == {"claim_type", "direction", "metric"}
    second = runner.invoke(app, [*args, "--out", str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    a, b = read_model(tmp_path / "a"), read_model(tmp_path / "b")
    for name in a.labels:  # deterministic: the same weights from the same labels and texts
        assert np.array_equal(a.labels[name].coef, b.labels[name].coef)
        assert a.labels[name].classes == b.labels[name].classes


def test_a_rule_answer_the_model_never_saw_stands() -> None:
    claim = _claim("$48,000", SENTENCE.index("$48,000"), metric="net_flow")
    view = claim_view(claim, SENTENCE, (0, len(SENTENCE)))
    sure = LabelModel(("amount", "price"), np.zeros((1, 4), np.float32),
                      np.array([-5.0], np.float32), threshold=0.5)  # fmt: skip
    model = DecisionModel("t-1", {"metric": sure})
    assert model.decide([view], np.zeros((1, 4), np.float32)) == [{}]
    assert model.decide([_view()], np.zeros((1, 4), np.float32)) == [{"metric": "amount"}]
