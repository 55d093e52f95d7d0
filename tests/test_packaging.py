"""The wheel ships the data the code reads at run time: the knowledge base's YAML, the shipped
sentiment model, the dashboard's templates and the training label files (data folders, listed
in pyproject package-data)."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def test_the_wheel_holds_the_data_files(tmp_path: Path) -> None:
    src = tmp_path / "src"  # a copy, so the build leaves nothing behind in the checkout
    for package in ("ingest", "nlp", "api", "models"):
        shutil.copytree(
            REPO_ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, src / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("tidings-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    def shipped(folder: str, pattern: str) -> set[str]:
        return {str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / folder).glob(pattern)}

    expected = (
        shipped("nlp/entities/kb", "*.yaml")
        | shipped("nlp/training/labels/stance", "*.jsonl")
        | shipped("nlp/training/labels/commentary", "*.jsonl")
        | shipped("nlp/sentiment/model", "*.*")
        | shipped("api/http/dashboard/templates", "*.html")
    )
    assert len(expected) > 30
    assert expected - names == set()
    assert "nlp/sentiment/model/model.onnx" in names
