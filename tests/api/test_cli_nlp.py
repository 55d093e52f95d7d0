"""The analyze, eval and entities commands through the real CLI app."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import api.cli  # noqa: F401 - registers the command modules
from api.cli.groups import app
from api.context import get_engine
from models.settings import get_database_settings
from nlp.settings import get_nlp_settings
from tests.conftest import shared_dir

runner = CliRunner()


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite store and no user KB file for each test."""
    monkeypatch.setenv("TIDINGS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("TIDINGS_USER_KB_FILE", raising=False)
    for cached in (get_engine, get_database_settings, get_nlp_settings):
        cached.cache_clear()
    yield tmp_path
    for cached in (get_engine, get_database_settings, get_nlp_settings):
        cached.cache_clear()


def test_analyze_json_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Bitcoin fell.\nBlackRock’s IBIT saw outflows.", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--published", "2025-11-05", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [(e["text"], e["entity_id"]) for e in out["entities"]] == [
        ("Bitcoin", "crypto:btc"), ("BlackRock", "company:blackrock"), ("IBIT", "etf:ibit"),
    ]  # fmt: skip
    assert [s["text"] for s in out["sentences"]] == [
        "Bitcoin fell.",
        "BlackRock’s IBIT saw outflows.",
    ]


def test_analyze_reads_stdin_and_renders_a_table() -> None:
    result = runner.invoke(app, ["analyze", "-"], input=b"Ethereum rallied.")
    assert result.exit_code == 0, result.output
    assert "crypto:eth" in result.stdout and "1 entity mentions" in result.stdout


def test_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Bitcoin.", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--published", "2025-13-01"])
    assert result.exit_code == 2
    assert "is not a date in the form YYYY-MM-DD" in result.output


def test_invalid_utf8_file_gives_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Bitcoin stieg um 5 % – Grüße".encode("latin-1", errors="replace"))
    result = runner.invoke(app, ["analyze", str(path), "--json"])
    assert result.exit_code == 1
    assert "is not valid UTF-8 (byte 0xfc at offset 25)" in result.output
    assert "Traceback" not in result.output


def test_missing_file_gives_a_clear_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "cannot read" in result.output and "No such file or directory" in result.output


def test_entities_add_list_show() -> None:
    added = runner.invoke(
        app,
        ["entities", "add", "--id", "crypto:zzt", "--name", "Zeta Test Coin",
         "--type", "CRYPTO_ASSET", "--alias", "Zeta Test", "--ticker", "ZZT"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added crypto:zzt (CRYPTO_ASSET) to database" in added.stdout
    listed = runner.invoke(app, ["entities", "list", "--search", "zeta"])
    assert listed.exit_code == 0 and "crypto:zzt" in listed.stdout and "database" in listed.stdout
    shown = runner.invoke(app, ["entities", "show", "crypto:zzt"])
    assert shown.exit_code == 0 and "Zeta Test" in shown.stdout and "ZZT" in shown.stdout
    etfs = runner.invoke(app, ["entities", "list", "--type", "ETF", "--search", "ibit"])
    assert "etf:ibit" in etfs.stdout and "crypto:zzt" not in etfs.stdout


def test_entities_add_to_file_and_bad_input(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_file = runner.invoke(
        app, ["entities", "add", "--id", "x:y", "--name", "Y", "--type", "EVENT", "--to-file"]
    )
    assert no_file.exit_code == 1 and "TIDINGS_USER_KB_FILE" in no_file.output
    bad_id = runner.invoke(
        app, ["entities", "add", "--id", "Bad Id", "--name", "Y", "--type", "EVENT"]
    )
    assert bad_id.exit_code == 1 and "is not of the form prefix:slug" in bad_id.output
    kb_file = store / "user_kb.yaml"
    monkeypatch.setenv("TIDINGS_USER_KB_FILE", str(kb_file))
    get_nlp_settings.cache_clear()
    added = runner.invoke(
        app,
        [
            "entities",
            "add",
            "--id",
            "event:test-fork",
            "--name",
            "Test Fork",
            "--type",
            "EVENT",
            "--to-file",
        ],
    )
    assert added.exit_code == 0, added.output
    assert "event:test-fork" in kb_file.read_text(encoding="utf-8")
    shown = runner.invoke(app, ["entities", "show", "event:test-fork"])
    assert "user-file" in shown.stdout
    unknown = runner.invoke(app, ["entities", "show", "crypto:nope"])
    assert unknown.exit_code == 1 and "no entity with id 'crypto:nope'" in unknown.output


def test_eval_without_gold_dir_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "--gold-dir", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "gold data folder" in result.output and "not found" in result.output


@pytest.mark.shared
def test_eval_json_on_the_shared_gold() -> None:
    shared = shared_dir()
    result = runner.invoke(
        app,
        [
            "eval",
            "--gold-dir",
            str(shared / "gold"),
            "--samples-dir",
            str(shared / "samples"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["pooled"]["entities"]["detection"]["f1"] >= 0.9
    assert report["pooled"]["entities"]["linked"]["f1"] >= 0.9
    assert list(report["files"]) == ["000_69657d30d331c4cd.json"]


def test_terminal_view_lists_claims_and_document_sentiment() -> None:
    text = b"Bitcoin fell 5% to $95,000 on Monday as ETF outflows deepened."
    result = runner.invoke(
        app, ["analyze", "-", "--published", "2025-11-05"], input=text, env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "2 claims" in result.stdout
    assert "$95,000" in result.stdout and "price_change" in result.stdout
    assert "document sentiment: negative" in result.stdout


def test_train_sentiment_rejects_a_bad_seed_list(tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "sentiment", "--out", str(out), "--soup-seeds", "13,x"])
    assert result.exit_code == 2
    assert "--soup-seeds" in result.output and "integers" in result.output
    assert not out.exists()  # nothing trained, nothing written


def test_train_sentiment_rejects_a_negative_count(tmp_path: Path) -> None:
    option = "--float-activations"
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "sentiment", "--out", str(out), option, "-1"])
    assert result.exit_code == 2
    assert option in result.output
    assert not out.exists()


EXPLAINED = (
    "Bitcoin could rally towards $120,000 by year-end, analysts said. "
    "ETF outflows reached $500 million last week."
)


def test_analyze_explain_names_the_deciding_rules(tmp_path: Path) -> None:
    from nlp.claims.decisions import DIRECTION_RULES, TYPE_RULES

    path = tmp_path / "a.txt"
    path.write_text(EXPLAINED, encoding="utf-8")
    plain = runner.invoke(app, ["analyze", str(path), "--published", "2025-11-05", "--json"])
    assert plain.exit_code == 0, plain.output
    assert all("explanation" not in c for c in json.loads(plain.stdout)["claims"])
    result = runner.invoke(
        app, ["analyze", str(path), "--published", "2025-11-05", "--json", "--explain"]
    )
    assert result.exit_code == 0, result.output
    claims = {c["text"]: c for c in json.loads(result.stdout)["claims"]}
    target, outflow = claims["$120,000"], claims["$500 million"]
    assert (target["claim_type"], _rule(target, "claim_type")) == ("forecast", "a price target")
    assert outflow["direction"] == "down"
    assert _rule(outflow, "direction").startswith("the metric's own direction")
    assert _rule(outflow, "metric") == "metric rule 'outflow' on the words before the number"
    names = {name for name, _ in TYPE_RULES + DIRECTION_RULES}
    assert {_rule(target, "claim_type"), _rule(outflow, "direction")} <= names
    table = runner.invoke(app, ["analyze", str(path), "--published", "2025-11-05", "--explain"])
    assert "claim_type = forecast: " in table.stdout and "a price target" in table.stdout


def _rule(claim: dict[str, Any], field: str) -> str:
    """The rule named for a claim's field; where the learned layer decided, the explanation
    names the model and, in brackets at its end, the rule it was weighed against."""
    said = claim["explanation"][field]
    if claim["explanation"]["decided_by"][field] == "rules":
        return str(said)
    assert said.startswith("learned layer claims-decider-"), said
    rule = str(said).split("; the rules said ", 1)[1]  # "<answer> (<rule>)"; rules may hold "("
    return rule.split(" (", 1)[1].removesuffix(")")
