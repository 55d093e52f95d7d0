"""Train the learned claim decision layer (nlp.claims.learned) from the claim labels.

`tidings train claims` runs the rules-only claims stage over the labelled texts of
`nlp/evaluation/claims_gold` (texts rebuilt from ../shared) and pairs its claims with the gold ones
by span overlap (as the scorer does). Since claims-decider-3 the shipped model is MiniLM
fine-tuned on every matched non-optional claim of the training splits (dev, test and train2,
nlp.training.claims_finetune), the recipe chosen by grouped cross-validation over those splits
(nlp.training.claims_cv); `--recipe lr` still fits decider-2's logistic regressions (on the
frozen encoder and hashed features, float16 weights; C and floors chosen on the test split when
it was trained on dev alone). lbfgs is deterministic, so the LR weights are reproduced byte for
byte; the fine-tuned model within a tolerance (see nlp.training.claims_finetune). The blind
splits are never read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.claims.learned import (
    LABELS,
    WINDOW_WORDS,
    ClaimView,
    DecisionModel,
    LabelModel,
    claim_encoder,
    claim_view,
    feature_matrix,
    save_model,
)
from nlp.evaluation.claims_labels import LabeledText, as_gold, load_labels
from nlp.evaluation.scoring import pair_by_overlap
from nlp.types import Analysis

VERSION = "claims-decider-3"  # 3: fine-tuned MiniLM (2: LR, the encoder reads WINDOW_WORDS words)
LR_VERSION = "claims-decider-2"
TRAIN_SPLITS = ("dev", "test", "train2")  # train2 may be empty (issue 22's second round)
# Chosen on the test split (docs/EVALUATION.md, "Learned decision layer").
C = {"claim_type": 1.0, "direction": 1.0, "metric": 3.0}
THRESHOLD = {"claim_type": 0.8, "direction": 0.8, "metric": 0.5}
RULES_STAGES = ("nlp.entities.stage:entity_stage", "nlp.claims.stage:rules_only_stage")


@dataclass
class Examples:
    """Matched non-optional claims: their views, gold labels and feature rows."""

    views: list[ClaimView] = field(default_factory=list)
    gold: list[dict[str, str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # each claim's text (doc_id), for CV folds
    features: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


def matched_views(doc: LabeledText, analysis: Analysis) -> tuple[list[ClaimView], list[dict]]:
    """The views and gold labels of one text's predicted claims that match a gold claim."""
    spans = [(s.start, s.end) for s in analysis.sentences]
    preds = [c.model_dump() | {"_record": c} for c in analysis.claims]
    pairing = pair_by_overlap(preds, as_gold(doc)["claims"], optional=lambda g: bool(g["optional"]))
    views, gold = [], []
    for pred, label in pairing.pairs:
        if label["optional"]:
            continue
        claim = pred["_record"]
        span = spans[claim.sentence_index] if claim.sentence_index < len(spans) else None
        views.append(claim_view(claim, doc.text, span or (claim.start, claim.end)))
        gold.append({name: str(label[name]) for name in LABELS})
    return views, gold


def collect(docs: Sequence[LabeledText], analyzer: Any, encode: Any = None) -> Examples:
    """The examples of labelled texts, analyzed by the rules-only pipeline `analyzer`; with a
    sentence encoder `encode`, also decider-2's feature rows."""
    out = Examples()
    analyses = analyzer.pipe((d.text, d.published) for d in docs)
    for doc, analysis in zip(docs, analyses, strict=True):
        views, gold = matched_views(doc, analysis)
        out.views += views
        out.gold += gold
        out.groups += [str(doc.row["doc_id"])] * len(views)
    if encode is not None:
        out.features = feature_matrix(out.views, encode, WINDOW_WORDS)
    return out


def fit(examples: Examples, *, version: str = LR_VERSION) -> DecisionModel:
    """One logistic regression per label (sklearn, training only), as numpy weights."""
    from sklearn.linear_model import LogisticRegression

    labels = {}
    for name in LABELS:
        target = [g[name] for g in examples.gold]
        model = LogisticRegression(C=C[name], max_iter=5000).fit(examples.features, target)
        labels[name] = LabelModel(
            classes=tuple(str(c) for c in model.classes_),
            coef=np.asarray(model.coef_, dtype=np.float32),
            intercept=np.asarray(model.intercept_, dtype=np.float32),
            threshold=THRESHOLD[name],
        )
    return DecisionModel(version=version, labels=labels, window_words=WINDOW_WORDS)


def accuracy(model: DecisionModel, examples: Examples) -> dict[str, dict[str, float]]:
    """Per label, the rules' and the layer's accuracy on examples (rules where not confident)."""
    decided = model.decide(examples.views, examples.features)
    out = {}
    for name in LABELS:
        gold = [g[name] for g in examples.gold]
        rules = [str(v.rules[name]) for v in examples.views]
        learned = [d.get(name, r) for d, r in zip(decided, rules, strict=True)]
        n = max(len(gold), 1)
        out[name] = {
            "rules": round(sum(map(str.__eq__, rules, gold)) / n, 3),
            "learned": round(sum(map(str.__eq__, learned, gold)) / n, 3),
            "n": len(gold),
        }
    return out


def training_docs(
    shared: Path, *, limit: int | None = None, label_dir: Path | None = None
) -> list[LabeledText]:
    """The labelled texts of the training splits (the first `limit` of each)."""
    kwargs = {} if label_dir is None else {"label_dir": label_dir}
    docs = load_labels(shared, TRAIN_SPLITS, **kwargs)
    if limit is None:
        return docs
    taken: dict[str, int] = {}
    kept = []
    for doc in docs:
        split = str(doc.row.get("split"))
        if taken.get(split, 0) < limit:
            taken[split] = taken.get(split, 0) + 1
            kept.append(doc)
    return kept


def rules_analyzer() -> Any:
    """The rules-only pipeline the layer learns from."""
    from nlp.pipeline import Analyzer

    return Analyzer(stages=RULES_STAGES)


def train_decider(
    shared: Path,
    out: Path,
    *,
    limit: int | None = None,
    label_dir: Path | None = None,
    recipe: str = "tuned",
) -> dict[str, Any]:
    """Train on dev + test + train2 and save to `out` (`recipe`: "tuned", decider-3's fine-tuned
    MiniLM, or "lr", decider-2's logistic regressions); `limit`: the first N texts of each split.
    The accuracy reported is on the training claims themselves (a fit check, not an estimate:
    `tidings train claims --cv` gives that)."""
    docs = training_docs(shared, limit=limit, label_dir=label_dir)
    if recipe == "lr":
        data = collect(docs, rules_analyzer(), claim_encoder())
        model = fit(data)
        save_model(model, out)
        version, fit_check = model.version, accuracy(model, data)
    else:
        from nlp.training.claims_finetune import TuneConfig, train_tuned

        data = collect(docs, rules_analyzer())
        version = VERSION
        fit_check = train_tuned(data, out, cfg=TuneConfig(), version=version)
    return {
        "version": version,
        "out": str(out),
        "recipe": recipe,
        "examples": {"train": len(data.gold), "texts": len(docs)},
        "accuracy": {"train": fit_check},
    }
