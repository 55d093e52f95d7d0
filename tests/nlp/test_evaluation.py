"""tidings' gold scoring gives the reference scorer's numbers."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nlp.evaluation.scoring import Counts, pool, score
from nlp.pipeline import Analyzer
from tests.conftest import shared_dir

GOLD_NAME = "000_69657d30d331c4cd.json"


def _perturbed(gold: dict[str, Any], analysis: dict[str, Any]) -> dict[str, Any]:
    """Our real entities and sentences plus claims and labels derived from gold with errors."""
    claims = []
    for i, g in enumerate(gold["claims"]):
        if i % 5 == 4:
            continue  # a miss
        claims.append({
            "start": g["char_start"] + (1 if i % 7 == 0 else 0), "end": g["char_end"],
            "text": g["value_text"], "value": g["value"] * (1.1 if i % 3 == 0 else 1.0),
            "unit": "%" if g["unit"] == "PERCENT" else g["unit"],
            "direction": g["direction"] if i % 4 else "none", "claim_type": g["claim_type"],
            "time_start": (g.get("time") or "")[:10] or None, "time_end": None,
            "attributed_to": g["attributed_to"] if i % 2 else None,
        })  # fmt: skip
    claims.append({"start": 0, "end": 3, "text": "The", "value": 1, "unit": "COUNT"})  # spurious
    labels = ["negative", "neutral", "positive"]
    sentences = [dict(s, label=labels[i % 3]) for i, s in enumerate(analysis["sentences"])]
    return dict(
        analysis, claims=claims, sentences=sentences, document={"label": "negative", "score": -0.5}
    )


@pytest.mark.shared
def test_same_numbers_as_the_reference_scorer(analyzer: Analyzer, tmp_path: Path) -> None:
    shared = shared_dir()
    gold_path = shared / "gold" / GOLD_NAME
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text = (shared / "samples" / gold["doc"]).read_text(encoding="utf-8")
    analysis = analyzer.analyze(text).to_json_dict()
    for pred in (
        analysis,
        _perturbed(gold, analysis),
        {"entities": [], "claims": [], "sentences": []},
    ):
        pred_path = tmp_path / "pred.json"
        pred_path.write_text(json.dumps(pred), encoding="utf-8")
        reference = subprocess.run(
            [sys.executable, str(shared / "tools" / "score_analysis.py"),
             str(gold_path), str(pred_path), "--json"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert score(gold, pred).as_dict() == json.loads(reference.stdout)


def test_counts_round_like_the_reference() -> None:
    counts = Counts(tp=2, fp=1, fn=2)
    assert counts.as_dict() == {
        "precision": 0.667,
        "recall": 0.5,
        "f1": 0.571,
        "tp": 2,
        "fp": 1,
        "fn": 2,
    }
    assert Counts().as_dict()["f1"] == 0.0


def test_pooling_sums_counts() -> None:
    gold = {
        "entities": [
            {"char_start": 0, "char_end": 7, "canonical": "Bitcoin", "surface": "Bitcoin"},
            {"char_start": 10, "char_end": 13, "canonical": "Ether", "generic": True},
        ],
        "claims": [], "sentences_sentiment": [], "document_sentiment": {"label": "neutral"},
    }  # fmt: skip
    hit = {"entities": [{"start": 0, "end": 7, "entity_id": "crypto:btc", "text": "Bitcoin"}]}
    miss = {"entities": [{"start": 20, "end": 24, "entity_id": None, "text": "Junk"}]}
    pooled = pool([score(gold, hit), score(gold, miss)])
    assert (
        pooled.entities.detection.tp,
        pooled.entities.detection.fp,
        pooled.entities.detection.fn,
    ) == (1, 1, 1)
    assert pooled.entities.linked.f1 == 0.5
    assert pooled.files == 2
