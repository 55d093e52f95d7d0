"""Label-free narrative "recovery" (../shared/docs/EVALUATION.md, "Fields added by later issues").

For each free-form gold narrative with 2+ sentences, the best Jaccard overlap of its sentences
with a predicted narrative's sentences (sentences mapped by character overlap), averaged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Item = Mapping[str, Any]


def sentence_labels(pred: Item) -> list[tuple[int, int, set[str]]]:
    """(start, end, narrative ids) of each predicted sentence."""
    sentences = pred.get("sentences") or []
    labels: list[set[str]] = [set() for _ in sentences]
    for narrative in pred.get("narratives") or []:
        for index in narrative["sentence_indexes"]:
            labels[index].add(narrative["id"])
    return [(s["start"], s["end"], labels[i]) for i, s in enumerate(sentences)]


def best_overlap(spans: Sequence[tuple[int, int, Any]], start: int, end: int) -> int | None:
    """Index of the span overlapping [start, end) most (None without overlap)."""
    best, best_overlap = None, 0
    for i, (s, e, _) in enumerate(spans):
        overlap = min(e, end) - max(s, start)
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    return best


@dataclass
class Recovery:
    """Sum and count of best-Jaccard overlaps of gold narratives (2+ sentences)."""

    total: float = 0.0
    n: int = 0

    def __add__(self, other: Recovery) -> Recovery:
        return Recovery(self.total + other.total, self.n + other.n)

    @property
    def value(self) -> float:
        """The mean best Jaccard (0 without gold narratives)."""
        return round(self.total / self.n, 3) if self.n else 0.0


def score_recovery(gold: Item, pred: Item) -> Recovery:
    """Label-free recovery of one shared gold file's narratives (EVALUATION.md)."""
    gold_sentences = gold.get("sentences_sentiment") or []
    spans = sentence_labels(pred)
    predicted: dict[str, set[int]] = {}
    for g in gold_sentences:
        index = best_overlap(spans, g["char_start"], g["char_end"])
        if index is None:
            continue
        for nid in spans[index][2]:
            predicted.setdefault(nid, set()).add(g["index"])
    result = Recovery()
    for narrative in gold.get("narratives") or []:
        wanted = set(narrative.get("sentence_indexes") or [])
        if len(wanted) < 2:
            continue
        best = max((len(wanted & got) / len(wanted | got) for got in predicted.values()),
                   default=0.0)  # fmt: skip
        result = result + Recovery(best, 1)
    return result
