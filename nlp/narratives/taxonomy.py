"""The narrative taxonomy: built-in YAML plus an optional user YAML file.

A file holds `narratives:`, a list of mappings with `id`, `name`, `description`, `seeds` (example
sentences; their embeddings are the narrative's prototypes) and `keywords` (lower-case words or
phrases, `*` at the end matches any ending). A user narrative whose id is built-in replaces it.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlp.errors import NlpError

BUILTIN_FILE = Path(__file__).resolve().parent / "taxonomy.yaml"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*(:[a-z0-9][a-z0-9-]*)?$")
KEYS = {"id", "name", "description", "seeds", "keywords"}


class NarrativeError(NlpError):
    """A narrative file is malformed; the message names the file, entry and line."""


@dataclass(frozen=True)
class NarrativeDef:
    """One narrative: what it is about, example sentences and cue keywords."""

    id: str
    name: str
    description: str
    seeds: tuple[str, ...]
    keywords: tuple[str, ...]
    kind: str = "built-in"  # built-in | user | discovered

    def to_dict(self) -> dict[str, Any]:
        """The YAML form of this narrative."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "seeds": list(self.seeds),
            "keywords": list(self.keywords),
        }


def _strings(value: Any, *, key: str, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (not value and required):
        raise ValueError(f"{key!r} must be a non-empty list of strings")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{key!r} holds {item!r}, expected a non-empty string")
    return tuple(v.strip() for v in value)


def narrative_from_dict(data: Any, *, kind: str) -> NarrativeDef:
    """A NarrativeDef from one YAML mapping; ValueError says what is wrong."""
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a mapping, got {type(data).__name__}")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(map(str, unknown))}")
    nid = data.get("id")
    if not isinstance(nid, str) or not ID_RE.match(nid):
        raise ValueError(f"id {nid!r} must be lower-case letters, digits and '-'")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name is missing or empty")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ValueError("description must be a string")
    seeds = _strings(data.get("seeds"), key="seeds", required=True)
    keywords = _strings(data.get("keywords"), key="keywords", required=False)
    return NarrativeDef(nid, name.strip(), description.strip(), seeds,
                        tuple(k.lower() for k in keywords), kind)  # fmt: skip


def _entries(text: str, *, source: str) -> list[tuple[int, Any]]:
    """(line, mapping) of every entry under `narratives:`."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise NarrativeError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("narratives"), list):
        raise NarrativeError(f"{source}: expected a mapping with a 'narratives:' list")
    lines = [1] * len(data["narratives"])
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "narratives" and isinstance(value, yaml.SequenceNode):
                lines = [node.start_mark.line + 1 for node in value.value]
    return list(zip(lines, data["narratives"], strict=True))


def parse_narratives(text: str, *, source: str, kind: str) -> list[NarrativeDef]:
    """The narratives of one YAML text; NarrativeError names the entry, its line and the reason."""
    out: list[NarrativeDef] = []
    seen: set[str] = set()
    for index, (line, entry) in enumerate(_entries(text, source=source), start=1):
        try:
            narrative = narrative_from_dict(entry, kind=kind)
        except ValueError as exc:
            raise NarrativeError(f"{source}:{line}: narrative #{index}: {exc}") from None
        if narrative.id in seen:
            raise NarrativeError(
                f"{source}:{line}: narrative #{index}: duplicate id {narrative.id!r}"
            )
        seen.add(narrative.id)
        out.append(narrative)
    return out


def load_file(path: Path, *, kind: str = "user") -> list[NarrativeDef]:
    """The narratives of a YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NarrativeError(f"{path}: cannot read narratives file: {exc}") from None
    return parse_narratives(text, source=str(path), kind=kind)


def load_builtin() -> list[NarrativeDef]:
    """The narratives shipped with tidings."""
    return load_file(BUILTIN_FILE, kind="built-in")


@dataclass
class Taxonomy:
    """The narratives in force: built-in, then the user's (which replace same-id built-ins)."""

    narratives: list[NarrativeDef] = field(default_factory=list)

    @classmethod
    def load(cls, user_file: Path | None = None) -> "Taxonomy":
        """Built-in narratives plus those of `user_file` (if given)."""
        merged = {n.id: n for n in load_builtin()}
        if user_file is not None:
            merged.update({n.id: n for n in load_file(user_file, kind="user")})
        return cls(list(merged.values()))

    @classmethod
    def of(cls, narratives: Iterable[NarrativeDef]) -> "Taxonomy":
        """A taxonomy of exactly these narratives."""
        return cls(list(narratives))

    def get(self, narrative_id: str) -> NarrativeDef | None:
        """The narrative with this id, or None."""
        return next((n for n in self.narratives if n.id == narrative_id), None)

    @property
    def version(self) -> str:
        """A short hash of the content: changes whenever any narrative does."""
        digest = hashlib.sha256(repr([n.to_dict() for n in self.narratives]).encode("utf-8"))
        return digest.hexdigest()[:10]


def append_user_narrative(path: Path, narrative: NarrativeDef) -> None:
    """Add (or replace) `narrative` in the user file, creating it when absent."""
    existing = load_file(path) if path.exists() else []
    kept = [n for n in existing if n.id != narrative.id]
    data = {"version": 1, "narratives": [n.to_dict() for n in [*kept, narrative]]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
