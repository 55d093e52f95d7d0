"""Sentence-sentiment evaluation on the fixed held-out sets, model and baselines side by side."""

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nlp.sentiment.backend import SentimentBackend, label_of
from nlp.training.data import (
    HELDOUT_FRACTION,
    HELDOUT_SEED,
    LABELS,
    Example,
    fpb_allagree_heldout,
    fpb_split,
    load_twitter,
)

Labeler = Callable[[Sequence[str]], list[str]]
SETS = ("fpb50", "fpb_allagree", "twitter_valid", "gold_sentences")


def scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float | int]:
    """Accuracy and macro-F1 over negative / neutral / positive."""
    from sklearn.metrics import accuracy_score, f1_score

    if not gold:
        return {"accuracy": 0.0, "macro_f1": 0.0, "n": 0}
    return {
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(
            float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0)), 4
        ),
        "n": len(gold),
    }


def gold_sentences(shared: Path) -> list[Example]:
    """Labeled sentences of every gold article in ../shared/gold (their gold segmentation)."""
    out: list[Example] = []
    for path in sorted((shared / "gold").glob("*.json")):
        try:
            rows = json.loads(path.read_text(encoding="utf-8")).get("sentences_sentiment") or []
        except (OSError, json.JSONDecodeError):
            continue
        for row in rows:
            if isinstance(row, dict) and row.get("label") in LABELS and row.get("sentence"):
                out.append(Example(str(row["sentence"]), str(row["label"]), path.stem))
    return out


def eval_sets(shared: Path) -> dict[str, list[Example]]:
    """The evaluation sets; no training run sees any of them."""
    return {
        "fpb50": fpb_split(shared)[1],
        "fpb_allagree": fpb_allagree_heldout(shared),
        "twitter_valid": load_twitter(shared, "valid"),
        "gold_sentences": gold_sentences(shared),
    }


def backend_labeler(backend: SentimentBackend) -> Labeler:
    """Labels from a sentiment backend's probabilities."""
    return lambda texts: [label_of(p) for p in backend.predict(list(texts))]


def score_sets(sets: dict[str, list[Example]], labeler: Labeler) -> dict[str, Any]:
    """Scores of one labeler on every set."""
    return {
        name: scores([e.label for e in rows], labeler([e.text for e in rows]))
        for name, rows in sets.items()
    }


def evaluate(shared: Path, backend: SentimentBackend, *, baselines: bool = True) -> dict[str, Any]:
    """The `tidings eval sentiment --json` object: model metrics per set, then baselines."""
    from nlp.evaluation import baselines as base

    sets = eval_sets(shared)
    result: dict[str, Any] = {"model_version": backend.version}
    result.update(score_sets(sets, backend_labeler(backend)))
    result["split"] = {
        "source": "Sentences_50Agree.txt, deduplicated by normalised text",
        "seed": HELDOUT_SEED,
        "heldout_fraction": HELDOUT_FRACTION,
        "stratified": True,
    }
    if baselines:
        lr = base.FrozenEmbeddingLR(fpb_split(shared)[0])
        result["baselines"] = {
            "vader": score_sets(sets, base.vader_labels),
            "loughran_mcdonald": score_sets(sets, base.lm_labels),
            "frozen_emb_lr": score_sets(sets, lr.labels),
        }
    return result


def format_table(result: dict[str, Any]) -> str:
    """Plain-text table: one row per model, accuracy / macro-F1 per set."""
    rows = [("embedded", {k: result[k] for k in SETS if k in result})]
    rows += list((result.get("baselines") or {}).items())
    head = f"{'model':<20}" + "".join(f"{name:>26}" for name in SETS)
    lines = [head, f"{'':<20}" + "".join(f"{'acc / macro-F1':>26}" for _ in SETS)]
    for name, sets in rows:
        cells = "".join(
            f"{sets[s]['accuracy']:>17.3f} / {sets[s]['macro_f1']:.3f}"
            if s in sets
            else f"{'-':>26}"
            for s in SETS
        )
        lines.append(f"{name:<20}{cells}")
    return "\n".join(lines)
