"""Our extra gold articles: rebuilt from ../shared exactly, and a floor under the scores."""

import importlib.util
import json
from pathlib import Path

import pytest

from nlp.evaluation.gold import evaluate, load_gold_dir
from nlp.pipeline import Analyzer

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("gold_extra_build", HERE / "gold_extra" / "build.py")
assert spec is not None and spec.loader is not None
build_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_module)


def test_committed_files_hold_no_article_text() -> None:
    for path in (HERE / "gold_extra").glob("*.json"):
        gold = json.loads(path.read_text(encoding="utf-8"))
        assert all("surface" not in e for e in gold["entities"]), path.name
        assert all("sentence" not in c and "value_text" not in c for c in gold["claims"])
        assert all("sentence" not in s for s in gold["sentences_sentiment"])
        assert gold["split"] in {"dev", "dev2", "blind", "blind2"}


@pytest.mark.shared
def test_rebuilt_spans_are_exact(tmp_path: Path, shared_path: Path) -> None:
    names = build_module.build(tmp_path, shared=shared_path)
    assert len(names) == 14
    for path in (tmp_path / "gold").glob("*.json"):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = (tmp_path / "samples" / gold["doc"]).read_text(encoding="utf-8")
        assert len(text) == gold["text_length_chars"]
        assert all(e["surface"].strip() == e["surface"] != "" for e in gold["entities"])
        assert all(c["value_text"].strip() == c["value_text"] != "" for c in gold["claims"])
        assert all(s["sentence"].strip() for s in gold["sentences_sentiment"])


@pytest.mark.shared
@pytest.mark.slow
def test_scores_stay_above_the_floor(analyzer: Analyzer, tmp_path: Path, shared_path: Path) -> None:
    """Pooled over the fourteen articles; floors sit a little under the measured scores (session
    9: entities 0.949 / 0.882, claims 0.975 / 0.952, type 0.867, direction 0.882). The claim type
    floor is 0.83 since claims-decider-3 (session 14: pooled type 0.844 measured): the
    learned layer trades type on these articles, which the rules were written from, for type on
    unseen text (docs/EVALUATION.md, blind-b)."""
    build_module.build(tmp_path, shared=shared_path)
    docs = load_gold_dir(tmp_path / "gold", tmp_path / "samples")
    report = evaluate(analyzer, docs).pooled.as_dict()
    assert report["entities"]["detection"]["f1"] >= 0.94
    assert report["entities"]["linked"]["f1"] >= 0.87
    assert report["claims"]["detection"]["f1"] >= 0.96
    assert report["claims"]["value_and_unit"]["f1"] >= 0.93
    assert report["claims"]["claim_type_accuracy"] >= 0.83
    assert report["claims"]["direction_accuracy"] >= 0.86


ENTITY_GOLD = HERE / "gold_entities"


def test_entity_gold_holds_offsets_only() -> None:
    paths = sorted(ENTITY_GOLD.glob("*.json"))
    assert len(paths) == 15
    for path in paths:
        gold = json.loads(path.read_text(encoding="utf-8"))
        assert all("surface" not in e for e in gold["entities"]), path.name
        assert gold["claims"] == [] and gold["sentences_sentiment"] == []
        assert gold["split"] in {"ent-dev", "ent-blind", "ent-blind2"}


@pytest.mark.shared
def test_entity_gold_rebuilds_exactly(tmp_path: Path, shared_path: Path) -> None:
    names = build_module.build(tmp_path, shared=shared_path, folder=ENTITY_GOLD)
    assert len(names) == 15
    for path in (tmp_path / "gold").glob("*.json"):
        gold = json.loads(path.read_text(encoding="utf-8"))
        assert all(e["surface"].strip() == e["surface"] != "" for e in gold["entities"])


@pytest.mark.shared
@pytest.mark.slow
def test_entity_gold_linked_floor(analyzer: Analyzer, tmp_path: Path, shared_path: Path) -> None:
    """Pooled over the fifteen entity-only articles; the floor sits a little under the measured
    linked F1 (entities-4: 0.916; entities-3 read 0.779 on the same fifteen)."""
    build_module.build(tmp_path, shared=shared_path, folder=ENTITY_GOLD)
    docs = load_gold_dir(tmp_path / "gold", tmp_path / "samples")
    report = evaluate(analyzer, docs).pooled.as_dict()
    assert report["entities"]["linked"]["f1"] >= 0.90
