"""Names the KB does not know: stored as uncurated entities, searchable, listed and promoted."""

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

import api.cli  # noqa: F401 - registers the command modules
from api.cli.groups import app
from api.context import get_engine
from api.http.queries import ArticleQuery, search_articles
from api.services.claims_search import ClaimQuery, search_claims
from api.services.processing import process_articles
from models.analysis import Entity
from models.articles import Article
from models.db import session_scope
from models.settings import get_database_settings
from nlp.pipeline import Analyzer
from nlp.settings import get_nlp_settings
from tests.conftest import served

TEXTS = [
    "Maria Lopez, a strategist at Quillfeather Capital, expects Bitcoin to reach $150,000. "
    "Lopez said inflows will return.",
    "Maria Lopez warned that Ether could fall to $2,000.",
]
runner = CliRunner()


def _store(engine: Engine, analyzer: Analyzer) -> None:
    with session_scope(engine) as session:
        session.add_all(
            Article(url=f"https://example.test/{i}", text=t, content_hash=f"u{i}",
                    published_at=datetime(2025, 11, 5, tzinfo=UTC))
            for i, t in enumerate(TEXTS)
        )  # fmt: skip
    stats = process_articles(engine, analyzer=analyzer)
    assert (stats.done, stats.failed) == (2, 0)


def test_unknown_names_are_stored_uncurated_with_counts_and_searchable(
    engine: Engine, analyzer: Analyzer
) -> None:
    _store(engine, analyzer)
    with Session(engine) as session:
        lopez = session.get(Entity, "person:maria-lopez")
        firm = session.get(Entity, "org:quillfeather-capital")
        btc = session.get(Entity, "crypto:btc")
        assert lopez is not None and (lopez.name, lopez.curated, lopez.mention_count) == (
            "Maria Lopez", False, 3)  # fmt: skip
        assert firm is not None and not firm.curated and firm.mention_count == 1
        assert btc is not None and btc.curated
        articles = search_articles(session, ArticleQuery(entity="person:maria-lopez", limit=10))
        assert len(articles) == 2
        said = search_claims(session, ClaimQuery(entity="person:maria-lopez"))
        assert {hit.claim.attributed_to for hit in said} == {"Maria Lopez"}
    with served(engine) as base:
        listed = httpx.get(f"{base}/api/v1/entities", params={"curated": "false"}).json()
        assert {(e["id"], e["curated"], e["mention_count"]) for e in listed["items"]} >= {
            ("person:maria-lopez", False, 3), ("org:quillfeather-capital", False, 1)}  # fmt: skip
        assert all(not e["curated"] for e in listed["items"])
        one = httpx.get(f"{base}/api/v1/entities/person:maria-lopez").json()
        assert (one["curated"], one["articles"]) == (False, 2)
        bad = httpx.get(f"{base}/api/v1/entities", params={"curated": "maybe"})
        assert bad.status_code == 422 and bad.json()["param"] == "curated"


def test_list_uncurated_and_promote_into_the_user_kb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, analyzer: Analyzer
) -> None:
    kb_file = tmp_path / "user-kb.yaml"
    monkeypatch.setenv("TIDINGS_DATABASE_URL", f"sqlite:///{tmp_path / 'u.db'}")
    monkeypatch.setenv("TIDINGS_USER_KB_FILE", str(kb_file))
    for cached in (get_engine, get_database_settings, get_nlp_settings):
        cached.cache_clear()
    try:
        _store(get_engine(), analyzer)
        listed = runner.invoke(app, ["entities", "list", "--uncurated"], env={"COLUMNS": "200"})
        assert listed.exit_code == 0, listed.output
        assert "person:maria-lopez" in listed.output and "org:quillfeather-capital" in listed.output
        first = [line for line in listed.output.splitlines() if "person:" in line or "org:" in line]
        assert "person:maria-lopez" in first[0]  # most mentioned first
        done = runner.invoke(
            app, ["entities", "promote", "person:maria-lopez"], env={"COLUMNS": "400"}
        )
        assert done.exit_code == 0, done.output
        assert "promoted person:maria-lopez" in done.output and str(kb_file) in done.output
        assert "person:maria-lopez" in kb_file.read_text(encoding="utf-8")
        after = runner.invoke(app, ["entities", "list", "--uncurated"], env={"COLUMNS": "200"})
        assert "person:maria-lopez" not in after.output
        shown = runner.invoke(app, ["entities", "show", "person:maria-lopez"])
        assert shown.exit_code == 0 and "user-file" in shown.output
        retyped = runner.invoke(
            app, ["entities", "promote", "org:quillfeather-capital", "--type", "COMPANY"]
        )
        assert retyped.exit_code == 0 and "(COMPANY, Quillfeather Capital)" in retyped.output
        again = runner.invoke(app, ["entities", "promote", "person:maria-lopez"])
        assert again.exit_code == 1 and "already in the knowledge base" in again.output
        unknown = runner.invoke(app, ["entities", "promote", "person:nobody-here"])
        assert unknown.exit_code == 1 and "--uncurated" in unknown.output
    finally:
        for cached in (get_engine, get_database_settings, get_nlp_settings):
            cached.cache_clear()
