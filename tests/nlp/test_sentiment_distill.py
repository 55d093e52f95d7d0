"""Knowledge distillation: the teacher's probabilities in the student's targets (real training
on a tiny BERT), the probability file's checks, and a teacher trained end to end."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from nlp.errors import ModelNotInstalledError
from nlp.sentiment.data import LABELS, SentimentDataError, text_key
from nlp.sentiment.teacher import (
    PROBS_FILE,
    TeacherConfig,
    build_teacher,
    load_teacher_probs,
    predict_probs,
    train_teacher,
)
from nlp.sentiment.train import TrainConfig, build_model, run_stage, soft_targets, with_teacher
from tests.nlp.conftest import TRAIN_ROWS

ROWS = TRAIN_ROWS[:4]


def test_without_a_teacher_the_target_is_the_smoothed_label() -> None:
    rows = soft_targets(ROWS[:3], smoothing=0.05, alpha=0.5)
    low, high = 0.05 / 3, 0.95 + 0.05 / 3
    assert rows[0] == pytest.approx([low, low, high])  # positive
    assert rows[1] == pytest.approx([high, low, low])  # negative
    assert rows[2] == pytest.approx([low, high, low])  # neutral
    # and its cross-entropy is the one CrossEntropyLoss(label_smoothing) computes
    logits = torch.tensor([[0.3, -1.2, 2.0], [1.5, 0.1, -0.7], [0.0, 0.4, 0.2]])
    manual = -(torch.tensor(rows) * torch.log_softmax(logits, -1)).sum(-1).mean()
    labels = torch.tensor([LABELS.index(e.label) for e in ROWS[:3]])
    builtin = torch.nn.CrossEntropyLoss(label_smoothing=0.05)(logits, labels)
    assert float(manual) == pytest.approx(float(builtin), rel=1e-6)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_the_teacher_is_mixed_in_by_alpha(alpha: float) -> None:
    teacher = (0.7, 0.2, 0.1)
    row = replace(ROWS[0], soft=teacher)  # labeled positive, the teacher says negative
    [target] = soft_targets([row], smoothing=0.05, alpha=alpha)
    label = [0.05 / 3, 0.05 / 3, 0.95 + 0.05 / 3]
    assert target == pytest.approx(
        [(1 - alpha) * a + alpha * b for a, b in zip(label, teacher, strict=True)]
    )
    assert sum(target) == pytest.approx(1.0)


def test_with_teacher_attaches_probabilities_by_normalised_text_to_named_pools_only() -> None:
    pools = {"fpb50_train": ROWS[:2], "crypto_stance": ROWS[2:]}
    probs = {
        text_key("Operating profit rose 12% to EUR 4.1 mn."): (0.1, 0.2, 0.7),  # FPB spacing undone
        text_key(ROWS[2].text): (0.3, 0.3, 0.4),
    }
    out = with_teacher(pools, probs, ["fpb50_train"])
    assert [e.soft for e in out["fpb50_train"]] == [(0.1, 0.2, 0.7), None]
    assert out["crypto_stance"] == ROWS[2:]  # not a distillation source: untouched
    assert pools["fpb50_train"][0].soft is None  # the input is not modified


def _train(base: Path, tok, rows, **kw):
    torch.manual_seed(3)
    model = build_model(base)
    cfg = TrainConfig(batch_size=2, threads=1, warmup=0.0, **kw)
    run_stage(model, rows, epochs=40, lr=3e-3, tok=tok, cfg=cfg)
    model.eval()
    enc = tok([e.text for e in rows], padding=True, return_tensors="pt")
    with torch.no_grad():
        return [LABELS[i] for i in model(enc["input_ids"], enc["attention_mask"]).argmax(-1)]


def test_distillation_pulls_the_student_to_the_teacher(tiny_base: Path, tok) -> None:
    """The teacher disagrees with every label; with alpha 1 the student learns the teacher's
    classes, with plain labels (the same rows, no teacher file) the labels'."""
    flip = {"positive": (0.9, 0.05, 0.05), "negative": (0.05, 0.05, 0.9)}
    rows = [
        replace(e, soft=flip.get(e.label, (0.05, 0.9, 0.05))) for e in ROWS if e.label != "neutral"
    ]
    plain = _train(tiny_base, tok, rows)
    taught = _train(tiny_base, tok, rows, teacher_probs="given", kd_alpha=1.0)
    assert plain == [e.label for e in rows]
    assert taught == [{"positive": "negative", "negative": "positive"}[e.label] for e in rows]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "non-empty object"),
        ('{"a b": [0.5, 0.5]}', "is not 3 probabilities"),
        ('{"a b": [0.5, 0.4, 0.4]}', "is not 3 probabilities"),
        ('{"a b": [1.2, -0.1, -0.1]}', "is not 3 probabilities"),
    ],
)
def test_a_bad_probability_file_is_refused_clearly(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / PROBS_FILE
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SentimentDataError, match=message):
        load_teacher_probs(path)
    with pytest.raises(SentimentDataError, match="cannot read"):
        load_teacher_probs(tmp_path / "missing.json")


def test_a_teacher_that_cannot_be_loaded_names_the_model(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match="empty-folder"):
        build_teacher(str(tmp_path / "empty-folder"))


def test_predict_probs_keeps_input_order_and_does_not_depend_on_the_batch(
    tiny_base: Path, tok
) -> None:
    torch.manual_seed(0)
    teacher = build_teacher(str(tiny_base))
    texts = [e.text for e in ROWS] + [
        "Short.",
        "A much longer sentence about ETF outflows and rates.",
    ]
    one_by_one = [predict_probs(teacher, [t], tok=tok)[0] for t in texts]
    batched = predict_probs(teacher, texts, tok=tok, batch_size=3)
    for got, alone in zip(batched, one_by_one, strict=True):
        assert got == pytest.approx(alone, abs=1e-5)
    assert all(sum(p) == pytest.approx(1.0) for p in batched)


@pytest.mark.slow
@pytest.mark.shared
def test_teacher_end_to_end_writes_probabilities_the_student_reads(
    shared_path: Path, tiny_base: Path, tmp_path: Path
) -> None:
    cfg = TeacherConfig(epochs=1, limit=16, threads=1)
    metrics = train_teacher(str(tiny_base), tmp_path / "teacher", shared=shared_path, cfg=cfg)
    assert set(metrics) >= {"fpb50", "fpb_allagree", "twitter_valid", "gold_sentences", "base"}
    assert metrics["fpb50"]["n"] == 968
    probs = load_teacher_probs(tmp_path / "teacher" / PROBS_FILE)
    assert len(probs) == 48  # 16 rows of each of the three label sources, all distinct
    saved = json.loads((tmp_path / "teacher" / "metrics.json").read_text())
    assert saved["teacher_config"]["limit"] == 16
    from nlp.sentiment.data import training_pool
    from nlp.sentiment.train import train

    pools = training_pool(shared_path)
    assert all(text_key(e.text) in probs for e in pools["twitter_train"][:16])
    student = TrainConfig(
        limit=4,
        soup_seeds=[],
        fpb_epochs=1,
        threads=1,
        teacher_probs=str(tmp_path / "teacher" / PROBS_FILE),
    )
    work = train(tmp_path / "student", shared=shared_path, cfg=student)
    assert json.loads((work / "train_config.json").read_text())["teacher_probs"].endswith(
        PROBS_FILE
    )
