"""Narrative quality: sentence assignment against nlp/narratives/gold, recovery on shared gold.

The gold files here hold offsets and narrative ids only; the article text is rebuilt from
../shared/data (the record's paragraphs joined with newlines). Each gold sentence takes the
narratives of the predicted sentence that overlaps it most; over (sentence, narrative) pairs,
tp / fp / fn give precision, recall and F1 (micro). "Recovery" (../shared/docs/EVALUATION.md):
for each free-form gold narrative with 2+ sentences, the best Jaccard overlap of its sentences
with a predicted narrative's sentences, averaged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from nlp.errors import NlpError
from nlp.evaluation import Counts

GOLD_DIR = Path(__file__).resolve().parent / "gold"
Item = dict[str, Any]


@dataclass(frozen=True)
class NarrativeGold:
    """One annotated article: text rebuilt from ../shared, gold sentences with narrative ids."""

    name: str
    split: str
    text: str
    published_at: date | None
    sentences: list[Item]


def _article_text(shared: Path, record: Item, *, source: str) -> str:
    path = shared / record["file"]
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NlpError(f"{source}: cannot read {path}: {exc}") from None
    found = records[record["record_index"]]
    if found.get("url") != record["url"]:
        raise NlpError(
            f"{source}: record {record['record_index']} of {path} is not {record['url']}"
        )
    return "\n".join(found["paragraphs"])


def load_narrative_gold(
    shared: Path, *, split: str | None = None, gold_dir: Path = GOLD_DIR
) -> list[NarrativeGold]:
    """The annotated articles (of one split, if given), texts rebuilt from `shared`."""
    docs = []
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if split and gold["split"] != split:
            continue
        text = _article_text(shared, gold["source_record"], source=str(path))
        if len(text) != gold["text_length_chars"]:
            raise NlpError(f"{path}: rebuilt text has {len(text)} characters, expected "
                           f"{gold['text_length_chars']}")  # fmt: skip
        published = date.fromisoformat(gold["source_record"]["date"][:10])
        docs.append(NarrativeGold(path.name, gold["split"], text, published, gold["sentences"]))
    return docs


def _spans(pred: Item) -> list[tuple[int, int, set[str]]]:
    """(start, end, narrative ids) of each predicted sentence."""
    sentences = pred.get("sentences") or []
    labels: list[set[str]] = [set() for _ in sentences]
    for narrative in pred.get("narratives") or []:
        for index in narrative["sentence_indexes"]:
            labels[index].add(narrative["id"])
    return [(s["start"], s["end"], labels[i]) for i, s in enumerate(sentences)]


def _best(spans: Sequence[tuple[int, int, Any]], start: int, end: int) -> int | None:
    """Index of the span overlapping [start, end) most (None without overlap)."""
    best, best_overlap = None, 0
    for i, (s, e, _) in enumerate(spans):
        overlap = min(e, end) - max(s, start)
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    return best


def score_assignment(gold_sentences: Iterable[Item], pred: Item) -> Counts:
    """tp / fp / fn over (gold sentence, narrative id) pairs."""
    spans = _spans(pred)
    total = Counts()
    for g in gold_sentences:
        index = _best(spans, g["char_start"], g["char_end"])
        predicted = spans[index][2] if index is not None else set()
        wanted = set(g["narratives"])
        total = total + Counts(len(wanted & predicted), len(predicted - wanted),
                               len(wanted - predicted))  # fmt: skip
    return total


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
    spans = _spans(pred)
    predicted: dict[str, set[int]] = {}
    for g in gold_sentences:
        index = _best(spans, g["char_start"], g["char_end"])
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


@dataclass
class NarrativeEvaluation:
    """Assignment counts per split of the narrative gold."""

    splits: dict[str, Counts] = field(default_factory=dict)
    per_file: list[tuple[str, str, Counts]] = field(default_factory=list)


def evaluate_assignment(
    analyses: Iterable[Item], docs: Sequence[NarrativeGold]
) -> NarrativeEvaluation:
    """Score the analyze JSON of each doc (same order) against its gold sentences."""
    result = NarrativeEvaluation()
    for doc, pred in zip(docs, analyses, strict=True):
        counts = score_assignment(doc.sentences, pred)
        result.splits[doc.split] = result.splits.get(doc.split, Counts()) + counts
        result.per_file.append((doc.name, doc.split, counts))
    return result
