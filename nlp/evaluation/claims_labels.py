"""The claim-label set: load it (texts rebuilt from ../shared), score predictions, agreement.

`nlp/evaluation/claims_gold/{dev,test,blind}.jsonl` hold one row per annotated text (see
docs/ANNOTATION.md, "Numeric claims"): where the text comes from (source, file, key, a hash of
the text), its publication day, its fixed split and its claims, each with code-point offsets of
the number and its sentence, value, unit, `unit_inferred`, metric, direction, claim type,
source and `optional`. Every number of a labelled text that is not in its list is not a claim.

Scoring pairs predicted and gold claims one-to-one by span overlap, exactly as the gold-article
scorer does (`nlp.evaluation.scoring`), then reports detection and value+unit P/R/F1 and, over
the matched non-optional claims, the accuracy and macro-F1 of claim type, direction and metric,
and attribution accuracy, precision and recall.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from nlp.evaluation.claims_texts import ClaimTextError, SourceText, all_texts
from nlp.evaluation.scoring import ClaimScore, Counts, pair_by_overlap, score_claims, value_matches

LABEL_DIR = Path(__file__).resolve().parent / "claims_gold"
EXTRA_SPLITS = ("train2", "blind-b")  # issue 22 round 2: more training labels; a new blind set
SPLITS = ("dev", "test", "blind", *EXTRA_SPLITS)
SCORED_BY_DEFAULT = ("dev", "test")  # blind is scored once, by the lead: never by default
FIELDS = ("claim_type", "direction", "metric")


@dataclass(frozen=True)
class LabeledText:
    """One annotated text with its rebuilt source text."""

    row: dict[str, Any]
    text: str

    @property
    def published(self) -> date | None:
        """The text's publication day."""
        raw = self.row.get("published")
        return date.fromisoformat(raw) if raw else None

    @property
    def claims(self) -> list[dict[str, Any]]:
        """The gold claims (offsets into `text`)."""
        return list(self.row["claims"])


def read_rows(splits: Iterable[str], label_dir: Path = LABEL_DIR) -> list[dict[str, Any]]:
    """The label rows of the given splits, in file order."""
    rows: list[dict[str, Any]] = []
    for split in splits:
        if split not in SPLITS:
            raise ClaimTextError(f"unknown split {split!r} (choose from {', '.join(SPLITS)})")
        path = label_dir / f"{split}.jsonl"
        if not path.is_file():
            raise ClaimTextError(f"missing label file {path}")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ClaimTextError(f"{path}:{n}: not JSON: {exc}") from None
            if row.get("split") != split or not isinstance(row.get("claims"), list):
                raise ClaimTextError(f"{path}:{n}: a row needs split {split!r} and claims")
            rows.append(row)
    return rows


def attach_texts(
    rows: Sequence[dict[str, Any]], texts: Mapping[str, SourceText]
) -> list[LabeledText]:
    """Pair rows with their source texts; a missing or changed text is an error."""
    out: list[LabeledText] = []
    for row in rows:
        source = texts.get(row["doc_id"])
        if (
            source is None
            or source.sha != row["text_sha"]
            or len(source.text) != row["text_length"]
        ):
            raise ClaimTextError(
                f"claim labels of {row['doc_id']} ({row.get('key')}) no longer match "
                f"../shared/{row.get('file')}; the source changed"
            )
        for claim in row["claims"]:
            if not 0 <= claim["char_start"] < claim["char_end"] <= len(source.text):
                raise ClaimTextError(f"{row['doc_id']}: claim offsets out of range: {claim}")
        out.append(LabeledText(row, source.text))
    return out


def load_labels(
    shared: Path, splits: Iterable[str] = SCORED_BY_DEFAULT, label_dir: Path = LABEL_DIR
) -> list[LabeledText]:
    """The labelled texts of `splits`, rebuilt from ../shared."""
    return attach_texts(read_rows(splits, label_dir), all_texts(shared))


def as_gold(doc: LabeledText) -> dict[str, Any]:
    """The text's labels in the gold-article shape `score_claims` reads."""
    claims = []
    for claim in doc.claims:
        item = dict(claim)
        item["value_text"] = doc.text[claim["char_start"] : claim["char_end"]]
        item.setdefault("time", None)
        claims.append(item)
    return {"claims": claims}


def _macro_f1(pairs: Sequence[tuple[str, str]]) -> float:
    """Macro-F1 over the gold labels that occur (a predicted label never in gold counts as fp)."""
    labels = sorted({g for g, _ in pairs})
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == p == label)
        fp = sum(1 for g, p in pairs if p == label and g != label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        scores.append(Counts(tp, fp, fn).f1)
    return round(sum(scores) / len(scores), 3) if scores else 0.0


def _source_ok(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> bool:
    """Same source: both none, or the gold name's first six letters in the predicted one."""
    said, truth = pred.get("attributed_to"), gold.get("attributed_to")
    if not truth:
        return not said
    return bool(said) and str(truth).lower()[:6] in str(said).lower()


@dataclass
class LabelScore:
    """Scores of predictions against the claim labels, pooled over texts."""

    claims: ClaimScore = field(default_factory=ClaimScore)
    pairs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    source: Counter[str] = field(default_factory=Counter)
    inferred: Counter[str] = field(default_factory=Counter)
    texts: int = 0

    def add(self, gold: LabeledText, pred: Mapping[str, Any]) -> None:
        """Score one text's prediction (the analyze --json object)."""
        gold_doc = as_gold(gold)
        self.claims = self.claims + score_claims(gold_doc, pred)
        self.texts += 1
        pairing = pair_by_overlap(
            pred.get("claims") or [], gold_doc["claims"], optional=lambda g: bool(g["optional"])
        )
        for p, g in pairing.pairs:
            if g["optional"]:
                continue
            for name in FIELDS:
                self.pairs.setdefault(name, []).append((str(g[name]), str(p.get(name))))
            right = _source_ok(p, g)
            self.source["right"] += right
            self.source["n"] += 1
            if p.get("attributed_to"):
                self.source["predicted"] += 1
                self.source["predicted_right"] += bool(g.get("attributed_to")) and right
            if g.get("attributed_to"):
                self.source["gold"] += 1
                self.source["gold_right"] += right
            if g.get("unit_inferred"):
                self.inferred["gold"] += 1
                self.inferred["value_right"] += value_matches(p, g)
            if p.get("unit_inferred"):
                self.inferred["predicted"] += 1
                self.inferred["predicted_right"] += value_matches(p, g)

    def accuracy(self, name: str) -> float:
        """Share of matched non-optional claims whose `name` equals the gold one."""
        pairs = self.pairs.get(name, [])
        return round(sum(g == p for g, p in pairs) / len(pairs), 3) if pairs else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Every number, for --json and the docs."""
        c, s = self.claims, self.source

        def ratio(a: int, b: int) -> float:
            """a / b rounded, 0 when b is 0."""
            return round(a / b, 3) if b else 0.0

        return {
            "texts": self.texts,
            "detection": c.detection.as_dict(),
            "value_and_unit": c.value_and_unit.as_dict(),
            **{
                name: {
                    "accuracy": self.accuracy(name),
                    "macro_f1": _macro_f1(self.pairs.get(name, [])),
                    "n": len(self.pairs.get(name, [])),
                }
                for name in FIELDS
            },
            "attribution": {
                "accuracy": ratio(s["right"], s["n"]),
                "precision": ratio(s["predicted_right"], s["predicted"]),
                "recall": ratio(s["gold_right"], s["gold"]),
                "n": s["n"],
                "predicted": s["predicted"],
                "gold": s["gold"],
            },
            "implied_units": {
                key: self.inferred[key]
                for key in ("gold", "value_right", "predicted", "predicted_right")
            },
        }


def score_labels(
    docs: Sequence[LabeledText], predictions: Iterable[Mapping[str, Any]]
) -> LabelScore:
    """Pooled scores of one prediction per labelled text (same order)."""
    return score_by_source(docs, predictions)["all"]


def score_by_source(
    docs: Sequence[LabeledText], predictions: Iterable[Mapping[str, Any]]
) -> dict[str, LabelScore]:
    """Scores pooled over all texts ("all") and over the texts of each source."""
    scores: dict[str, LabelScore] = {"all": LabelScore()}
    for doc, pred in zip(docs, predictions, strict=True):
        scores["all"].add(doc, pred)
        scores.setdefault(str(doc.row.get("src")), LabelScore()).add(doc, pred)
    return scores


def rules_only(payload: Mapping[str, Any], explanations: Sequence[Any]) -> dict[str, Any]:
    """The analyze --json object as the rules alone decided it: each claim's labels replaced by
    what its explanation says the rules gave (`explanations`: the claims' explanations)."""
    claims = []
    for claim, why in zip(payload.get("claims") or [], explanations, strict=True):
        said = (why or {}).get("rules") or {}
        claims.append({**claim, **{k: v for k, v in said.items() if k in FIELDS}})
    return {**payload, "claims": claims}


def label_rows(report: Mapping[str, Any]) -> list[tuple[str, float, str]]:
    """(metric, value, detail) rows of a score report for a printed table."""
    det, val, src = report["detection"], report["value_and_unit"], report["attribution"]
    rows = [
        ("detection F1", det["f1"], f"P {det['precision']:.3f} R {det['recall']:.3f}"),
        ("value+unit F1", val["f1"], f"P {val['precision']:.3f} R {val['recall']:.3f}"),
    ]
    for name in FIELDS:
        part = report[name]
        rows.append((f"{name} accuracy", part["accuracy"], f"macro-F1 {part['macro_f1']:.3f}, "
                     f"n={part['n']}"))  # fmt: skip
    rows.append(("attribution accuracy", src["accuracy"], f"n={src['n']}"))
    rows.append(("attribution precision", src["precision"], f"n={src['predicted']} predicted"))
    rows.append(("attribution recall", src["recall"], f"n={src['gold']} in gold"))
    return rows
