"""Stochastic weight averaging on a tiny real BERT classifier (trains for real; no ../shared)."""

from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertModel

from nlp.sentiment.data import Example
from nlp.sentiment.embedded import default_model_dir
from nlp.sentiment.train import (
    TrainConfig,
    average_states,
    build_model,
    swa_stage,
    swa_trajectory,
)

ROWS = [
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
    """A small randomly initialised BERT saved like a checkpoint, on the shipped vocabulary."""
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
    )
    path = tmp_path_factory.mktemp("tiny-bert")
    BertModel(config, add_pooling_layer=False).save_pretrained(str(path))
    return path


@pytest.fixture(scope="module")
def tok():
    return AutoTokenizer.from_pretrained(str(default_model_dir()))


def _cfg(**kw) -> TrainConfig:
    return TrainConfig(batch_size=2, swa_epochs=1, swa_snapshots=2, swa_lr=1e-2, threads=1, **kw)


def _model(base: Path):
    torch.manual_seed(1)
    return build_model(base)


def _equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_trajectory_starts_at_the_given_weights_and_snapshots_evenly(tiny_base, tok) -> None:
    model = _model(tiny_base)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    snaps = swa_trajectory(model, ROWS, tok=tok, cfg=_cfg())
    # 8 rows / batch 2 = 4 steps, 2 snapshots -> one every 2 steps, plus the start
    assert len(snaps) == 3
    assert _equal(snaps[0], start)
    assert _equal(snaps[-1], model.state_dict())  # the last snapshot is the trained model
    weight = "head.weight"
    assert not torch.equal(snaps[0][weight], snaps[1][weight])
    assert not torch.equal(snaps[1][weight], snaps[2][weight])


def test_swa_stage_loads_the_mean_of_the_trajectory(tiny_base, tok) -> None:
    reference = _model(tiny_base)
    expected = average_states(swa_trajectory(reference, ROWS, tok=tok, cfg=_cfg()))
    model = _model(tiny_base)
    swa_stage(model, ROWS, tok=tok, cfg=_cfg())  # same start and seed: same trajectory
    assert _equal(model.state_dict(), expected)
    assert not _equal(model.state_dict(), reference.state_dict())  # not the last snapshot


@pytest.mark.parametrize(("epochs", "rows"), [(0, ROWS), (1, [])])
def test_swa_off_or_without_rows_leaves_the_weights_alone(tiny_base, tok, epochs, rows) -> None:
    model = _model(tiny_base)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    cfg = TrainConfig(batch_size=2, swa_epochs=epochs, threads=1)
    swa_stage(model, rows, tok=tok, cfg=cfg)
    assert _equal(model.state_dict(), before)
