"""Training stages on a tiny real BERT (trains for real; no ../shared): stochastic weight
averaging and the masked-LM stage 0."""

from pathlib import Path

import pytest
import torch
from transformers import BertModel

from nlp.sentiment.data import SentimentDataError
from nlp.sentiment.train import (
    TrainConfig,
    average_states,
    build_model,
    mlm_stage,
    swa_stage,
    swa_trajectory,
)
from tests.nlp.conftest import TRAIN_ROWS

ROWS = TRAIN_ROWS


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


def _mlm_cfg() -> TrainConfig:
    return TrainConfig(mlm_epochs=2, mlm_batch_size=4, mlm_lr=1e-2, max_len=32, threads=1)


def _encoder(folder: Path) -> dict:
    return BertModel.from_pretrained(str(folder), add_pooling_layer=False).state_dict()


def test_mlm_stage_adapts_the_encoder_and_saves_a_loadable_checkpoint(tiny_base, tmp_path) -> None:
    texts = [row.text for row in ROWS]
    out = mlm_stage(tiny_base, texts + texts[:3], out=tmp_path / "mlm", cfg=_mlm_cfg())
    assert out == tmp_path / "mlm"
    assert (out / "config.json").is_file() and (out / "tokenizer.json").is_file()
    before, after = _encoder(tiny_base), _encoder(out)
    assert before.keys() == after.keys()  # the encoder only: the MLM head is dropped
    word = "embeddings.word_embeddings.weight"
    assert not torch.equal(before[word], after[word])  # tied to the MLM decoder: it learned
    assert not torch.equal(
        before["encoder.layer.0.attention.self.query.weight"],
        after["encoder.layer.0.attention.self.query.weight"],
    )
    model = build_model(out)  # the fine-tuning stages start from it like from the base
    assert torch.equal(model.encoder.state_dict()[word], after[word])


def test_mlm_stage_is_deterministic(tiny_base, tmp_path) -> None:
    texts = [row.text for row in ROWS]
    first = _encoder(mlm_stage(tiny_base, texts, out=tmp_path / "a", cfg=_mlm_cfg()))
    second = _encoder(mlm_stage(tiny_base, texts, out=tmp_path / "b", cfg=_mlm_cfg()))
    assert _equal(first, second)


def test_mlm_stage_without_texts_is_an_error(tiny_base, tmp_path) -> None:
    with pytest.raises(SentimentDataError, match="masked-LM"):
        mlm_stage(tiny_base, [], out=tmp_path / "none", cfg=_mlm_cfg())
    assert not (tmp_path / "none").exists()
