"""Narratives in the store: `process` writes assignments; `tidings narratives` reads them, finds
candidates among unassigned sentences and promotes one into the user file."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from typer.testing import CliRunner

import api.cli  # noqa: F401 - registers the command modules
from api.cli.groups import app
from api.context import get_engine
from api.services.processing import process_articles
from models.articles import Article
from models.db import session_scope
from models.narratives import Narrative, NarrativeAssignment
from models.settings import get_database_settings
from nlp.narratives.settings import get_narrative_settings
from nlp.narratives.taxonomy import Taxonomy, load_file
from nlp.pipeline import Analyzer
from nlp.settings import get_nlp_settings

runner = CliRunner()
CACHES = (get_engine, get_database_settings, get_nlp_settings, get_narrative_settings)

TEXTS = [
    "Spot bitcoin ETFs recorded net outflows of $500 million on Monday, led by BlackRock's IBIT.\n"
    "The governor of Texas said on Tuesday that his campaign will let voters donate in bitcoin.",
    "Traders now see a lower chance of a Fed rate cut in December.\n"
    "The presidential candidate promised voters he would defend the right to keep bitcoin at home.",
    "A second presidential hopeful told voters in Miami he would protect keeping bitcoin at home.\n"
    "The candidate said his campaign takes donations in bitcoin from voters across the country.",
    "Another candidate for president pledged to voters to defend people who own bitcoin.\n"
    "The governor's presidential campaign said it would take bitcoin donations from voters.",
]


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh SQLite store for the CLI and for process_articles, no user narratives file."""
    monkeypatch.setenv("TIDINGS_DATABASE_URL", f"sqlite:///{tmp_path / 'n.db'}")
    monkeypatch.delenv("TIDINGS_USER_NARRATIVES_FILE", raising=False)
    for cached in CACHES:
        cached.cache_clear()
    yield get_engine()
    for cached in CACHES:
        cached.cache_clear()


def _process(engine: Engine) -> list[int]:
    with session_scope(engine) as session:
        rows = [Article(url=f"https://example.test/{i}", text=t, content_hash=f"h{i}",
                        published_at=datetime(2025, 11, 5, tzinfo=UTC))
                for i, t in enumerate(TEXTS)]  # fmt: skip
        session.add_all(rows)
        session.flush()
        ids = [int(r.id) for r in rows if r.id is not None]
    stats = process_articles(engine, analyzer=Analyzer())
    assert (stats.done, stats.failed) == (len(TEXTS), 0)
    return ids


def test_process_stores_assignments_and_the_taxonomy(engine: Engine) -> None:
    ids = _process(engine)
    with Session(engine) as session:
        rows = session.exec(select(NarrativeAssignment).order_by(col(NarrativeAssignment.id))).all()
        got = {(r.article_id, r.sentence_index, r.narrative_id) for r in rows}
        assert (ids[0], 0, "etf-flows") in got and (ids[1], 0, "fed-rates") in got
        assert all(0 < r.score <= 1 and r.model_version.startswith("narratives-") for r in rows)
        stored = session.exec(select(func.count()).select_from(Narrative)).one()
        assert stored == len(Taxonomy.load().narratives)
        etf = session.get(Narrative, "etf-flows")
        assert etf is not None and etf.kind == "built-in" and "ibit" in etf.keywords
    # reprocessing replaces the rows, it does not add to them
    process_articles(engine, analyzer=Analyzer(), reprocess_stale=True)
    with Session(engine) as session:
        article = session.get(Article, ids[0])
        assert article is not None and "narratives" in (article.model_versions or {})
        again = session.exec(select(func.count()).select_from(NarrativeAssignment)).one()
        assert again == len(rows)


def test_cli_list_show_discover_promote(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _process(engine)
    listed = runner.invoke(app, ["narratives", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    by_id = {e["id"]: e for e in json.loads(listed.stdout)}
    assert by_id["etf-flows"]["sentences"] >= 1 and by_id["gold"]["kind"] == "built-in"

    shown = runner.invoke(app, ["narratives", "show", "etf-flows", "--json"])
    assert shown.exit_code == 0, shown.output
    info = json.loads(shown.stdout)
    assert info["recent"][0]["sentence"].startswith("Spot bitcoin ETFs recorded net outflows")
    missing = runner.invoke(app, ["narratives", "show", "no-such-thing"])
    assert missing.exit_code == 1 and "no narrative 'no-such-thing'" in missing.output

    found = runner.invoke(app, ["narratives", "discover", "--json", "--min-size", "3"])
    assert found.exit_code == 0, found.output
    candidates = json.loads(found.stdout)
    assert candidates, "the campaign sentences should form a candidate"
    top = candidates[0]
    assert top["size"] >= 3 and top["articles"] >= 2
    assert any(k in {"campaign", "presidential", "voters", "candidate"} for k in top["keywords"])

    refused = runner.invoke(app, ["narratives", "promote", top["id"]])
    assert refused.exit_code == 1 and "TIDINGS_USER_NARRATIVES_FILE" in refused.output

    user_file = tmp_path / "narratives.yaml"
    monkeypatch.setenv("TIDINGS_USER_NARRATIVES_FILE", str(user_file))
    get_narrative_settings.cache_clear()
    promoted = runner.invoke(
        app, ["narratives", "promote", top["id"], "--id", "election-crypto", "--name", "Election"]
    )
    assert promoted.exit_code == 0, promoted.output
    [narrative] = load_file(user_file)
    assert (narrative.id, narrative.name) == ("election-crypto", "Election")
    assert list(narrative.seeds) == top["seeds"]
    after = {
        e["id"]: e for e in json.loads(runner.invoke(app, ["narratives", "list", "--json"]).stdout)
    }
    assert after["election-crypto"]["kind"] == "user" and top["id"] not in after
