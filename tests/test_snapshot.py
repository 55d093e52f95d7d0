"""Issue 16 (the restructure) changes no behaviour: `tidings eval --json`, `tidings eval sentiment
--json` and `tidings analyze --json` on the shared sample give the numbers and records stored in
tests/snapshots/ (made from the code before the move).

Only the keys a snapshot holds are compared, so that fields added later (a new top-level key, a
new field in a record) do not break it; every stored number, label and record must be identical.
Sentence texts from ../shared are stored as digests (see `digest_texts`), never as text; a
snapshot is rebuilt only before a deliberate behaviour change, with `digest_texts` over the output.

The sentiment model and the narrative encoder are int8: ONNX Runtime picks its kernels by CPU
features (AVX2 vs AVX-512 VNNI) and they round differently (docs/EVALUATION.md), so their outputs
are compared only on a CPU of the kind the snapshots were made on (tests/snapshots/machine.json);
elsewhere everything else is still compared exactly.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, shared_dir

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SAMPLE = "samples/000_69657d30d331c4cd.txt"
# Keys whose values are text copied from ../shared; the snapshot keeps their sha256 only.
TEXT_KEYS = frozenset({"text", "sentence", "sentence_text", "quote", "missed", "spurious"})

pytestmark = [pytest.mark.shared, pytest.mark.slow]
# Keys holding int8 model output: sentence labels, entity and document sentiment (the sentiment
# model), the narratives, their scores and the narrative scores of `eval` (the narrative encoder).
INT8_KEYS = frozenset({
    "sentences", "entity_sentiment", "document", "narratives", "narrative_recovery",
    "narrative_assignment",
})  # fmt: skip


def int8_kernels() -> str:
    """The int8 kernel family ONNX Runtime uses on this CPU: "avx512_vnni", "avx2" or "other"."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return "other"
    for family in ("avx512_vnni", "avx2"):
        if f" {family}" in flags:
            return family
    return "other"


def without_int8_outputs(value: Any) -> Any:
    """`value` without the keys that hold int8 model output."""
    if isinstance(value, dict):
        return {k: without_int8_outputs(v) for k, v in value.items() if k not in INT8_KEYS}
    if isinstance(value, list):
        return [without_int8_outputs(v) for v in value]
    return value


def _sha(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def digest_texts(value: Any, key: str | None = None) -> Any:
    """`value` with every string under a TEXT_KEYS key replaced by its digest."""
    if isinstance(value, dict):
        return {k: digest_texts(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [digest_texts(v, key) for v in value]
    if isinstance(value, str) and key in TEXT_KEYS:
        return _sha(value)
    return value


def differences(stored: Any, now: Any, where: str = "$") -> list[str]:
    """Paths where `now` differs from `stored`; keys absent from `stored` are not compared."""
    if isinstance(stored, dict):
        if not isinstance(now, dict):
            return [f"{where}: expected an object, got {type(now).__name__}"]
        out: list[str] = []
        for k, v in stored.items():
            if k not in now:
                out.append(f"{where}.{k}: missing")
            else:
                out += differences(v, now[k], f"{where}.{k}")
        return out
    if isinstance(stored, list):
        if not isinstance(now, list) or len(now) != len(stored):
            size = len(now) if isinstance(now, list) else type(now).__name__
            return [f"{where}: expected {len(stored)} items, got {size}"]
        return [d for i, (a, b) in enumerate(zip(stored, now, strict=True))
                for d in differences(a, b, f"{where}[{i}]")]  # fmt: skip
    return [] if stored == now else [f"{where}: expected {stored!r}, got {now!r}"]


def run_cli(*args: str) -> Any:
    """`tidings ARGS` from this checkout (python -m, so the code under test is what runs)."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def commands(shared: Path) -> dict[str, list[str]]:
    """Snapshot file name -> the CLI arguments that produce it."""
    sample = str(shared / SAMPLE)
    return {
        "eval.json": ["eval", "--json"],
        "eval_sentiment.json": ["eval", "sentiment", "--json"],
        "analyze.json": ["analyze", sample, "--published", "2025-11-05", "--json"],
    }


@pytest.mark.parametrize("name", ["eval.json", "eval_sentiment.json", "analyze.json"])
def test_output_matches_the_snapshot(name: str) -> None:
    args = commands(shared_dir())[name]
    stored = json.loads((SNAPSHOTS / name).read_text(encoding="utf-8"))
    made_on = json.loads((SNAPSHOTS / "machine.json").read_text(encoding="utf-8"))["int8_kernels"]
    if int8_kernels() != made_on:
        if name == "eval_sentiment.json":
            pytest.skip(f"sentiment snapshot made on {made_on} int8 kernels, this CPU differs")
        stored = without_int8_outputs(stored)
    assert differences(stored, digest_texts(run_cli(*args))) == []


def test_differences_sees_a_changed_number_and_ignores_new_keys() -> None:
    stored = {"a": {"f1": 0.5, "rows": [{"x": 1}]}}
    assert differences(stored, {"a": {"f1": 0.5, "rows": [{"x": 1, "new": 2}]}, "b": 1}) == []
    assert differences(stored, {"a": {"f1": 0.51, "rows": [{"x": 1}]}}) == [
        "$.a.f1: expected 0.5, got 0.51"
    ]
    assert differences(stored, {"a": {"f1": 0.5, "rows": []}}) == [
        "$.a.rows: expected 1 items, got 0"
    ]
    assert digest_texts({"text": "abc", "n": "abc"})["text"].startswith("sha256:")
    stored = {"claims": [1], "sentences": [2], "f": {"document": 3}, "narratives": [4],
              "narrative_assignment": {"f1": 0.8}}  # fmt: skip
    assert without_int8_outputs(stored) == {"claims": [1], "f": {}}
