"""Export the fine-tuned torch classifier to ONNX and quantize it to int8."""

import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.data import LABELS, normalize_text
from nlp.sentiment.train import TrainConfig, base_model_dir, build_model, train

ONNX_NAME = "model.onnx"
TOKENIZER_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
OPSET = 17
MAX_LENGTH = 128


def export_fp32(torch_dir: Path, onnx_path: Path) -> Path:
    """Trace the torch model (legacy exporter) to an fp32 ONNX graph with dynamic batch/length."""
    import torch

    model = build_model(base_model_dir(), dropout=0.0)
    model.load_state_dict(torch.load(torch_dir / "model.pt", map_location="cpu"))
    model.eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model,
        (ids, mask),
        str(onnx_path),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "seq"},
            "attention_mask": {0: "batch", 1: "seq"},
            "logits": {0: "batch"},
        },
        opset_version=OPSET,
        dynamo=False,
    )
    return onnx_path


class _Calibration:
    """Feeds tokenized, length-sorted batches of training sentences to the calibrator."""

    def __init__(self, tokenizer_path: Path, texts: Sequence[str], *, batch_size: int = 32) -> None:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(tokenizer_path))
        tok.enable_truncation(max_length=MAX_LENGTH)
        encs = sorted(
            tok.encode_batch([normalize_text(t) for t in texts]), key=lambda e: len(e.ids)
        )
        self._batches: list[dict[str, np.ndarray]] = []
        for start in range(0, len(encs), batch_size):
            part = encs[start : start + batch_size]
            width = max(len(e.ids) for e in part)
            ids = np.zeros((len(part), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, enc in enumerate(part):
                ids[row, : len(enc.ids)] = enc.ids
                mask[row, : len(enc.ids)] = 1
            self._batches.append({"input_ids": ids, "attention_mask": mask})
        self._iter = iter(self._batches)

    def get_next(self) -> dict[str, np.ndarray] | None:
        """Next calibration batch, None when done."""
        return next(self._iter, None)

    def rewind(self) -> None:
        """Start again from the first batch."""
        self._iter = iter(self._batches)


def quantize_int8(fp32_path: Path, int8_path: Path, *, calibration: Sequence[str]) -> Path:
    """Static int8 quantization (QDQ, per-channel weights, MatMul + embedding Gather).

    Static, not dynamic: activation scales are fixed by calibration, so a sentence's result does
    not depend on the other sentences in its batch (dynamic quantization scales per batch tensor).
    """
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    quantize_static(
        str(fp32_path),
        str(int8_path),
        _Calibration(fp32_path.parent / "tokenizer.json", calibration),  # type: ignore[arg-type]
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=["MatMul", "Gather"],
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod.MinMax,
    )
    return int8_path


def write_artifact(
    torch_dir: Path, out_dir: Path, *, version: str, calibration: Sequence[str]
) -> Path:
    """Build the shipped model folder: int8 ONNX + tokenizer + label map + version."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = export_fp32(torch_dir, torch_dir / "model_fp32.onnx")
    quantize_int8(fp32, out_dir / ONNX_NAME, calibration=calibration)
    for name in TOKENIZER_FILES:
        src = torch_dir / name
        if src.is_file():
            shutil.copyfile(src, out_dir / name)
    labels: dict[str, Any] = {"labels": list(LABELS), "max_length": MAX_LENGTH}
    (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n", encoding="utf-8")
    (out_dir / "version.txt").write_text(version + "\n", encoding="utf-8")
    # a package, so setuptools ships the model files as package data
    (out_dir / "__init__.py").write_text(
        '"""The shipped sentiment model files (read by nlp/sentiment/embedded.py)."""\n',
        encoding="utf-8",
    )
    return out_dir


ARTIFACT_VERSION = "minilm-l6-fin-3"
CALIBRATION_PER_SOURCE = 128


def calibration_texts(shared: Path) -> list[str]:
    """Fixed calibration sentences: the first FPB-50-train, twitter-train, market-stance and
    market-commentary rows (no held-out text)."""
    from nlp.sentiment.data import training_pool

    pools = training_pool(shared)
    rows = (
        pools["fpb50_train"][:CALIBRATION_PER_SOURCE]
        + pools["twitter_train"][:CALIBRATION_PER_SOURCE]
        + pools["crypto_stance"][:CALIBRATION_PER_SOURCE]
        + pools["market_commentary"][:CALIBRATION_PER_SOURCE]
    )
    return [e.text for e in rows]


def build_artifact(out_dir: Path, *, shared: Path, cfg: TrainConfig) -> dict[str, Any]:
    """Train, export, quantize and evaluate; write metrics.json beside the model; return it."""
    import time

    from nlp.sentiment.embedded import EmbeddedBackend
    from nlp.sentiment.eval import evaluate

    start = time.perf_counter()
    work = out_dir.parent / f".{out_dir.name}-work"
    torch_dir = train(work, shared=shared, cfg=cfg)
    write_artifact(
        torch_dir, out_dir, version=ARTIFACT_VERSION, calibration=calibration_texts(shared)
    )
    backend = EmbeddedBackend(out_dir, threads=cfg.threads, batch_size=32, max_length=MAX_LENGTH)
    metrics = evaluate(shared, backend, baselines=False)
    metrics["train_config"] = asdict(cfg)
    metrics["train_seconds"] = round(time.perf_counter() - start, 1)
    (out_dir / "metrics.json").write_text(
        json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    shutil.rmtree(work, ignore_errors=True)
    return metrics
