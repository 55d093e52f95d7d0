"""Shared test helpers: where ../shared is, and skipping cleanly when it is absent."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


def shared_dir() -> Path:
    """The ../shared folder, or skip the calling test when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip("../shared is absent: data-dependent test skipped")
    return SHARED_DIR


@pytest.fixture
def shared_path() -> Path:
    """Fixture form of shared_dir(): the ../shared folder, or skip."""
    return shared_dir()
