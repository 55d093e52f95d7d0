"""`eval sentiment` on the shipped model reproduces its committed metrics, up to the CPU's int8
kernels (needs ../shared)."""

import json
from pathlib import Path

import pytest

from nlp.evaluation.sentiment import evaluate
from nlp.sentiment.embedded import default_model_dir, load_embedded

pytestmark = pytest.mark.shared


def test_heldout_metrics_match_the_committed_metrics(shared_path: Path) -> None:
    committed = json.loads((default_model_dir() / "metrics.json").read_text(encoding="utf-8"))
    backend = load_embedded(default_model_dir(), threads=2, batch_size=32, max_length=128)
    result = evaluate(shared_path.resolve(), backend, baselines=False)
    # ONNX Runtime picks its int8 kernels by CPU features (AVX2, AVX-512 VNNI, ...) and they round
    # differently, so the same file scores a little differently on another machine (FPB-50 0.838
    # on the training VM, 0.832 on a VNNI one): the sizes must match, the scores nearly.
    tolerance = {"fpb50": 0.015, "fpb_allagree": 0.015, "twitter_valid": 0.015}
    for key in ("fpb50", "fpb_allagree", "twitter_valid", "gold_sentences"):
        assert result[key]["n"] == committed[key]["n"]
        for metric in ("accuracy", "macro_f1"):
            # gold: 58 sentences, two flipped labels move accuracy by 0.034
            assert result[key][metric] == pytest.approx(
                committed[key][metric], abs=tolerance.get(key, 0.04)
            ), (key, metric)
    assert result["fpb50"]["n"] == 968
    assert result["split"]["seed"] == committed["split"]["seed"]
