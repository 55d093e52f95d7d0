"""Grouped K-fold cross-validation of the claim decision layer's recipes (`tidings train claims
--cv K`).

The test split has been used to select decider-1 and decider-2, so recipes are compared by
cross-validation over all training splits instead: the texts (doc_id) are shuffled with a fixed
seed and dealt into K folds, so no text has claims on both sides. Every recipe sees the same
folds; each fold's model is trained on the other folds and judged on its claims, with the same
floors and the same rule-stands guard as the shipped layer. Reported: per label, the accuracy
over all held-out claims of the rules alone, decider-2's recipe (logistic regression) and
decider-3's (fine-tuned MiniLM).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from nlp.claims.learned import LABELS, ClaimView

Probs = dict[str, list[tuple[tuple[str, ...], np.ndarray]]]  # label -> per claim (classes, p)


def grouped_folds(groups: Sequence[str], k: int = 5, seed: int = 0) -> np.ndarray:
    """Each claim's fold: its text's place in a seeded shuffle of the distinct texts, mod k."""
    texts = sorted(set(groups))
    random.Random(seed).shuffle(texts)
    fold = {text: i % k for i, text in enumerate(texts)}
    return np.array([fold[g] for g in groups], dtype=np.int64)


def decisions(views: Sequence[ClaimView], probs: Probs, floors: dict[str, float]) -> dict:
    """Per label, the layer's answer per claim: the model's where confident and the rules'
    answer is one of its classes, else the rule's."""
    out: dict[str, list[str]] = {}
    for name in LABELS:
        answers = []
        for view, (classes, p) in zip(views, probs[name], strict=True):
            rule = str(view.rules[name])
            best = int(np.argmax(p))
            answers.append(classes[best] if p[best] >= floors[name] and rule in classes else rule)
        out[name] = answers
    return out


def accuracy(gold: Sequence[dict[str, str]], answers: dict[str, list[str]]) -> dict[str, float]:
    """Per label, the share of claims whose answer is the gold label."""
    n = max(len(gold), 1)
    return {
        name: round(sum(a == g[name] for a, g in zip(answers[name], gold, strict=True)) / n, 3)
        for name in LABELS
    }


def lr_probs(examples: Any, fold: np.ndarray) -> Probs:
    """Out-of-fold probabilities of decider-2's recipe (examples need their feature rows)."""
    from sklearn.linear_model import LogisticRegression

    from nlp.training.claims_decider import C

    out: Probs = {name: [((), np.zeros(0))] * len(examples.gold) for name in LABELS}
    for k in sorted(set(fold.tolist())):
        train, held = fold != k, np.where(fold == k)[0]
        for name in LABELS:
            target = [g[name] for g, t in zip(examples.gold, train, strict=True) if t]
            model = LogisticRegression(C=C[name], max_iter=5000)
            model.fit(examples.features[train], target)
            probs = model.predict_proba(examples.features[held])
            classes = tuple(str(c) for c in model.classes_)
            for i, p in zip(held, probs, strict=True):
                out[name][i] = (classes, p)
    return out


def tuned_probs(examples: Any, fold: np.ndarray, cfg: Any) -> Probs:
    """Out-of-fold probabilities of decider-3's recipe (the float torch model of each fold)."""
    from nlp.training.claims_finetune import label_classes, net_probabilities, train_net

    out: Probs = {name: [((), np.zeros(0))] * len(examples.gold) for name in LABELS}
    for k in sorted(set(fold.tolist())):
        train = [i for i, f in enumerate(fold) if f != k]
        held = [i for i, f in enumerate(fold) if f == k]
        gold = [examples.gold[i] for i in train]
        classes = label_classes(gold)
        net = train_net([examples.views[i] for i in train], gold, classes=classes, cfg=cfg)
        probs = net_probabilities(net, [examples.views[i] for i in held], classes=classes, cfg=cfg)
        for name in LABELS:
            for j, i in enumerate(held):
                out[name][i] = (classes[name], probs[name][j])
    return out


def cross_validate(
    examples: Any, *, k: int = 5, recipes: Sequence[str] = ("rules", "lr", "tuned")
) -> dict[str, Any]:
    """Per recipe, per label, the held-out accuracy over the same K grouped folds."""
    from nlp.training.claims_decider import THRESHOLD
    from nlp.training.claims_finetune import TuneConfig

    fold = grouped_folds(examples.groups, k)
    table: dict[str, Any] = {}
    if "rules" in recipes:
        rules = {name: [str(v.rules[name]) for v in examples.views] for name in LABELS}
        table["rules"] = accuracy(examples.gold, rules)
    if "lr" in recipes:
        answers = decisions(examples.views, lr_probs(examples, fold), THRESHOLD)
        table["lr (decider-2 recipe)"] = accuracy(examples.gold, answers)
    if "tuned" in recipes:
        cfg = TuneConfig()
        answers = decisions(examples.views, tuned_probs(examples, fold, cfg), cfg.thresholds)
        table["tuned (decider-3 recipe)"] = accuracy(examples.gold, answers)
    return {"folds": k, "claims": len(examples.gold), "texts": len(set(examples.groups)),
            "accuracy": table}  # fmt: skip
