"""A few training steps end to end: train, export ONNX, quantize, load (slow; needs ../shared)."""

import json
from pathlib import Path

import pytest

from nlp.sentiment.embedded import EmbeddedBackend
from nlp.training.export import ARTIFACT_VERSION, ONNX_NAME, write_artifact
from nlp.training.recipe import TrainConfig, train

pytestmark = [pytest.mark.slow, pytest.mark.shared]


def test_tiny_training_run_exports_a_loadable_int8_model(shared_path: Path, tmp_path: Path) -> None:
    cfg = TrainConfig(limit=8, mixed_epochs=1, fpb_epochs=1, batch_size=8, threads=1)
    torch_dir = train(tmp_path / "work", shared=shared_path, cfg=cfg)
    out = write_artifact(
        torch_dir, tmp_path / "model", version=ARTIFACT_VERSION, calibration=["Sales rose 5 %."] * 4
    )
    size = (out / ONNX_NAME).stat().st_size
    assert 15_000_000 < size < 25_000_000  # int8 weights, embedding table included
    backend = EmbeddedBackend(out, threads=1, batch_size=4, max_length=64)
    probs = backend.predict(["Profit fell sharply.", "Revenue grew 20 %."])
    assert len(probs) == 2
    assert all(sum(p.values()) == pytest.approx(1.0, abs=1e-5) for p in probs)
    assert backend.version == f"embedded-{ARTIFACT_VERSION}"
    quant = json.loads((out / "quantization.json").read_text(encoding="utf-8"))
    assert quant["float_activations"] == []

    # the same weights with the 3 activations whose int8 rounding costs most kept in float
    mixed = write_artifact(
        torch_dir,
        tmp_path / "mixed",
        version=ARTIFACT_VERSION,
        calibration=["Sales rose 5 %."] * 4,
        float_activations=3,
        sensitivity=["Profit fell sharply.", "Revenue grew 20 %.", "Shares were flat."],
        threads=1,
    )
    quant = json.loads((mixed / "quantization.json").read_text(encoding="utf-8"))
    ranking = quant["ranking_kl_gain"]
    assert len(ranking) == 99  # every quantized activation was tried
    gains = [gain for _name, gain in ranking]
    assert gains == sorted(gains, reverse=True)
    assert quant["float_activations"] == [name for name, _gain in ranking[:3]]
    assert abs((mixed / ONNX_NAME).stat().st_size - size) < 50_000  # weights stay int8
    mixed_probs = EmbeddedBackend(mixed, threads=1, batch_size=4, max_length=64).predict(
        ["Profit fell sharply.", "Revenue grew 20 %."]
    )
    assert all(sum(p.values()) == pytest.approx(1.0, abs=1e-5) for p in mixed_probs)
    with pytest.raises(ValueError, match="sensitivity"):
        write_artifact(
            torch_dir,
            tmp_path / "unranked",
            version=ARTIFACT_VERSION,
            calibration=["Sales rose 5 %."] * 4,
            float_activations=3,
        )
    assert not (tmp_path / "unranked").exists()  # refused before anything was written


def _weights(cfg: TrainConfig, shared: Path, out: Path) -> dict:
    import torch

    return torch.load(train(out, shared=shared, cfg=cfg) / "model.pt")


def test_soup_is_the_mean_of_its_single_seed_runs(shared_path: Path, tmp_path: Path) -> None:
    import torch

    from nlp.training.recipe import average_states

    tiny = dict(limit=8, mixed_epochs=1, fpb_epochs=1, batch_size=8, threads=1)
    one = _weights(TrainConfig(soup_seeds=[5], **tiny), shared_path, tmp_path / "a")
    two = _weights(TrainConfig(soup_seeds=[6], **tiny), shared_path, tmp_path / "b")
    soup = _weights(TrainConfig(soup_seeds=[5, 6], **tiny), shared_path, tmp_path / "c")
    assert not torch.equal(one["head.weight"], two["head.weight"])  # different runs per seed
    expected = average_states([one, two])
    assert set(soup) == set(expected)
    for name, value in soup.items():
        assert torch.allclose(value, expected[name], atol=1e-6), name
