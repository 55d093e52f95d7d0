"""Export the fine-tuned torch classifier to ONNX and quantize it to int8."""

import copy
import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.embedded import padded_batch, softmax
from nlp.training.data import LABELS, normalize_text
from nlp.training.recipe import TrainConfig, base_model_dir, build_model, train

ONNX_NAME = "model.onnx"
TOKENIZER_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
OPSET = 17
MAX_LENGTH = 128


def export_encoder_onnx(model: Any, onnx_path: Path, *, output: str) -> Path:
    """Trace a module taking (input_ids, attention_mask) to an fp32 ONNX graph (legacy exporter)
    with dynamic batch and sequence length; its one output is named `output`."""
    import torch

    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model,
        (ids, mask),
        str(onnx_path),
        input_names=["input_ids", "attention_mask"],
        output_names=[output],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "seq"},
            "attention_mask": {0: "batch", 1: "seq"},
            output: {0: "batch"},
        },
        opset_version=OPSET,
        dynamo=False,
    )
    return onnx_path


def export_fp32(torch_dir: Path, onnx_path: Path) -> Path:
    """The trained sentiment classifier (model.pt in `torch_dir`) as an fp32 ONNX graph."""
    import torch

    model = build_model(base_model_dir(), dropout=0.0)
    model.load_state_dict(torch.load(torch_dir / "model.pt", map_location="cpu"))
    model.eval()
    return export_encoder_onnx(model, onnx_path, output="logits")


def token_batches(
    tokenizer_path: Path, texts: Sequence[str], *, batch_size: int = 32
) -> list[dict[str, np.ndarray]]:
    """Tokenized, length-sorted, padded model inputs for `texts` (as the backend builds them)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_path))
    tok.enable_truncation(max_length=MAX_LENGTH)
    encs = sorted(tok.encode_batch([normalize_text(t) for t in texts]), key=lambda e: len(e.ids))
    return [
        padded_batch(encs[start : start + batch_size]) for start in range(0, len(encs), batch_size)
    ]


class _Calibration:
    """Feeds batches of training sentences to the calibrator (its data-reader interface)."""

    def __init__(self, tokenizer_path: Path, texts: Sequence[str]) -> None:
        self.batches = token_batches(tokenizer_path, texts)
        self._iter = iter(self.batches)

    def get_next(self) -> dict[str, np.ndarray] | None:
        """Next calibration batch, None when done."""
        return next(self._iter, None)

    def rewind(self) -> None:
        """Start again from the first batch."""
        self._iter = iter(self.batches)


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


def _producers(graph: Any) -> dict[str, Any]:
    return {out: node for node in graph.node for out in node.output}


def quantized_activations(model: Any) -> list[str]:
    """Names of the float tensors the QDQ graph quantizes on the fly (each feeds a
    QuantizeLinear -> DequantizeLinear pair), in graph order. Weights are not among them: a
    weight's DequantizeLinear reads an int8 initializer."""
    producers = _producers(model.graph)
    found: dict[str, None] = {}
    for node in model.graph.node:
        if node.op_type == "DequantizeLinear":
            q = producers.get(node.input[0])
            if q is not None and q.op_type == "QuantizeLinear":
                found.setdefault(q.input[0])
    return list(found)


def keep_float_activations(model: Any, tensors: Sequence[str]) -> Any:
    """A copy of a QDQ model in which the named activation tensors are no longer quantized: every
    reader of their DequantizeLinear output reads the float tensor instead.

    Weights stay int8 on disk (their DequantizeLinear is untouched), so the file does not grow;
    ONNX Runtime computes the affected MatMuls from float inputs or to float outputs. The
    Quantize/Dequantize pairs left without a reader are removed.
    """
    import onnx

    model = copy.deepcopy(model)
    graph = model.graph
    known = set(quantized_activations(model))
    unknown = [name for name in tensors if name not in known]
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not a quantized activation of this graph")
    wanted = set(tensors)
    producers = _producers(graph)
    for node in graph.node:
        for index, name in enumerate(node.input):
            dq = producers.get(name)
            if dq is None or dq.op_type != "DequantizeLinear":
                continue
            q = producers.get(dq.input[0])
            if q is not None and q.op_type == "QuantizeLinear" and q.input[0] in wanted:
                node.input[index] = q.input[0]
    graph_outputs = {out.name for out in graph.output}
    while True:  # drop nodes whose outputs nobody reads any more
        read = {name for node in graph.node for name in node.input} | graph_outputs
        dead = [node for node in graph.node if not any(out in read for out in node.output)]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    read = {name for node in graph.node for name in node.input}
    for init in [init for init in graph.initializer if init.name not in read]:
        graph.initializer.remove(init)
    onnx.checker.check_model(model)
    return model


def batch_probs(session: Any, batches: Sequence[dict[str, np.ndarray]]) -> np.ndarray:
    """Class probabilities of an ONNX Runtime session over prepared batches, in batch order."""
    return softmax(np.concatenate([session.run(["logits"], batch)[0] for batch in batches]))


def rank_float_activations(
    fp32_path: Path, int8_path: Path, texts: Sequence[str], *, threads: int = 2
) -> list[tuple[str, float]]:
    """Rank the quantized activation tensors by how much closer to the float model the int8 model
    gets when that one tensor alone stays float; returns (tensor name, gain), best first.

    The distance is the mean KL divergence of the int8 class probabilities from the float ones on
    `texts` (training sentences, never evaluation ones); no labels are used.
    """
    import onnx
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1

    def session(source: Any) -> Any:
        return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])

    batches = token_batches(fp32_path.parent / "tokenizer.json", texts)
    reference = batch_probs(session(str(fp32_path)), batches)

    def distance(model: Any) -> float:
        probs = batch_probs(session(model.SerializeToString()), batches)
        return float(np.mean(np.sum(reference * (np.log(reference) - np.log(probs)), axis=1)))

    quantized = onnx.load(str(int8_path))
    base = distance(quantized)
    gains = [
        (name, base - distance(keep_float_activations(quantized, [name])))
        for name in quantized_activations(quantized)
    ]
    return sorted(gains, key=lambda item: (-item[1], item[0]))


def write_artifact(
    torch_dir: Path,
    out_dir: Path,
    *,
    version: str,
    calibration: Sequence[str],
    float_activations: int = 0,
    sensitivity: Sequence[str] = (),
    threads: int = 2,
) -> Path:
    """Build the shipped model folder: int8 ONNX + tokenizer + label map + version.

    With `float_activations` = k > 0, the k activation tensors whose int8 rounding costs the most
    (ranked on the `sensitivity` sentences by `rank_float_activations`) stay float; the choice and
    the ranking are written to quantization.json.
    """
    import onnx

    if float_activations > 0 and not sensitivity:
        raise ValueError("float_activations needs sensitivity sentences to rank the activations")
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = export_fp32(torch_dir, torch_dir / "model_fp32.onnx")
    for name in TOKENIZER_FILES:
        src = torch_dir / name
        if src.is_file():
            shutil.copyfile(src, out_dir / name)
    int8 = quantize_int8(fp32, out_dir / ONNX_NAME, calibration=calibration)
    quant: dict[str, Any] = {
        "format": "QDQ",
        "weights": "int8 per channel",
        "activations": "uint8, MinMax calibration",
        "calibration_sentences": len(calibration),
        "float_activations": [],
    }
    if float_activations > 0:
        ranking = rank_float_activations(fp32, int8, sensitivity, threads=threads)
        chosen = [name for name, _gain in ranking[:float_activations]]
        onnx.save(keep_float_activations(onnx.load(str(int8)), chosen), str(int8))
        quant["float_activations"] = chosen
        quant["sensitivity_sentences"] = len(sensitivity)
        quant["ranking_kl_gain"] = [[name, round(gain, 6)] for name, gain in ranking]
    (out_dir / "quantization.json").write_text(json.dumps(quant, indent=2) + "\n", encoding="utf-8")
    labels: dict[str, Any] = {"labels": list(LABELS), "max_length": MAX_LENGTH}
    (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n", encoding="utf-8")
    (out_dir / "version.txt").write_text(version + "\n", encoding="utf-8")
    # a package, so setuptools ships the model files as package data
    (out_dir / "__init__.py").write_text(
        '"""The shipped sentiment model files (read by nlp/sentiment/embedded.py)."""\n',
        encoding="utf-8",
    )
    return out_dir


ARTIFACT_VERSION = "minilm-l6-fin-4"
CALIBRATION_PER_SOURCE = 128


def _training_rows(shared: Path, start: int, stop: int) -> list[str]:
    """Rows start:stop of FPB-50 train, twitter train, the market-stance labels and the written
    commentary (never held-out text)."""
    from nlp.training.pool import training_pool

    pools = training_pool(shared)
    names = ("fpb50_train", "twitter_train", "crypto_stance", "market_commentary")
    return [e.text for name in names for e in pools[name][start:stop]]


def calibration_texts(shared: Path) -> list[str]:
    """Fixed calibration sentences: the first FPB-50-train, twitter-train, market-stance and
    market-commentary rows (no held-out text)."""
    return _training_rows(shared, 0, CALIBRATION_PER_SOURCE)


def sensitivity_texts(shared: Path) -> list[str]:
    """The next rows of the same sources, for ranking activations by quantization damage."""
    return _training_rows(shared, CALIBRATION_PER_SOURCE, 2 * CALIBRATION_PER_SOURCE)


def build_artifact(out_dir: Path, *, shared: Path, cfg: TrainConfig) -> dict[str, Any]:
    """Train, export, quantize and evaluate; write metrics.json beside the model; return it."""
    import time

    start = time.perf_counter()
    work = out_dir.parent / f".{out_dir.name}-work"
    torch_dir = train(work, shared=shared, cfg=cfg)
    train_seconds = time.perf_counter() - start
    metrics = package_artifact(
        torch_dir, out_dir, shared=shared, cfg=cfg, train_seconds=train_seconds
    )
    shutil.rmtree(work, ignore_errors=True)
    return metrics


def package_artifact(
    torch_dir: Path, out_dir: Path, *, shared: Path, cfg: TrainConfig, train_seconds: float
) -> dict[str, Any]:
    """Export, quantize and evaluate trained weights (`train`'s folder) into the model folder;
    write metrics.json (the scores, the config, the seconds spent) beside the model."""
    import time

    from nlp.evaluation.sentiment import evaluate
    from nlp.sentiment.embedded import EmbeddedBackend

    start = time.perf_counter()
    write_artifact(
        torch_dir,
        out_dir,
        version=ARTIFACT_VERSION,
        calibration=calibration_texts(shared),
        float_activations=cfg.float_activations,
        sensitivity=sensitivity_texts(shared) if cfg.float_activations > 0 else (),
        threads=cfg.threads,
    )
    export_seconds = time.perf_counter() - start
    backend = EmbeddedBackend(out_dir, threads=cfg.threads, batch_size=32, max_length=MAX_LENGTH)
    metrics = evaluate(shared, backend, baselines=False)
    metrics["train_config"] = asdict(cfg)
    metrics["train_seconds"] = round(train_seconds + export_seconds, 1)
    metrics["export_seconds"] = round(export_seconds, 1)
    (out_dir / "metrics.json").write_text(
        json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return metrics
