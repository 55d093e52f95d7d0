"""The knowledge base: built-in data integrity, surface-form rules, user files and errors."""

from collections import defaultdict
from pathlib import Path

import pytest

from nlp.entities.kb import (
    ENTITY_TYPES,
    ID_PATTERN,
    SURFACE_KINDS,
    KBEntity,
    KnowledgeBase,
    dump_user_entity,
    entity_from_dict,
    load_entities_file,
)
from nlp.errors import KnowledgeBaseError

KB = KnowledgeBase.builtin()

US_SPOT_BITCOIN_ETFS = {
    "etf:ibit": ("IBIT", "company:blackrock"),
    "etf:fbtc": ("FBTC", "company:fidelity"),
    "etf:gbtc": ("GBTC", "company:grayscale"),
    "etf:grayscale-bitcoin-mini": (None, "company:grayscale"),
    "etf:bitb": ("BITB", "company:bitwise"),
    "etf:arkb": ("ARKB", "company:21shares"),
    "etf:hodl": ("HODL", "company:vaneck"),
    "etf:brrr": ("BRRR", "company:coinshares"),
    "etf:ezbc": ("EZBC", "company:franklin-templeton"),
    "etf:btco": ("BTCO", "company:invesco"),
    "etf:btcw": ("BTCW", "company:wisdomtree"),
    "etf:defi": ("DEFI", "company:hashdex"),
}
US_SPOT_ETHER_ETFS = {
    "etf:etha": ("ETHA", "company:blackrock"),
    "etf:feth": ("FETH", "company:fidelity"),
    "etf:ethe": ("ETHE", "company:grayscale"),
    "etf:grayscale-ethereum-mini": (None, "company:grayscale"),
    "etf:ethw": ("ETHW", "company:bitwise"),
    "etf:ceth": ("CETH", "company:21shares"),
    "etf:ethv": ("ETHV", "company:vaneck"),
    "etf:qeth": ("QETH", "company:invesco"),
    "etf:ezet": ("EZET", "company:franklin-templeton"),
}


def _forms_by_kind() -> dict[str, dict[str, set[str]]]:
    """Surface -> entity ids, per kind; case-insensitive aliases keyed casefolded."""
    table: dict[str, dict[str, set[str]]] = {k: defaultdict(set) for k in SURFACE_KINDS}
    for surface, entity_id, kind in KB.surface_forms():
        key = surface.casefold() if kind == "alias" else surface
        table[kind][key].add(entity_id)
    return table


FORMS = _forms_by_kind()


def test_builtin_has_at_least_400_unique_entities() -> None:
    ids = [e.id for e in KB]
    assert len(KB) >= 400
    assert len(ids) == len(set(ids)) == len(KB)


def test_builtin_is_cached_and_load_matches_it() -> None:
    assert KnowledgeBase.builtin() is KB
    assert KnowledgeBase.load().version == KB.version


@pytest.mark.parametrize("entity", list(KB), ids=lambda e: e.id)
def test_entity_is_well_formed(entity: KBEntity) -> None:
    assert ID_PATTERN.match(entity.id)
    assert entity.type in ENTITY_TYPES
    assert entity.name.strip() == entity.name != ""
    for ref in (entity.issuer, entity.underlying):
        assert ref is None or ref in KB, f"{entity.id} refers to missing {ref}"


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_every_type_is_populated(entity_type: str) -> None:
    assert sum(1 for e in KB if e.type == entity_type) >= 10


@pytest.mark.parametrize("kind", SURFACE_KINDS)
def test_each_surface_maps_to_one_entity(kind: str) -> None:
    shared = {s: ids for s, ids in FORMS[kind].items() if len(ids) > 1}
    assert shared == {}


def test_exact_case_forms_never_shadowed_by_another_entitys_alias() -> None:
    """A ticker or case-sensitive alias never equals, ignoring case, another entity's alias."""
    clashes = []
    for kind in ("alias_cs", "ticker", "ambiguous_ticker"):
        for surface, ids in FORMS[kind].items():
            other = FORMS["alias"].get(surface.casefold(), set()) - ids
            if other:
                clashes.append((surface, ids, other))
    assert clashes == []


def test_tickers_and_case_sensitive_aliases_do_not_collide() -> None:
    exact = ("alias_cs", "ticker", "ambiguous_ticker")
    owners: dict[str, set[str]] = defaultdict(set)
    for kind in exact:
        for surface, ids in FORMS[kind].items():
            owners[surface] |= ids
    assert {s: ids for s, ids in owners.items() if len(ids) > 1} == {}


@pytest.mark.parametrize(
    ("group", "members"),
    [
        ("etf:us-spot-bitcoin-etfs", US_SPOT_BITCOIN_ETFS),
        ("etf:us-spot-ether-etfs", US_SPOT_ETHER_ETFS),
    ],
)
def test_every_us_spot_etf_is_present_with_issuer(group: str, members: dict) -> None:
    group_entity = KB.get(group)
    assert group_entity is not None and group_entity.type == "ETF"
    for etf_id, (ticker, issuer) in members.items():
        etf = KB.get(etf_id)
        assert etf is not None, etf_id
        assert etf.type == "ETF"
        assert etf.issuer == issuer
        assert KB.get(issuer) is not None and KB.get(issuer).type == "COMPANY"  # type: ignore[union-attr]
        assert etf.underlying == group_entity.underlying
        assert (ticker in etf.tickers + etf.ambiguous_tickers) if ticker else not etf.tickers


@pytest.mark.parametrize(
    ("surface", "kind", "entity_id"),
    [
        ("bitcoin", "alias", "crypto:btc"),
        ("BTC", "ticker", "crypto:btc"),
        ("USDT", "ticker", "crypto:usdt"),
        ("LINK", "ambiguous_ticker", "crypto:link"),
        ("OP", "ambiguous_ticker", "crypto:op"),
        ("Fed", "alias_cs", "org:federal-reserve"),
        ("ARK", "alias_cs", "company:ark-invest"),
        ("glassnode", "alias", "company:glassnode"),
        ("htx", "alias", "exchange:htx"),
        ("huobi", "alias", "exchange:htx"),
        ("us-listed bitcoin etfs", "alias", "etf:us-spot-bitcoin-etfs"),
        ("10.11 crash", "alias", "event:2025-10-10-crash"),
        ("general account", "alias", "macro:tga"),
        ("us stocks", "alias", "market:us-stocks"),
        ("curve finance", "alias", "protocol:curve"),
        ("Curve", "alias_cs", "protocol:curve"),
        ("ki young ju", "alias", "person:ki-young-ju"),
        ("IBIT", "ticker", "etf:ibit"),
    ],
)
def test_surface_forms_link_as_expected(surface: str, kind: str, entity_id: str) -> None:
    assert FORMS[kind][surface] == {entity_id}


@pytest.mark.parametrize(
    ("surface", "entity_id"),
    [("curve", "protocol:curve"), ("fed", "org:federal-reserve"), ("ark", "company:ark-invest")],
)
def test_name_listed_as_case_sensitive_is_not_a_loose_alias(surface: str, entity_id: str) -> None:
    assert entity_id not in FORMS["alias"].get(surface, set())


def test_grayscale_mini_trusts_do_not_take_coin_tickers() -> None:
    assert FORMS["ticker"]["BTC"] == {"crypto:btc"}
    assert FORMS["ticker"]["ETH"] == {"crypto:eth"}


def _write(path: Path, text: str) -> Path:
    """Write a YAML fixture file and return its path."""
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_adds_and_overrides(tmp_path: Path) -> None:
    user = _write(
        tmp_path / "user.yaml",
        "- {id: person:jane-analyst, name: Jane Analyst, type: PERSON, aliases: [J. Analyst]}\n"
        "- {id: crypto:btc, name: Bitcoin (BTC), type: CRYPTO_ASSET, tickers: [BTC]}\n",
    )
    kb = KnowledgeBase.load(user_file=user)
    assert len(kb) == len(KB) + 1
    assert kb.get("person:jane-analyst") == KBEntity(
        id="person:jane-analyst", name="Jane Analyst", type="PERSON", aliases=("J. Analyst",)
    )
    btc = kb.get("crypto:btc")
    assert btc is not None and btc.name == "Bitcoin (BTC)" and btc.aliases == ()
    assert kb.version != KB.version


def test_extra_entities_override_user_file(tmp_path: Path) -> None:
    user = _write(tmp_path / "user.yaml", "- {id: org:x, name: X One, type: ORGANIZATION}\n")
    extra = KBEntity(id="org:x", name="X Two", type="ORGANIZATION")
    kb = KnowledgeBase.load(user_file=user, extra=[extra])
    assert kb.get("org:x") == extra


def test_version_is_stable_and_tracks_content() -> None:
    same = KnowledgeBase(list(KB))
    assert same.version == KB.version
    changed = KnowledgeBase([*KB, KBEntity(id="org:new", name="New", type="ORGANIZATION")])
    assert changed.version != KB.version
    renamed = KnowledgeBase(
        [KBEntity(id="crypto:btc", name="Bitcoin", type="CRYPTO_ASSET", tags=("x",))]
    )
    assert renamed.version != KnowledgeBase([KB.get("crypto:btc")]).version  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- {id: BTC, name: Bitcoin, type: CRYPTO_ASSET}\n", "entry #1: id 'BTC': id 'BTC' is not"),
        ("- {id: crypto:x, name: X, type: COIN}\n", "entry #1: id 'crypto:x': type 'COIN'"),
        ("- {id: crypto:x, name: '  ', type: CRYPTO_ASSET}\n", "'name' must be a non-empty string"),
        (
            "- {id: crypto:x, name: X, type: CRYPTO_ASSET, tickers: BTC}\n",
            "'tickers' must be a list",
        ),
        ("- {id: crypto:x, name: X, type: CRYPTO_ASSET, tickers: [ON]}\n", "'tickers' holds True"),
        ("- {id: crypto:x, name: X, type: CRYPTO_ASSET, colour: red}\n", "unknown key(s) colour"),
        ("- {id: etf:x, name: X, type: ETF, issuer: BlackRock}\n", "issuer 'BlackRock' is not"),
        (
            "- {id: a:b, name: A, type: EVENT}\n- {id: a:b, name: B, type: EVENT}\n",
            "#2: duplicate id",
        ),
        ("- just a string\n", "entry #1: entry 'just a string': expected a mapping"),
        ("{id: a:b}\n", "expected a list of entities, got dict"),
        ("- {id: a:b, name: [unclosed\n", "not valid YAML"),
    ],
)
def test_malformed_user_file_names_file_and_entry(tmp_path: Path, text: str, fragment: str) -> None:
    path = _write(tmp_path / "bad.yaml", text)
    with pytest.raises(KnowledgeBaseError) as info:
        KnowledgeBase.load(user_file=path)
    assert str(path) in str(info.value)
    assert fragment in str(info.value)


def test_unreadable_user_file_is_a_knowledge_base_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        load_entities_file(path)
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        load_entities_file(tmp_path / "missing.yaml")


def test_empty_user_file_adds_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.yaml", "# nothing yet\n")
    assert KnowledgeBase.load(user_file=path).version == KB.version


def test_entity_from_dict_strips_and_dedupes() -> None:
    entity = entity_from_dict(
        {"id": "crypto:abc", "name": " Abc ", "type": "CRYPTO_ASSET", "aliases": ["abc", "abc "]}
    )
    assert entity == KBEntity(id="crypto:abc", name="Abc", type="CRYPTO_ASSET", aliases=("abc",))


def test_dump_user_entity_appends_then_replaces(tmp_path: Path) -> None:
    path = tmp_path / "kb" / "user.yaml"
    first = KBEntity(
        id="company:acme", name="Acme: Corp", type="COMPANY", tickers=("ACME",), tags=("x",)
    )
    other = KBEntity(id="person:a-b", name="A B", type="PERSON")
    dump_user_entity(path, first)
    dump_user_entity(path, other)
    assert load_entities_file(path) == [first, other]
    updated = KBEntity(id="company:acme", name="Acme", type="COMPANY", issuer="company:parent")
    dump_user_entity(path, updated)
    assert load_entities_file(path) == [updated, other]
    assert sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line[:2] == "- ") == 2
    assert KnowledgeBase.load(user_file=path).get("company:acme") == updated


def test_dump_refuses_to_overwrite_a_malformed_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "user.yaml", "- {id: nope, name: X, type: PERSON}\n")
    with pytest.raises(KnowledgeBaseError):
        dump_user_entity(path, KBEntity(id="person:x", name="X", type="PERSON"))
    assert path.read_text(encoding="utf-8") == "- {id: nope, name: X, type: PERSON}\n"
