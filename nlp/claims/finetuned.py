"""The fine-tuned decision layer (claims-decider-3): MiniLM with three heads, ONNX int8.

Where decider-2 put a logistic regression on a frozen sentence embedding, decider-3 fine-tunes
the MiniLM encoder itself on the claim labels (nlp.training.claims_finetune). Its input is one
short text per claim: the rules' answers as words, a separator, then the sentence around the
number with the number in brackets (`model_input`), at most `window_words` words each side and
`max_length` tokens. The exported graph maps (input_ids, attention_mask) to the three heads'
logits side by side ("logits", classes in labels.json order); ONNX Runtime runs it with the
narrative stage's thread setting. As before, an answer counts only where its probability reaches
the label's floor and the rules' own answer is one of the model's classes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nlp.claims.learned import LABELS, ClaimView, marked_text, write_decisions
from nlp.errors import ModelNotInstalledError
from nlp.types import ClaimRecord

MODEL_FILES = ("model.onnx", "tokenizer.json", "labels.json", "version.txt", "features.json")
SEPARATOR = " [SEP] "  # the tokenizer reads it as its separator token


def model_input(view: ClaimView, window_words: int) -> str:
    """The text the model reads for one claim: the rules' type, direction and metric (as words),
    the separator, then the marked window of `marked_text`."""
    rules = view.rules
    prefix = " ".join(
        (
            str(rules.get("claim_type")),
            str(rules.get("direction") or "none"),
            str(rules.get("metric")).replace("_", " "),
        )
    )
    return prefix + SEPARATOR + marked_text(view, window_words)


def is_tuned(folder: Path) -> bool:
    """Whether a model folder holds a fine-tuned model (an ONNX graph) rather than weights."""
    return (folder / "model.onnx").is_file()


@dataclass(frozen=True)
class TunedModel:
    """A fine-tuned model folder's metadata (the session is opened once, on first use)."""

    folder: Path
    version: str
    classes: dict[str, tuple[str, ...]]
    thresholds: dict[str, float]
    window_words: int
    max_length: int

    def offsets(self) -> dict[str, tuple[int, int]]:
        """Each label's columns in the concatenated logits."""
        out, at = {}, 0
        for name in LABELS:
            out[name] = (at, at + len(self.classes[name]))
            at += len(self.classes[name])
        return out


@lru_cache(maxsize=4)
def read_tuned(folder: Path) -> TunedModel:
    """The metadata of a folder written by nlp.training.claims_finetune."""
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelNotInstalledError(
            f"claim decision model at {folder} is incomplete (missing {', '.join(missing)}); "
            "rebuild it with `tidings train claims`"
        )
    meta = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    features = json.loads((folder / "features.json").read_text(encoding="utf-8"))
    return TunedModel(
        folder=folder,
        version=(folder / "version.txt").read_text(encoding="utf-8").strip(),
        classes={name: tuple(meta[name]["classes"]) for name in LABELS},
        thresholds={name: float(meta[name]["threshold"]) for name in LABELS},
        window_words=int(features["window_words"]),
        max_length=int(features["max_length"]),
    )


@lru_cache(maxsize=4)
def _session(folder: Path, threads: int, max_length: int) -> tuple[Any, Any]:
    """Tokenizer and ONNX Runtime session of a folder, one per process and thread count."""
    from nlp.sentiment.embedded import open_onnx_model

    return open_onnx_model(folder, threads=threads, max_length=max_length)


def probabilities(
    model: TunedModel, texts: Sequence[str], *, threads: int = 2, batch_size: int = 32
) -> dict[str, np.ndarray]:
    """Per label, class probabilities (one row per text, input order)."""
    from nlp.sentiment.backend import length_sorted_batches
    from nlp.sentiment.embedded import padded_batch

    width = sum(len(c) for c in model.classes.values())
    logits = np.zeros((len(texts), width), dtype=np.float32)
    if texts:
        tokenizer, session = _session(model.folder, threads, model.max_length)
        encs = tokenizer.encode_batch(list(texts))
        for idx in length_sorted_batches([len(e.ids) for e in encs], max(1, batch_size)):
            feed = padded_batch([encs[i] for i in idx])
            logits[idx] = session.run(["logits"], feed)[0]
    out = {}
    for name, (a, b) in model.offsets().items():
        part = logits[:, a:b].astype(np.float64)
        part -= part.max(axis=1, keepdims=True)
        exp = np.exp(part)
        out[name] = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def confident(
    model: TunedModel, views: Sequence[ClaimView], probs: dict[str, np.ndarray]
) -> list[dict[str, tuple[str, float]]]:
    """Per claim, label -> (answer, probability) where the probability reaches the floor and the
    rules' answer is one of the model's classes (else the rule stands, as in decider-2)."""
    decided: list[dict[str, tuple[str, float]]] = [{} for _ in views]
    for name in LABELS:
        classes = model.classes[name]
        known = set(classes)
        for i, row in enumerate(probs[name]):
            best = int(row.argmax())
            if row[best] >= model.thresholds[name] and views[i].rules.get(name) in known:
                decided[i][name] = (classes[best], float(row[best]))
    return decided


def tuned_scores(
    views: Sequence[ClaimView], folder: Path, *, threads: int = 2, batch_size: int = 32
) -> tuple[str, list[dict[str, tuple[str, float]]]]:
    """The model version and its confident answers for `views`."""
    model = read_tuned(folder)
    texts = [model_input(v, model.window_words) for v in views]
    probs = probabilities(model, texts, threads=threads, batch_size=batch_size)
    return model.version, confident(model, views, probs)


def decide_tuned(
    claims: Sequence[ClaimRecord],
    views: Sequence[ClaimView],
    folder: Path,
    *,
    threads: int | None = None,
) -> None:
    """Run the fine-tuned model of `folder` over the claims and write its confident answers onto
    them; ONNX Runtime uses the narrative stage's thread and batch settings unless `threads`
    says otherwise."""
    from nlp.narratives.settings import get_narrative_settings

    settings = get_narrative_settings()
    version, scored = tuned_scores(
        views,
        folder,
        threads=settings.narrative_threads if threads is None else threads,
        batch_size=settings.narrative_batch_size,
    )
    write_decisions(claims, views, scored, version=version)
