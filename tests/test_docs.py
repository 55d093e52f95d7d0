"""Documentation stays true: every setting is in the README's settings table."""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "ingest", "nlp", "api")


def _settings_classes() -> list[type[BaseSettings]]:
    found: dict[str, type[BaseSettings]] = {}
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
            if not info.name.endswith("settings"):
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, BaseSettings)
                    and value is not BaseSettings
                    and value.__module__ == module.__name__
                ):
                    found[f"{value.__module__}.{value.__name__}"] = value
    return list(found.values())


def _env_names() -> list[str]:
    names = []
    for cls in _settings_classes():
        prefix = cls.model_config.get("env_prefix", "")
        names.extend(f"{prefix}{field}".upper() for field in cls.model_fields)
    return sorted(set(names))


def test_settings_are_discovered() -> None:
    assert "TIDINGS_DATABASE_URL" in _env_names()


@pytest.mark.parametrize("env_name", _env_names())
def test_setting_documented_in_readme(env_name: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^\| `{env_name}` \|", readme, re.MULTILINE), (
        f"{env_name} is missing from the README's settings table"
    )


def test_readme_first_screen_has_the_two_commands() -> None:
    first_screen = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:25])
    assert "make run" in first_screen
    assert "make test" in first_screen


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)
