"""The design card's import rules: ingest/nlp never import api; nlp has no DB or HTTP code."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "ingest": {"api"},
    "nlp": {"api", "models", "ingest", "sqlmodel", "sqlalchemy", "httpx", "requests", "urllib3"},
    "models": {"api", "ingest", "nlp"},
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(_imported_roots(path) & FORBIDDEN[package])
        for path in (REPO / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_forbidden_import_is_detected(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("import api.cli\nfrom sqlmodel import Session\n", encoding="utf-8")
    assert _imported_roots(sample) == {"api", "sqlmodel"}
