"""The entity knowledge base: canonical entities with aliases and tickers, loaded from YAML data.

Built-in data lives in `nlp/kb/*.yaml` (one list of mappings per file, split by domain). A user
file in the same format and extra entities (e.g. from the database) can be layered on top; a later
entity replaces an earlier one with the same id.

Surface-form rules the linker relies on:
- `name` and `aliases` match case-insensitively, except that a name equal to one of the
  `case_sensitive_aliases` is only matched with that exact case (e.g. "Curve", "Compound").
- `case_sensitive_aliases` match with exact case ("Fed", "ARK").
- `tickers` match case-sensitively, also as `$BTC`, `BTC-USDT`, `(BTC)`.
- `ambiguous_tickers` are tickers that are also English words or common acronyms; they need
  context (a cashtag, a pair, a price nearby) before they link.

Tags the code reads: `group` (an entity standing for several, e.g. all US spot bitcoin ETFs) and
`unit` (the entity's tickers are read as the unit of a quantity, "2,043 BTC": nlp/claims/numbers).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nlp.errors import KnowledgeBaseError

ENTITY_TYPES = (
    "CRYPTO_ASSET",
    "EXCHANGE",
    "ETF",
    "COMPANY",
    "PROTOCOL",
    "PERSON",
    "ORGANIZATION",
    "GOV_BODY",
    "MACRO_INDICATOR",
    "MARKET_INDEX",
    "EVENT",
    "COUNTRY_MARKET",
)

SURFACE_KINDS = ("alias", "alias_cs", "ticker", "ambiguous_ticker")

# `prefix:slug`, lower case, so ids stay stable and URL-safe.
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*:[a-z0-9][a-z0-9._-]*$")

# Beside this module rather than via importlib.resources: `nlp` may be a namespace package.
_DATA_DIR = Path(__file__).resolve().parent


try:  # the C loader is ~10x faster; fall back to pure Python where libyaml is absent
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class KBEntity:
    """One canonical entity: its id, display name, type and the forms it appears under."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    ambiguous_tickers: tuple[str, ...] = ()
    case_sensitive_aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    issuer: str | None = None
    underlying: str | None = None
    description: str | None = None


_KNOWN_KEYS = frozenset(f.name for f in fields(KBEntity))


def _string_tuple(value: Any, *, key: str) -> tuple[str, ...]:
    """A list of non-empty strings as a tuple; raises ValueError naming `key` otherwise."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list):
        raise ValueError(f"{key!r} must be a list of strings")
    items: list[str] = []
    for item in value:
        # YAML reads bare 1INCH or 0.5 as numbers; only strings are names.
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{key!r} holds {item!r}, expected a non-empty string")
        if item.strip() not in items:
            items.append(item.strip())
    return tuple(items)


def _optional_string(value: Any, *, key: str) -> str | None:
    """A non-empty string or None; raises ValueError naming `key` otherwise."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key!r} must be a non-empty string")
    return value.strip()


def _check_required(data: Mapping[str, Any]) -> tuple[str, str, str]:
    """Validate id, name and type; returns them stripped."""
    unknown = sorted(str(k) for k in data if k not in _KNOWN_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}")
    entity_id = _optional_string(data.get("id"), key="id")
    if entity_id is None or not ID_PATTERN.match(entity_id):
        raise ValueError(f"id {data.get('id')!r} is not of the form prefix:slug (lower case)")
    name = _optional_string(data.get("name"), key="name")
    if name is None:
        raise ValueError("name is missing or empty")
    entity_type = data.get("type")
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"type {entity_type!r} is not one of {', '.join(ENTITY_TYPES)}")
    return entity_id, name, str(entity_type)


def _build_entity(data: Mapping[str, Any]) -> KBEntity:
    """Construct a KBEntity from a mapping; raises ValueError on any invalid field."""
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a mapping, got {type(data).__name__}")
    entity_id, name, entity_type = _check_required(data)
    issuer = _optional_string(data.get("issuer"), key="issuer")
    underlying = _optional_string(data.get("underlying"), key="underlying")
    for key, ref in (("issuer", issuer), ("underlying", underlying)):
        if ref is not None and not ID_PATTERN.match(ref):
            raise ValueError(f"{key} {ref!r} is not an entity id (prefix:slug)")
    return KBEntity(
        id=entity_id,
        name=name,
        type=entity_type,
        aliases=_string_tuple(data.get("aliases"), key="aliases"),
        tickers=_string_tuple(data.get("tickers"), key="tickers"),
        ambiguous_tickers=_string_tuple(data.get("ambiguous_tickers"), key="ambiguous_tickers"),
        case_sensitive_aliases=_string_tuple(
            data.get("case_sensitive_aliases"), key="case_sensitive_aliases"
        ),
        tags=_string_tuple(data.get("tags"), key="tags"),
        issuer=issuer,
        underlying=underlying,
        description=_optional_string(data.get("description"), key="description"),
    )


def entity_from_dict(data: Mapping[str, Any], *, source: str = "entity") -> KBEntity:
    """Validate one entry into a KBEntity; KnowledgeBaseError names `source` and the entry."""
    try:
        return _build_entity(data)
    except ValueError as exc:
        entry_id = data.get("id") if isinstance(data, Mapping) else None
        label = f"id {entry_id!r}" if entry_id else f"entry {data!r}"[:200]
        raise KnowledgeBaseError(f"{source}: {label}: {exc}") from None


def entity_to_dict(entity: KBEntity) -> dict[str, Any]:
    """The compact mapping form of an entity (empty fields left out), as written to YAML."""
    out: dict[str, Any] = {}
    for key, value in asdict(entity).items():
        if value in ((), None):
            continue
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _parse_yaml(text: str, *, source: str) -> list[Any]:
    """Parse a KB YAML document into its list of entries; empty documents give []."""
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{source}: not valid YAML: {exc}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise KnowledgeBaseError(
            f"{source}: expected a list of entities, got {type(data).__name__}"
        )
    return data


def _entities_from_text(text: str, *, source: str) -> list[KBEntity]:
    """Every entity in one YAML document; duplicate ids inside one document are an error."""
    entities: list[KBEntity] = []
    seen: set[str] = set()
    for index, entry in enumerate(_parse_yaml(text, source=source), start=1):
        entity = entity_from_dict(entry, source=f"{source}, entry #{index}")
        if entity.id in seen:
            raise KnowledgeBaseError(f"{source}, entry #{index}: duplicate id {entity.id!r}")
        seen.add(entity.id)
        entities.append(entity)
    return entities


def load_entities_file(path: Path) -> list[KBEntity]:
    """Every entity in one KB YAML file; KnowledgeBaseError on unreadable or malformed data."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeBaseError(f"{path}: cannot read knowledge-base file: {exc}") from None
    return _entities_from_text(text, source=str(path))


def _builtin_entities() -> list[KBEntity]:
    """The entities shipped in nlp/kb/*.yaml, files in name order; ids must be unique."""
    folder = _DATA_DIR
    entities: list[KBEntity] = []
    owner: dict[str, str] = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        for entity in _entities_from_text(item.read_text(encoding="utf-8"), source=item.name):
            if entity.id in owner:
                raise KnowledgeBaseError(
                    f"{item.name}: entry {entity.id!r} duplicates an id from {owner[entity.id]}"
                )
            owner[entity.id] = item.name
            entities.append(entity)
    return entities


class KnowledgeBase:
    """An id-indexed, ordered set of entities plus the surface forms the linker matches."""

    def __init__(self, entities: Iterable[KBEntity]) -> None:
        """Index `entities`; a later entity with an id already seen replaces the earlier one."""
        self._by_id: dict[str, KBEntity] = {}
        for entity in entities:
            self._by_id[entity.id] = entity
        payload = json.dumps([entity_to_dict(e) for e in self._by_id.values()], sort_keys=True)
        self.version: str = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    @classmethod
    def load(
        cls, *, user_file: Path | None = None, extra: Iterable[KBEntity] = ()
    ) -> KnowledgeBase:
        """Built-in data, then the user file (if given), then `extra`; later ids override."""
        entities = list(_builtin_entities())
        if user_file is not None:
            entities.extend(load_entities_file(user_file))
        entities.extend(extra)
        return cls(entities)

    @classmethod
    def builtin(cls) -> KnowledgeBase:
        """The built-in knowledge base, loaded once per process."""
        return _cached_builtin()

    def get(self, entity_id: str) -> KBEntity | None:
        """The entity with this id, or None."""
        return self._by_id.get(entity_id)

    def __iter__(self) -> Iterator[KBEntity]:
        """Entities in load order."""
        return iter(self._by_id.values())

    def __len__(self) -> int:
        """Number of distinct entity ids."""
        return len(self._by_id)

    def __contains__(self, entity_id: object) -> bool:
        """Whether an entity with this id is loaded."""
        return entity_id in self._by_id

    def tagged_tickers(self, tag: str) -> list[str]:
        """Every ticker (ambiguous ones too) of the entities carrying `tag`, in load order."""
        return [t for e in self._by_id.values() if tag in e.tags
                for t in (*e.tickers, *e.ambiguous_tickers)]  # fmt: skip

    def surface_forms(self) -> list[tuple[str, str, str]]:
        """Every (surface, entity_id, kind) the linker should match; kind is in SURFACE_KINDS."""
        forms: list[tuple[str, str, str]] = []
        for entity in self._by_id.values():
            forms.extend((s, entity.id, kind) for s, kind in _entity_surfaces(entity))
        return forms


def _entity_surfaces(entity: KBEntity) -> list[tuple[str, str]]:
    """The (surface, kind) pairs of one entity, each surface once per kind."""
    pairs: list[tuple[str, str]] = []
    cs_folded = {a.casefold() for a in entity.case_sensitive_aliases}
    seen_ci: set[str] = set()
    candidates = [] if entity.name.casefold() in cs_folded else [entity.name]
    for alias in [*candidates, *entity.aliases]:
        if alias.casefold() not in seen_ci:
            seen_ci.add(alias.casefold())
            pairs.append((alias, "alias"))
    pairs.extend((a, "alias_cs") for a in entity.case_sensitive_aliases)
    pairs.extend((t, "ticker") for t in entity.tickers)
    pairs.extend((t, "ambiguous_ticker") for t in entity.ambiguous_tickers)
    return pairs


@lru_cache(maxsize=1)
def _cached_builtin() -> KnowledgeBase:
    """Load the built-in KB once."""
    return KnowledgeBase.load()


def _entity_line(entity: KBEntity) -> str:
    """One entity as a single-line YAML flow mapping list item."""
    flow = yaml.safe_dump(
        entity_to_dict(entity),
        default_flow_style=True,
        sort_keys=False,
        width=10**6,
        allow_unicode=True,
    )
    return f"- {flow.strip()}\n"


def dump_user_entity(path: Path, entity: KBEntity) -> None:
    """Add `entity` to the user YAML file at `path`, replacing an entry with the same id."""
    existing = load_entities_file(path) if path.exists() else []
    merged = [entity if e.id == entity.id else e for e in existing]
    if all(e.id != entity.id for e in existing):
        merged.append(entity)
    text = "# tidings user knowledge base: one entity per line, same format as nlp/kb/*.yaml\n"
    text += "".join(_entity_line(e) for e in merged)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target, then rename, so a crash never leaves a half-written file.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp_name).replace(path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
