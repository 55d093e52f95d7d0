"""Source registry, OPML and the CLI commands (through typer's runner, on a real SQLite file)."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixture_server import FixtureServer
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.cli import app
from api.context import get_engine
from ingest.errors import SourceError
from ingest.settings import get_ingest_settings
from ingest.sources import (
    BUILTIN_FEEDS,
    add_source,
    ensure_builtin_sources,
    export_opml,
    import_opml,
    list_sources,
    remove_source,
)
from models.settings import get_database_settings
from models.sources import SourceCategory

runner = CliRunner()


def test_builtin_feeds_cover_crypto_and_macro() -> None:
    assert len(BUILTIN_FEEDS) >= 30
    assert len({f.url for f in BUILTIN_FEEDS}) == len(BUILTIN_FEEDS)
    names = {f.name for f in BUILTIN_FEEDS}
    for outlet in ("CoinDesk", "Cointelegraph", "Decrypt", "The Block", "Bitcoin Magazine",
                   "CryptoSlate", "Blockworks", "Fed press releases", "ECB press releases",
                   "US Treasury press", "BLS latest numbers"):  # fmt: skip
        assert outlet in names
    by_category = {c: sum(f.category == c for f in BUILTIN_FEEDS) for c in SourceCategory}
    assert by_category[SourceCategory.CRYPTO] >= 15
    assert by_category[SourceCategory.MACRO] >= 8
    assert all(f.url.startswith("https://") for f in BUILTIN_FEEDS)


def test_builtins_seeded_once_and_removal_respected(engine: Engine) -> None:
    assert ensure_builtin_sources(engine) == len(BUILTIN_FEEDS)
    remove_source(engine, "CoinDesk")
    assert ensure_builtin_sources(engine) == 0
    assert len(list_sources(engine)) == len(BUILTIN_FEEDS) - 1


def test_add_list_remove(engine: Engine) -> None:
    source = add_source(engine, " https://feeds.example/rss ", category=SourceCategory.MACRO)
    assert (source.name, source.url, source.category) == (
        "feeds.example",
        "https://feeds.example/rss",
        SourceCategory.MACRO,
    )
    with pytest.raises(SourceError, match="already registered"):
        add_source(engine, "https://feeds.example/rss")
    with pytest.raises(SourceError, match="not an http"):
        add_source(engine, "file:///etc/passwd")
    with pytest.raises(SourceError, match="no source match"):
        remove_source(engine, "nothing")
    assert remove_source(engine, str(source.id)) == "removed 'feeds.example'"
    assert list_sources(engine) == []


def test_opml_round_trip(engine: Engine, tmp_path: Path) -> None:
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="Macro"><outline text="Fed" xmlUrl="https://fed.example/rss"/></outline>'
        '<outline text="Chain" title="Chain News" xmlUrl="https://chain.example/feed"'
        ' category="crypto"/>'
        '<outline text="Stocks" xmlUrl="https://stocks.example/rss" category="/equities"/>'
        '<outline text="Bad" xmlUrl="javascript:alert(1)"/>'
        "</body></opml>"
    )
    assert import_opml(engine, opml) == (3, 1)
    assert [(s.name, s.category) for s in list_sources(engine)] == [
        ("Fed", SourceCategory.MACRO), ("Chain News", SourceCategory.CRYPTO),
        ("Stocks", SourceCategory.EQUITIES)]  # fmt: skip
    exported = tmp_path / "out.opml"
    exported.write_text(export_opml(engine))
    other = tmp_path / "other.db"
    from models.db import init_engine

    second = init_engine(f"sqlite:///{other}")
    assert import_opml(second, exported) == (3, 0)
    assert [(s.name, s.url, s.category) for s in list_sources(second)] == [
        (s.name, s.url, s.category) for s in list_sources(engine)
    ]


def test_bad_opml_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body>&a;</body></opml>')
    with pytest.raises(SourceError, match="cannot read OPML"):
        import_opml(engine, bomb)


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the CLI at a fresh database with test crawler settings."""
    db = tmp_path / "cli.db"
    for key, value in {"DATABASE_URL": f"sqlite:///{db}", "ALLOW_PRIVATE_ADDRESSES": "true",
                       "BUILTIN_SOURCES": "false", "POLITENESS_DELAY_S": "0"}.items():  # fmt: skip
        monkeypatch.setenv(f"TIDINGS_{key}", value)
    caches = (get_engine, get_database_settings, get_ingest_settings)
    for cached in caches:
        cached.cache_clear()
    yield db
    for cached in caches:
        cached.cache_clear()


def test_cli_sources_ingest_stats(cli_db: Path, server: FixtureServer) -> None:
    result = runner.invoke(
        app,
        [
            "sources",
            "add",
            f"{server.base}/feeds/rss20.xml",
            "--name",
            "Fixture",
            "--category",
            "crypto",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added source 1: Fixture")
    again = runner.invoke(app, ["sources", "add", f"{server.base}/feeds/rss20.xml"])
    assert again.exit_code == 1
    listed = json.loads(runner.invoke(app, ["sources", "list", "--json"]).output)
    assert [(s["id"], s["name"], s["category"]) for s in listed] == [(1, "Fixture", "crypto")]
    once = runner.invoke(app, ["ingest", "once"])
    assert once.exit_code == 0, once.output
    assert "Fixture" in once.output and "fetched" in once.output
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert stats == {"sources": 1, "sources_enabled": 1, "sources_failing": 0, "articles": 3,
                     "duplicates": 0, "unprocessed": 3, "queued": 0, "failed": 0,
                     "fetches": 5}  # fmt: skip
    removed = runner.invoke(app, ["sources", "remove", "Fixture"])
    assert removed.output.strip() == "disabled 'Fixture': 3 stored articles keep pointing at it"
    opml = runner.invoke(app, ["sources", "export-opml"])
    assert "Fixture" not in opml.output and opml.output.startswith("<?xml")


def test_cli_import_reports_counts(cli_db: Path) -> None:
    from fixture_server import FIXTURES

    result = runner.invoke(
        app, ["import", str(FIXTURES / "import" / "records.json"), "--published", "2024-01-01"]
    )
    assert result.exit_code == 0, result.output
    assert "1 files, 4 records: 2 new, 0 duplicates, 0 already stored, 2 failed" in result.output
    bad = runner.invoke(
        app, ["import", str(FIXTURES / "import" / "records.json"), "--published", "yesterday-ish"]
    )
    assert bad.exit_code == 2
