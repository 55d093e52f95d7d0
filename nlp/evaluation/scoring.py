"""Gold-file scoring of an `analyze --json` prediction, as described in EVALUATION.md.

The numbers equal those of the reference scorer (`../shared/tools/score_analysis.py`): spans are
paired one-to-one, each gold item in file order taking the unpaired prediction it overlaps most;
optional gold items count neither as hits nor as misses. Scores of several files are pooled by
summing counts (micro average).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nlp.evaluation.narrative_recovery import Recovery, score_recovery

Item = Mapping[str, Any]
LABELS = ("negative", "neutral", "positive")
ENTITY_OPTIONAL = ("generic", "nominal", "type_uncertain", "nested_in", "as_quantity_unit")
_UNIT_SYNONYMS = {
    "$": "USD", "USDT": "USD", "DOLLAR": "USD", "DOLLARS": "USD",
    "%": "PERCENT", "PCT": "PERCENT", "BP": "BASIS_POINTS", "BPS": "BASIS_POINTS",
    "NONE": "COUNT", "": "COUNT", "DAY": "DAYS", "MONTH": "MONTHS", "YEAR": "YEARS",
}  # fmt: skip


@dataclass
class Counts:
    """True positives, false positives and false negatives, with P/R/F1 rounded to 3 places."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        """Pooled counts."""
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        """tp / (tp + fp), 0 when nothing was predicted."""
        return round(self.tp / (self.tp + self.fp), 3) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn), 0 when there was nothing to find."""
        return round(self.tp / (self.tp + self.fn), 3) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of the unrounded precision and recall."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return round(2 * p * r / (p + r), 3) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The reference scorer's P/R/F1 object."""
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}  # fmt: skip


@dataclass
class Pairing:
    """Result of one-to-one span pairing."""

    pairs: list[tuple[Item, Item]]  # (prediction, gold)
    unpaired_pred: list[Item]
    missed_gold: list[Item]  # unpaired and not optional


def pair_by_overlap(
    preds: Sequence[Item], golds: Sequence[Item], *, optional: Callable[[Item], bool]
) -> Pairing:
    """Each gold item, in order, takes the free prediction with the largest positive overlap."""
    free = list(range(len(preds)))
    pairs: list[tuple[Item, Item]] = []
    paired_gold: set[int] = set()
    for gi, gold in enumerate(golds):
        g0, g1 = int(gold["char_start"]), int(gold["char_end"])
        overlaps = [(min(preds[i]["end"], g1) - max(preds[i]["start"], g0), i) for i in free]
        best = max((ov for ov, _ in overlaps), default=0)
        if best <= 0:
            continue
        chosen = next(i for ov, i in overlaps if ov == best)
        free.remove(chosen)
        pairs.append((preds[chosen], gold))
        paired_gold.add(gi)
    missed = [g for i, g in enumerate(golds) if i not in paired_gold and not optional(g)]
    return Pairing(pairs, [preds[i] for i in free], missed)


def canonical_unit(unit: Any) -> str:
    """Unit names folded as in EVALUATION.md ('%' and 'PCT' are PERCENT, ...)."""
    key = str(unit or "").strip().upper()
    return _UNIT_SYNONYMS.get(key, key)


def value_matches(pred: Item, gold: Item) -> bool:
    """Same unit and a value within 0.5 % of the gold value or its as-printed value."""
    try:
        value = float(pred.get("value"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    if canonical_unit(pred.get("unit")) != canonical_unit(gold.get("unit")):
        return False
    for key in ("value", "value_literal"):
        target = gold.get(key)
        if isinstance(target, bool) or not isinstance(target, int | float):
            continue
        if (target == 0 and value == 0) or (
            target != 0 and abs(value - target) <= 0.005 * abs(target)
        ):
            return True
    return False


def gold_period(text: Any) -> tuple[date, date] | None:
    """An ISO date or 'start/end' interval from a gold `time`, else None (descriptive)."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)(?:/(\d{4}-\d\d-\d\d))?", str(text or "").strip())
    if not m:
        return None
    start = date.fromisoformat(m.group(1))
    return start, date.fromisoformat(m.group(2)) if m.group(2) else start


def time_matches(pred: Item, period: tuple[date, date]) -> bool:
    """Predicted start and end each within one day of the gold period's."""
    try:
        start = date.fromisoformat(str(pred.get("time_start"))[:10])
        end = date.fromisoformat(str(pred.get("time_end") or pred.get("time_start"))[:10])
    except ValueError:
        return False
    day = timedelta(days=1)
    return abs(start - period[0]) <= day and abs(end - period[1]) <= day


def attribution_matches(pred: Item, gold: Item) -> bool:
    """The gold source's first six letters appear in the predicted source."""
    said = pred.get("attributed_to")
    return bool(said) and str(gold["attributed_to"]).lower()[:6] in str(said).lower()


@dataclass
class Ratio:
    """A pooled accuracy: hits over scored items (the reference reports 0 when none)."""

    hits: int = 0
    total: int = 0

    def __add__(self, other: Ratio) -> Ratio:
        """Pooled ratio."""
        return Ratio(self.hits + other.hits, self.total + other.total)

    @property
    def value(self) -> float:
        """hits / total rounded to 3 places (total 0 counts as 1)."""
        return round(self.hits / (self.total or 1), 3)


@dataclass
class ClaimScore:
    """Claim metrics of one file or pooled over several."""

    detection: Counts = field(default_factory=Counts)
    value_and_unit: Counts = field(default_factory=Counts)
    claim_type: Ratio = field(default_factory=Ratio)
    direction: Ratio = field(default_factory=Ratio)
    time: Ratio = field(default_factory=Ratio)
    attribution: Ratio = field(default_factory=Ratio)
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def __add__(self, o: ClaimScore) -> ClaimScore:
        """Pooled claim scores."""
        return ClaimScore(
            self.detection + o.detection, self.value_and_unit + o.value_and_unit,
            self.claim_type + o.claim_type, self.direction + o.direction, self.time + o.time,
            self.attribution + o.attribution, self.missed + o.missed, self.spurious + o.spurious,
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """The reference scorer's `claims` object."""
        return {
            "detection": self.detection.as_dict(),
            "value_and_unit": self.value_and_unit.as_dict(),
            "claim_type_accuracy": self.claim_type.value,
            "direction_accuracy": self.direction.value,
            "time_accuracy": self.time.value,
            "time_scored": self.time.total,
            "attribution_recall": self.attribution.value,
            "attribution_scored": self.attribution.total,
            "missed": self.missed,
            "spurious": self.spurious,
        }


def score_claims(gold: Item, pred: Item) -> ClaimScore:
    """Claim detection, value+unit, type, direction, time and attribution scores."""
    golds = gold.get("claims", [])
    pairing = pair_by_overlap(
        pred.get("claims") or [], golds, optional=lambda g: bool(g.get("optional", False))
    )
    scored = [(p, g) for p, g in pairing.pairs if not g.get("optional", False)]
    n_fp, n_fn = len(pairing.unpaired_pred), len(pairing.missed_gold)
    good_values = sum(value_matches(p, g) for p, g in scored)
    bad_values = len(scored) - good_values
    timed = [(p, gold_period(g.get("time"))) for p, g in scored]
    sourced = [(p, g) for p, g in scored if g.get("attributed_to")]
    return ClaimScore(
        detection=Counts(len(scored), n_fp, n_fn),
        value_and_unit=Counts(good_values, n_fp + bad_values, n_fn + bad_values),
        claim_type=Ratio(
            sum(p.get("claim_type") == g["claim_type"] for p, g in scored), len(scored)
        ),
        direction=Ratio(sum(p.get("direction") == g["direction"] for p, g in scored), len(scored)),
        time=Ratio(sum(time_matches(p, t) for p, t in timed if t), sum(1 for _, t in timed if t)),
        attribution=Ratio(sum(attribution_matches(p, g) for p, g in sourced), len(sourced)),
        missed=[
            g.get("value_text", f"{g['char_start']}-{g['char_end']}") for g in pairing.missed_gold
        ],
        spurious=[p.get("text") for p in pairing.unpaired_pred],  # type: ignore[misc]
    )


@dataclass
class EntityScore:
    """Entity detection and linking counts."""

    detection: Counts = field(default_factory=Counts)
    linked: Counts = field(default_factory=Counts)
    missed: set[str] = field(default_factory=set)
    spurious: set[str] = field(default_factory=set)

    def __add__(self, o: EntityScore) -> EntityScore:
        """Pooled entity scores."""
        return EntityScore(
            self.detection + o.detection, self.linked + o.linked,
            self.missed | o.missed, self.spurious | o.spurious,
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """The reference scorer's `entities` object."""
        return {"detection": self.detection.as_dict(), "linked": self.linked.as_dict(),
                "missed": sorted(self.missed), "spurious": sorted(self.spurious)}  # fmt: skip


def _entity_optional(gold: Item) -> bool:
    """Generic, nominal, nested, unit-use and type-uncertain gold mentions are optional."""
    return any(gold.get(flag) for flag in ENTITY_OPTIONAL)


def score_entities(gold: Item, pred: Item) -> EntityScore:
    """Detection of non-optional gold mentions, and linking consistent per gold entity."""
    pairing = pair_by_overlap(
        pred.get("entities") or [], gold.get("entities", []), optional=_entity_optional
    )
    scored = [(p, g) for p, g in pairing.pairs if not _entity_optional(g)]
    ids_given: dict[str, Counter[Any]] = defaultdict(Counter)
    for p, g in scored:
        ids_given[g["canonical"]][p.get("entity_id")] += 1
    usual = {canon: ids.most_common(1)[0][0] for canon, ids in ids_given.items()}
    holders = Counter(entity_id for entity_id in usual.values() if entity_id is not None)
    right = sum(
        1
        for p, g in scored
        if p.get("entity_id") is not None
        and p.get("entity_id") == usual[g["canonical"]]
        and holders[p.get("entity_id")] == 1
    )
    n_fp, n_fn, wrong = len(pairing.unpaired_pred), len(pairing.missed_gold), len(scored) - right
    return EntityScore(
        detection=Counts(len(scored), n_fp, n_fn),
        linked=Counts(right, n_fp + wrong, n_fn + wrong),
        missed={g.get("surface", g["canonical"]) for g in pairing.missed_gold},
        spurious={p.get("text", "") for p in pairing.unpaired_pred},
    )


@dataclass
class SentenceScore:
    """Sentence-label confusion (gold, predicted) and document-label hits."""

    confusion: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    document: Ratio = field(default_factory=Ratio)

    def __add__(self, o: SentenceScore) -> SentenceScore:
        """Pooled sentence scores."""
        return SentenceScore(self.confusion + o.confusion, self.document + o.document)

    @property
    def n(self) -> int:
        """Number of gold sentences."""
        return sum(self.confusion.values())

    @property
    def accuracy(self) -> float:
        """Share of gold sentences whose best-overlapping prediction has the gold label."""
        hits = sum(v for (g, p), v in self.confusion.items() if g == p)
        return round(hits / (self.n or 1), 3)

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the three labels that occur in gold or prediction."""
        seen = {label for pair in self.confusion for label in pair}
        scores = []
        for label in (lab for lab in LABELS if lab in seen):
            tp = self.confusion[(label, label)]
            fp = sum(v for (g, p), v in self.confusion.items() if p == label and g != label)
            fn = sum(v for (g, p), v in self.confusion.items() if g == label and p != label)
            scores.append(Counts(tp, fp, fn).f1)
        return round(sum(scores) / (len(scores) or 1), 3)

    def as_dict(self) -> dict[str, Any]:
        """The reference scorer's `sentences` object (document_label_ok for one file)."""
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1, "n": self.n or 1,
                "document_label_ok": self.document.hits == self.document.total > 0}  # fmt: skip


def score_sentences(gold: Item, pred: Item) -> SentenceScore:
    """Each gold sentence takes the label of the predicted sentence overlapping it most."""
    preds = pred.get("sentences") or []
    confusion: Counter[tuple[str, str | None]] = Counter()
    for g in gold.get("sentences_sentiment", []):
        best: Item | None = None
        best_overlap = 0
        for p in preds:
            overlap = min(p["end"], g["char_end"]) - max(p["start"], g["char_start"])
            if overlap > best_overlap:
                best, best_overlap = p, overlap
        confusion[(g["label"], best.get("label") if best else None)] += 1
    doc_label = (pred.get("document") or {}).get("label")
    gold_label = (gold.get("document_sentiment") or {}).get("label")
    return SentenceScore(confusion, Ratio(int(doc_label == gold_label), 1))


@dataclass
class Report:
    """Scores of one gold file, or of several pooled."""

    claims: ClaimScore = field(default_factory=ClaimScore)
    entities: EntityScore = field(default_factory=EntityScore)
    sentences: SentenceScore = field(default_factory=SentenceScore)
    files: int = 0
    narratives: Recovery = field(default_factory=Recovery)

    def __add__(self, o: Report) -> Report:
        """Pooled report."""
        return Report(
            self.claims + o.claims, self.entities + o.entities,
            self.sentences + o.sentences, self.files + o.files, self.narratives + o.narratives,
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """The reference scorer's `--json` report (narrative recovery is reported apart)."""
        return {"claims": self.claims.as_dict(), "entities": self.entities.as_dict(),
                "sentences": self.sentences.as_dict()}  # fmt: skip


def score(gold: Item, pred: Item) -> Report:
    """Score one prediction (the analyze --json object) against one gold file."""
    return Report(
        score_claims(gold, pred), score_entities(gold, pred), score_sentences(gold, pred), 1,
        score_recovery(gold, pred),
    )  # fmt: skip


def pool(reports: Iterable[Report]) -> Report:
    """Micro-averaged report over several files."""
    total = Report()
    for report in reports:
        total = total + report
    return total


def metric_rows(report: Report) -> list[tuple[str, str, float, str]]:
    """(area, metric, value, detail) rows for a printed table."""
    c, e, s = report.claims, report.entities, report.sentences

    def prf(n: Counts) -> str:
        """P, R and the counts behind them."""
        return f"P {n.precision:.3f} R {n.recall:.3f} (tp {n.tp} fp {n.fp} fn {n.fn})"

    return [
        ("entities", "detection F1", e.detection.f1, prf(e.detection)),
        ("entities", "linked F1", e.linked.f1, prf(e.linked)),
        ("claims", "detection F1", c.detection.f1, prf(c.detection)),
        ("claims", "value+unit F1", c.value_and_unit.f1, prf(c.value_and_unit)),
        ("claims", "claim-type accuracy", c.claim_type.value, f"n={c.claim_type.total}"),
        ("claims", "direction accuracy", c.direction.value, f"n={c.direction.total}"),
        ("claims", "time accuracy", c.time.value, f"n={c.time.total}"),
        ("claims", "attribution recall", c.attribution.value, f"n={c.attribution.total}"),
        ("sentences", "accuracy", s.accuracy, f"n={s.n}"),
        ("sentences", "macro-F1", s.macro_f1, f"n={s.n}"),
        ("document", "label accuracy", s.document.value, f"n={s.document.total}"),
        ("narratives", "recovery", report.narratives.value, f"n={report.narratives.n}"),
    ]
