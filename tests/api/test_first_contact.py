"""First contact with the CLI: fast light commands, one-line errors, no tracebacks, honest stats,
a readable claims table."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import api.cli  # noqa: F401 - registers the command modules
from api.cli.groups import app
from models.articles import Article
from models.claims import Claim
from models.db import init_engine, session_scope
from models.sources import Source

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "spacy", "transformers", "onnxruntime", "celery", "kombu")
runner = CliRunner()

PROBE = """
import json, sys
from api.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def run_cli(args: list[str], url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_BUILTIN_SOURCES": "false"}
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    "args", [["--help"], ["stats"], ["sources", "list"], ["claims", "search", "bitcoin"]]
)
def test_light_commands_load_no_model_library(args: list[str], db_url: str) -> None:
    env = {**os.environ, "TIDINGS_DATABASE_URL": db_url, "TIDINGS_BUILTIN_SOURCES": "false"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user:secret@127.0.0.1/x", "unsupported database URL"),
        ("not a url", "unsupported database URL"),
        ("postgresql+psycopg://nobody:secret@127.0.0.1:1/x", "cannot open database"),
    ],
)
def test_bad_database_url_is_one_line(url: str, message: str) -> None:
    done = run_cli(["stats"], url)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], done.stderr
    assert "secret" not in done.stderr


def test_ctrl_c_during_start_up_prints_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "TIDINGS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "stats"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(0.3)  # inside the imports
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip() in ("", "interrupted")


def test_stats_does_not_count_duplicates_as_unprocessed(db_url: str) -> None:
    engine = init_engine(db_url)
    with session_scope(engine) as session:
        first = Article(url="https://a.test/1", text="x", content_hash="h")
        session.add(first)
        session.flush()
        session.add(Article(url="https://a.test/2", text="x", content_hash="h",
                            duplicate_of=first.id))  # fmt: skip
    result = runner.invoke(app, ["stats", "--json"])
    counts = json.loads(result.stdout)
    assert (counts["articles"], counts["duplicates"], counts["unprocessed"]) == (2, 1, 1)


def test_sources_list_shows_the_last_error(db_url: str) -> None:
    engine = init_engine(db_url)
    with session_scope(engine) as session:
        session.add(Source(name="Desk", url="https://desk.test/feed.xml", consecutive_failures=3,
                           last_error="cannot resolve desk.test"))  # fmt: skip
    result = runner.invoke(app, ["sources", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "cannot resolve desk.test" in result.stdout


SENTENCE = (
    "Spot bitcoin ETFs recorded net outflows of $368 million during the week through April 4, "
    "according to a report that strategists at the bank published on Friday morning."
)


def _add_claim(db_url: str) -> None:
    engine = init_engine(db_url)
    with session_scope(engine) as session:
        day = datetime(2023, 4, 12, tzinfo=UTC)
        article = Article(url="https://a.test/c", text=SENTENCE, content_hash="c",
                          title="Outflows", published_at=day)  # fmt: skip
        session.add(article)
        session.flush()
        assert article.id is not None
        session.add(Claim(article_id=article.id, sentence_index=0, start=51, end=63,
                          text="$368 million", value=3.68e8, unit="USD", metric="outflow",
                          subject="Bitcoin", subject_id="crypto:btc", direction="down",
                          claim_type="observation", sentence_text=SENTENCE,
                          attributed_to="BofA strategists"))  # fmt: skip


def test_claims_table_fits_100_columns(db_url: str) -> None:
    _add_claim(db_url)
    result = runner.invoke(app, ["claims", "search", "outflows"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    row = [line for line in lines if "$368 million" in line]
    assert len(row) == 1, result.stdout  # one line per claim: no wrapped cells
    assert "368M" in row[0] and "outflow" in row[0] and "2023-04-12" in row[0]
    assert "…" in row[0]  # the sentence is cut
    wide = runner.invoke(app, ["claims", "search", "outflows", "--wide"], env={"COLUMNS": "250"})
    assert "Friday morning." in wide.stdout and "BofA strategists" in wide.stdout


def test_analyze_strips_terminal_escapes_before_analysis(db_url: str) -> None:
    text = "Bitcoin rose \x1b[31m5%\x1b[0m on Monday.\x07\x1b]0;title\x07"
    result = runner.invoke(app, ["analyze", "-", "--json"], input=text.encode())
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    out = json.loads(result.stdout)
    assert [(c["text"], c["unit"]) for c in out["claims"]] == [("5%", "PERCENT")]
    assert out["sentences"][0]["text"] == "Bitcoin rose 5% on Monday."
    table = runner.invoke(app, ["analyze", "-"], input=text.encode())
    assert "\x1b[31m" not in table.stdout and "$31m" not in table.stdout
