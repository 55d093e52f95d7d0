"""Inter-annotator agreement on the claim labels: Cohen's kappa per field.

Two label passes over the same texts are compared number by number. Every number-like span the
annotator's aid marks (`claims_candidates`), plus any span either pass labelled that the aid
missed, is a unit; a pass calls it a claim when one of its claims overlaps it. Detection kappa
is over all units; the label kappas (claim type, direction, metric, unit, source) are over the
units both passes call claims, with `unit_inferred` and value reported as plain agreement.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.evaluation.claims_candidates import candidates
from nlp.evaluation.claims_labels import LABEL_DIR, SPLITS, read_rows

SECOND_PASS = LABEL_DIR / "agreement" / "second_pass.jsonl"  # round 1: the same annotator again
# Round 2: another annotator, who never saw the first labels, over texts of three annotators.
INDEPENDENT_PASS = LABEL_DIR / "agreement" / "second_pass_b.jsonl"
LABEL_FIELDS = ("claim_type", "direction", "metric", "unit", "attributed_to")


@dataclass(frozen=True)
class Agreement:
    """Kappa and raw agreement per field over one sample."""

    texts: int
    units: int
    both_claims: int
    kappa: dict[str, float]
    agree: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        """Every number, for --json and the docs."""
        return {"texts": self.texts, "units": self.units, "both_claims": self.both_claims,
                "kappa": self.kappa, "agreement": self.agree}  # fmt: skip


def _source_key(value: Any) -> str:
    """A source compared loosely: none, or its first six letters lower-cased."""
    return str(value).lower()[:6] if value else "<none>"


def _overlapping(
    claims: Sequence[Mapping[str, Any]], start: int, end: int
) -> Mapping[str, Any] | None:
    """The claim that overlaps [start, end) most, if any."""
    best, best_overlap = None, 0
    for claim in claims:
        overlap = min(claim["char_end"], end) - max(claim["char_start"], start)
        if overlap > best_overlap:
            best, best_overlap = claim, overlap
    return best


def kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa of two label sequences (1.0 when both are constant and equal)."""
    from sklearn.metrics import cohen_kappa_score

    if len(set(first) | set(second)) == 1:
        return 1.0
    return round(float(cohen_kappa_score(first, second)), 3)


def agreement(
    first: Sequence[Mapping[str, Any]],
    second: Sequence[Mapping[str, Any]],
    texts: Mapping[str, str],
) -> Agreement:
    """Agreement of two passes (rows by doc id) over the texts (by doc id) both labelled."""
    by_id = {row["doc_id"]: row for row in first}
    detect: tuple[list[str], list[str]] = ([], [])
    fields: dict[str, tuple[list[str], list[str]]] = {f: ([], []) for f in LABEL_FIELDS}
    same_value = same_inferred = both = 0
    for row2 in second:
        row1 = by_id[row2["doc_id"]]
        text = texts[row2["doc_id"]]
        units = [(c.start, c.end) for c in candidates(text)]
        for claim in (*row1["claims"], *row2["claims"]):
            if not any(min(e, claim["char_end"]) > max(s, claim["char_start"]) for s, e in units):
                units.append((claim["char_start"], claim["char_end"]))
        for start, end in units:
            a = _overlapping(row1["claims"], start, end)
            b = _overlapping(row2["claims"], start, end)
            detect[0].append("claim" if a else "no")
            detect[1].append("claim" if b else "no")
            if a is None or b is None:
                continue
            both += 1
            for name in LABEL_FIELDS:
                pick = _source_key if name == "attributed_to" else str
                fields[name][0].append(pick(a.get(name)))
                fields[name][1].append(pick(b.get(name)))
            same_inferred += a.get("unit_inferred") == b.get("unit_inferred")
            va, vb = float(a["value"]), float(b["value"])
            same_value += abs(va - vb) <= 0.005 * abs(va) if va else vb == 0
    scores = {"detection": kappa(*detect)} | {n: kappa(*pair) for n, pair in fields.items()}
    raw = {"detection": _share(*detect)} | {n: _share(*pair) for n, pair in fields.items()}
    raw["value"] = round(same_value / both, 3) if both else 0.0
    raw["unit_inferred"] = round(same_inferred / both, 3) if both else 0.0
    return Agreement(len(second), len(detect[0]), both, scores, raw)


def _share(first: Sequence[str], second: Sequence[str]) -> float:
    """Share of equal labels."""
    return round(sum(a == b for a, b in zip(first, second, strict=True)) / len(first), 3)


def second_pass(path: Path = SECOND_PASS) -> list[dict[str, Any]]:
    """The rows of the second label pass."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def study(texts: Mapping[str, str], path: Path = SECOND_PASS) -> Agreement:
    """The committed agreement study: the second pass against the first labels."""
    return agreement(read_rows(SPLITS), second_pass(path), texts)
