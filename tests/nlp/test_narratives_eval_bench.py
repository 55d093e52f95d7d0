"""The narrative eval rows per split (blind3 included) and the narratives bench's arithmetic."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from nlp.evaluation.narratives import NarrativeGold, assignment_rows, evaluate_assignment

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str) -> ModuleType:
    """A bench script by file path (bench/ is not put on sys.path: its api.py and ingest.py
    would shadow the packages)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sys.modules.setdefault("benchdoc", _load("benchdoc"))
bench = _load("narratives")


def _doc(name: str, split: str, labels: list[list[str]]) -> NarrativeGold:
    sentences = [{"index": i, "char_start": 10 * i, "char_end": 10 * i + 9, "narratives": lab}
                 for i, lab in enumerate(labels)]  # fmt: skip
    return NarrativeGold(name, split, "x" * (10 * len(labels)), None, sentences)


def _pred(labels: list[list[str]]) -> dict[str, object]:
    ids = sorted({n for lab in labels for n in lab})
    return {
        "sentences": [{"start": 10 * i, "end": 10 * i + 9} for i in range(len(labels))],
        "narratives": [{"id": n, "sentence_indexes": [i for i, lab in enumerate(labels)
                                                      if n in lab]} for n in ids],
    }  # fmt: skip


def test_rows_per_split_pool_their_articles() -> None:
    docs = [
        _doc("a.json", "dev", [["etf-flows"], ["fed-rates"], []]),
        _doc("b.json", "blind3", [["cbdc"], ["cbdc", "regulation-enforcement"]]),
        _doc("c.json", "blind3", [["defi"], []]),
    ]
    preds = [
        _pred([["etf-flows"], [], ["gold"]]),  # tp 1, fp 1, fn 1
        _pred([["cbdc"], ["cbdc"]]),  # tp 2, fn 1
        _pred([["defi"], ["defi"]]),  # tp 1, fp 1
    ]
    result = evaluate_assignment(preds, docs)
    blind = result.splits["blind3"]
    assert (blind.tp, blind.fp, blind.fn) == (3, 1, 1)
    rows = {metric: (value, detail) for _, metric, value, detail in assignment_rows(result)}
    assert set(rows) == {"sentence F1 (blind3)", "sentence F1 (dev)"}
    assert rows["sentence F1 (blind3)"] == (0.75, "P 0.750 R 0.750 (tp 3 fp 1 fn 1; 2 articles)")
    assert rows["sentence F1 (dev)"][0] == 0.5
    assert result.as_dict()["files"]["b.json"]["split"] == "blind3"


def _run(with_stage: bool, cpu: float, stage: float = 0.0, wall: float = 1.0) -> dict[str, object]:
    return {"with_stage": with_stage, "cpu_s": cpu, "wall_s": wall, "stage_cpu_s": stage}


@pytest.mark.parametrize(
    ("runs", "added", "paired", "share", "meets"),
    [
        ([_run(True, 110, 9), _run(False, 100)], 0.10, [0.10], 0.09, True),
        ([_run(True, 120, 20), _run(False, 100), _run(False, 100), _run(True, 130, 22)],
         0.25, [0.20, 0.30], 0.21, False),
        ([_run(True, 115, 10), _run(False, 100)], 0.15, [0.15], 0.10, True),
        ([_run(False, 100), _run(True, 90, 5)], -0.10, [-0.10], 0.05, True),
    ],
)  # fmt: skip
def test_summary_arithmetic(
    runs: list[dict[str, object]], added: float, paired: list[float], share: float, meets: bool
) -> None:
    s = bench.summarize(runs)
    assert s["added_cpu"] == pytest.approx(added)
    assert s["paired_cpu"] == pytest.approx(paired)
    assert s["stage_share"] == pytest.approx(share)
    assert s["meets_target"] is meets


def test_summary_needs_both_arms() -> None:
    with pytest.raises(ValueError, match="both arms"):
        bench.summarize([_run(True, 1.0)])


@pytest.mark.parametrize(
    ("repeats", "arms"),
    [
        (1, [True, False]),
        (2, [True, False, False, True]),
        (3, [True, False, False, True, True, False]),
    ],
)
def test_arms_alternate_and_balance(repeats: int, arms: list[bool]) -> None:
    assert bench.order(repeats) == arms


def test_encoder_arms_reverse_every_other_repeat() -> None:
    arms = bench.arms_order(["minilm", "sentiment"], 2)
    assert arms == [None, "minilm", "sentiment", "sentiment", "minilm", None]
    assert all(arms.count(a) == 2 for a in (None, "minilm", "sentiment"))


def test_quality_bench_scores_each_encoder_with_its_own_thresholds() -> None:
    from nlp.narratives.assign import SHARED_CONFIG, AssignConfig

    quality = _load("narratives_quality")
    assert quality.SPLITS == ("dev", "dev2", "blind2", "blind3")
    assert AssignConfig() != SHARED_CONFIG  # the sentiment vectors' cosines run higher
    assert set(quality.GRID) <= set(AssignConfig.__dataclass_fields__)
