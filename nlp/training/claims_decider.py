"""Train the learned claim decision layer (nlp.claims.learned) from the claim labels.

`tidings train claims` runs the rules-only claims stage over the labelled texts of
`nlp/evaluation/claims_gold` (texts rebuilt from ../shared), pairs its claims with the gold ones
by span overlap (as the scorer does), builds the features of every matched non-optional claim,
fits one multinomial logistic regression per label on the dev split and writes float16 weights
(nlp.claims.learned.save_model). The regularization and confidence floors below were chosen on
the test split; the blind split is never read here. lbfgs on the same features is deterministic,
so the shipped weights are reproduced from the gold files and ../shared.
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

VERSION = "claims-decider-2"  # 2: the encoder reads WINDOW_WORDS words each side
TRAIN_SPLIT, SELECT_SPLIT = "dev", "test"
# Chosen on the test split (docs/EVALUATION.md, "Learned decision layer").
C = {"claim_type": 1.0, "direction": 1.0, "metric": 3.0}
THRESHOLD = {"claim_type": 0.8, "direction": 0.8, "metric": 0.5}
RULES_STAGES = ("nlp.entities.stage:entity_stage", "nlp.claims.stage:rules_only_stage")


@dataclass
class Examples:
    """Matched non-optional claims: their views, gold labels and feature rows."""

    views: list[ClaimView] = field(default_factory=list)
    gold: list[dict[str, str]] = field(default_factory=list)
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


def collect(docs: Sequence[LabeledText], analyzer: Any, encode: Any) -> Examples:
    """The examples of labelled texts, analyzed by the rules-only pipeline `analyzer`."""
    out = Examples()
    analyses = analyzer.pipe((d.text, d.published) for d in docs)
    for doc, analysis in zip(docs, analyses, strict=True):
        views, gold = matched_views(doc, analysis)
        out.views += views
        out.gold += gold
    out.features = feature_matrix(out.views, encode, WINDOW_WORDS)
    return out


def fit(examples: Examples, *, version: str = VERSION) -> DecisionModel:
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


def train_decider(
    shared: Path, out: Path, *, limit: int | None = None, label_dir: Path | None = None
) -> dict[str, Any]:
    """Train on dev, report on test, save to `out`; `limit`: the first N texts of each split."""
    from nlp.pipeline import Analyzer

    kwargs = {} if label_dir is None else {"label_dir": label_dir}
    splits = {
        name: load_labels(shared, [name], **kwargs)[:limit] for name in (TRAIN_SPLIT, SELECT_SPLIT)
    }
    analyzer = Analyzer(stages=RULES_STAGES)
    encode = claim_encoder()
    data = {name: collect(docs, analyzer, encode) for name, docs in splits.items()}
    model = fit(data[TRAIN_SPLIT])
    save_model(model, out)
    return {
        "version": model.version,
        "out": str(out),
        "examples": {name: len(ex.gold) for name, ex in data.items()},
        "accuracy": {name: accuracy(model, ex) for name, ex in data.items()},
    }
