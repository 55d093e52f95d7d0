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


# --- the import graph: no cycles, runtime never imports offline tooling --------------------------

PROJECT = ("ingest", "nlp", "api", "models")
OFFLINE = ("nlp.training", "nlp.evaluation")
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project packages (migrations aside), by dotted name."""
    return {
        _module_name(path): path
        for package in PROJECT
        for path in sorted((REPO / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


def _resolve(module: str, node: ast.ImportFrom, *, package: bool) -> str:
    """The absolute name an ImportFrom's module stands for (relative imports resolved; in a
    package's __init__, `.` is the package itself)."""
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    base = parts[: len(parts) - node.level + (1 if package else 0)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """Project modules `module` imports anywhere in its file: at module level, in functions,
    under TYPE_CHECKING. `from pkg import name` counts as pkg.name when that is a module."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node, package=path.name == "__init__.py")
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                out.add(sub if sub in known else source)
    return {name for name in out if name in known and name != module}


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_cycle_finder_sees_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from b import g\n", encoding="utf-8")
    b = tmp_path / "b.py"
    b.write_text("import a\n", encoding="utf-8")
    graph = {"a": imports_of("a", a, {"a", "b"}), "b": imports_of("b", b, {"a", "b"})}
    assert graph == {"a": {"b"}, "b": {"a"}}
    assert cycles(graph) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_runtime_nlp_never_imports_training_or_evaluation() -> None:
    graph = import_graph()
    offenders = {
        name: sorted(t for t in targets if t.startswith(OFFLINE))
        for name, targets in graph.items()
        if name.startswith("nlp") and not name.startswith(OFFLINE)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_graph_sees_the_packages_and_their_edges() -> None:
    graph = import_graph()
    assert "nlp.claims.frames" in graph["nlp.claims.extract"]
    assert "nlp.sentiment.embedded" in graph["nlp.sentiment.registry"]
    assert "nlp.training.recipe" in graph["api.cli.sentiment"]  # a function-level import


# --- the layout: capabilities are folders; flat prefixes do not come back -----------------------

# Modules allowed at a package's top level; everything else lives in a subpackage (new
# subpackages, e.g. nlp/narratives/, api/http/, ingest/market/, are welcome).
TOP_LEVEL = {
    "nlp": {
        "__init__",
        "pipeline",
        "stages",
        "types",
        "sentences",
        "loading",
        "settings",
        "errors",
    },
    "api": {"__init__", "context"},
}


@pytest.mark.parametrize("package", sorted(TOP_LEVEL))
def test_top_level_modules(package: str) -> None:
    found = {p.stem for p in (REPO / package).glob("*.py")}
    assert found - TOP_LEVEL[package] == set()


def test_no_module_over_the_line_limit() -> None:
    long = {
        str(path.relative_to(REPO)): n
        for package in (*PROJECT, "bench", "tests")
        for path in (REPO / package).rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
