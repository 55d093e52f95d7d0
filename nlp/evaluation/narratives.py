"""Narrative quality: sentence assignment against nlp/evaluation/narrative_gold.

The gold files here hold offsets and narrative ids only; the article text is rebuilt from
../shared/data (the record's paragraphs joined with newlines). Each gold sentence takes the
narratives of the predicted sentence that overlaps it most; over (sentence, narrative) pairs,
tp / fp / fn give precision, recall and F1 (micro). The label-free "recovery" on
../shared/gold is in nlp.evaluation.narrative_recovery.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.errors import NlpError
from nlp.evaluation.narrative_recovery import best_overlap, sentence_labels
from nlp.evaluation.scoring import Counts

if TYPE_CHECKING:
    from nlp.pipeline import Analyzer

GOLD_DIR = Path(__file__).resolve().parent / "narrative_gold"
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


def score_assignment(gold_sentences: Iterable[Item], pred: Item) -> Counts:
    """tp / fp / fn over (gold sentence, narrative id) pairs."""
    spans = sentence_labels(pred)
    total = Counts()
    for g in gold_sentences:
        index = best_overlap(spans, g["char_start"], g["char_end"])
        predicted = spans[index][2] if index is not None else set()
        wanted = set(g["narratives"])
        total = total + Counts(len(wanted & predicted), len(predicted - wanted),
                               len(wanted - predicted))  # fmt: skip
    return total


@dataclass
class NarrativeEvaluation:
    """Assignment counts per split of the narrative gold."""

    splits: dict[str, Counts] = field(default_factory=dict)
    per_file: list[tuple[str, str, Counts]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Per split P/R/F1 and per file counts."""
        return {
            "splits": {split: n.as_dict() for split, n in sorted(self.splits.items())},
            "files": {name: {"split": split, **n.as_dict()} for name, split, n in self.per_file},
        }


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


def assignment_rows(evaluation: NarrativeEvaluation) -> list[tuple[str, str, float, str]]:
    """(area, metric, value, detail) rows of `tidings eval`, one per split."""
    rows = []
    for split in sorted(evaluation.splits):
        n = evaluation.splits[split]
        files = sum(1 for _, s, _ in evaluation.per_file if s == split)
        detail = (
            f"P {n.precision:.3f} R {n.recall:.3f} "
            f"(tp {n.tp} fp {n.fp} fn {n.fn}; {files} articles)"
        )
        rows.append(("narratives", f"sentence F1 ({split})", n.f1, detail))
    return rows


def evaluate_narratives(analyzer: Analyzer, shared_data: Path | None) -> NarrativeEvaluation | None:
    """Analyze the narrative gold articles and score them; None when ../shared/data is absent."""
    if shared_data is None or not shared_data.is_dir():
        return None
    docs = load_narrative_gold(shared_data.parent)
    analyses = analyzer.pipe((d.text, d.published_at) for d in docs)
    return evaluate_assignment((a.to_json_dict() for a in analyses), docs)
