"""A larger teacher for knowledge distillation into the embedded model.

`train_teacher` fine-tunes any Hugging Face encoder (a hub name or a local folder; measured with
all-mpnet-base-v2, 110M parameters) with mean pooling and a linear 3-way head on FPB-50 train,
scores it on the evaluation sets and writes its class probabilities for the texts of the
student's corpora (`probs.json`: normalised text key -> [negative, neutral, positive]).
`tidings train sentiment --teacher-probs FILE` then mixes them into the student's targets
(`TrainConfig.kd_alpha`). The teacher is a training-time tool only: it is far too large and slow
to ship.
"""

import json
import logging
import os
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nlp.errors import ModelNotInstalledError
from nlp.sentiment.base import length_sorted_batches
from nlp.sentiment.data import LABELS, SentimentDataError, normalize_text, text_key, training_pool
from nlp.sentiment.train import TrainConfig, build_model, run_stage, seed_everything

log = logging.getLogger(__name__)
PROBS_FILE = "probs.json"


@dataclass
class TeacherConfig:
    """Hyper-parameters of `tidings train teacher`. Batch size, maximum length, warm-up, label
    smoothing, head learning-rate factor and weight decay are the student's (`TrainConfig`)."""

    seed: int = 13
    epochs: int = 2
    lr: float = 3e-5
    threads: int = 2
    limit: int | None = None  # cap per corpus, for smoke runs
    sources: list[str] = field(default_factory=lambda: ["fpb50_train"])  # trained on
    # labeled for the student (kd_sources of TrainConfig read them)
    label_sources: list[str] = field(
        default_factory=lambda: ["fpb50_train", "twitter_train", "semeval_headlines"]
    )

    def stage_config(self) -> TrainConfig:
        """The step settings the teacher shares with the student."""
        return TrainConfig(seed=self.seed, threads=self.threads)


def build_teacher(base: str, *, dropout: float = 0.1) -> Any:
    """Any transformers encoder + mean pooling + a linear 3-way head (`train.build_model`)."""
    try:
        return build_model(base, dropout=dropout, any_encoder=True)
    except (OSError, ValueError) as exc:  # no weights there, and not on the (offline) hub
        raise ModelNotInstalledError(f"cannot load a teacher from {base!r}: {exc}") from exc


def _fit(model: Any, rows: Sequence[Any], *, tok: Any, cfg: TeacherConfig) -> None:
    """`run_stage` with weight decay on every encoder weight (none on the head) and batches
    ordered by a generator seeded with `cfg.seed` alone."""
    import torch

    stage = cfg.stage_config()
    encoder = [p for name, p in model.named_parameters() if not name.startswith("head.")]
    opt = torch.optim.AdamW(
        [
            {"params": encoder, "lr": cfg.lr, "weight_decay": stage.weight_decay},
            {
                "params": model.head.parameters(),
                "lr": cfg.lr * stage.head_lr_factor,
                "weight_decay": 0.0,
            },
        ]
    )
    run_stage(
        model, rows, epochs=cfg.epochs, lr=cfg.lr, tok=tok, cfg=stage, opt=opt,
        rng=random.Random(cfg.seed),
    )  # fmt: skip
    model.eval()


def predict_probs(
    model: Any, texts: Sequence[str], *, tok: Any, max_len: int = 96, batch_size: int = 32
) -> list[list[float]]:
    """Class probabilities (LABELS order) of each text, in input order; the texts are scored
    in length-sorted batches, each normalised like the training text."""
    import torch

    norm = [normalize_text(t) for t in texts]
    out: list[list[float]] = [[] for _ in norm]
    model.eval()
    with torch.no_grad():
        for idx in length_sorted_batches([len(t) for t in norm], batch_size):
            enc = tok(
                [norm[j] for j in idx],
                padding=True,
                truncation=True,
                max_length=max_len,
                return_tensors="pt",
            )
            probs = torch.softmax(model(enc["input_ids"], enc["attention_mask"]), -1).tolist()
            for j, row in zip(idx, probs, strict=True):
                out[j] = row
    return out


def train_teacher(base: str, out_dir: Path, *, shared: Path, cfg: TeacherConfig) -> dict[str, Any]:
    """Fine-tune the teacher, write `probs.json` for the student's corpora and `metrics.json`
    (its scores on the evaluation sets, the config, the seconds spent); return the metrics."""
    import torch
    from transformers import AutoTokenizer

    from nlp.sentiment.eval import eval_sets, score_sets

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(cfg.threads)
    stage = cfg.stage_config()
    try:  # first: a wrong base fails before any data is read
        tok = AutoTokenizer.from_pretrained(base)
    except (OSError, ValueError) as exc:
        raise ModelNotInstalledError(f"cannot load a tokenizer from {base!r}: {exc}") from exc
    pools = training_pool(shared)
    unknown = sorted({*cfg.sources, *cfg.label_sources} - set(pools))
    if unknown:
        raise SentimentDataError(
            f"unknown training corpus {', '.join(unknown)}; known: {', '.join(sorted(pools))}"
        )
    rows = [e for name in cfg.sources for e in pools[name][: cfg.limit]]
    seed_everything(cfg.seed)
    start = time.perf_counter()
    model = build_teacher(base)
    _fit(model, rows, tok=tok, cfg=cfg)
    train_seconds = time.perf_counter() - start
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), out_dir / "model.pt")
    texts = sorted(
        {normalize_text(e.text) for name in cfg.label_sources for e in pools[name][: cfg.limit]}
    )
    probs = predict_probs(model, texts, tok=tok, max_len=stage.max_len)
    table = {text_key(t): [round(p, 5) for p in row] for t, row in zip(texts, probs, strict=True)}
    (out_dir / PROBS_FILE).write_text(json.dumps(table, sort_keys=True) + "\n", encoding="utf-8")

    def labeler(batch: Sequence[str]) -> list[str]:
        rows = predict_probs(model, batch, tok=tok, max_len=stage.max_len)
        return [LABELS[max(range(len(LABELS)), key=row.__getitem__)] for row in rows]

    metrics = score_sets(eval_sets(shared), labeler)
    metrics["base"] = base
    metrics["teacher_config"] = asdict(cfg)
    metrics["stage_config"] = {
        k: getattr(stage, k)
        for k in ("batch_size", "max_len", "warmup", "label_smoothing", "head_lr_factor",
                  "weight_decay")
    }  # fmt: skip
    metrics["train_seconds"] = round(train_seconds, 1)
    metrics["total_seconds"] = round(time.perf_counter() - start, 1)
    (out_dir / "metrics.json").write_text(
        json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return metrics


def load_teacher_probs(path: Path) -> dict[str, tuple[float, float, float]]:
    """`probs.json` of `train_teacher`, checked: text key -> 3 probabilities summing to 1."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SentimentDataError(f"cannot read teacher probabilities {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise SentimentDataError(f"{path}: not valid JSON ({exc.msg})") from exc
    if not isinstance(raw, dict) or not raw:
        raise SentimentDataError(f"{path}: expected a non-empty object of text -> probabilities")
    out: dict[str, tuple[float, float, float]] = {}
    for key, row in raw.items():
        ok = (
            isinstance(row, list)
            and len(row) == len(LABELS)
            and all(isinstance(p, int | float) and 0.0 <= p <= 1.0 for p in row)
            and abs(sum(row) - 1.0) < 1e-3
        )
        if not ok:
            raise SentimentDataError(f"{path}: entry {key[:60]!r} is not 3 probabilities")
        out[key] = (float(row[0]), float(row[1]), float(row[2]))
    return out
