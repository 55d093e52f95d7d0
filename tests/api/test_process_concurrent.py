"""Two `tidings process` runs at once on one PostgreSQL store split the work between them and
finish without an error, with exactly the rows of one run."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from api.services.processing import process_articles
from models.analysis import Entity, EntitySentiment, Mention, Sentence
from models.articles import Article
from models.claims import Claim
from models.db import init_engine, session_scope
from nlp.pipeline import Analyzer

REPO = Path(__file__).resolve().parents[2]
SUBJECTS = ["Bitcoin", "Ether", "Solana", "BlackRock", "Coinbase", "the Federal Reserve"]
TEXTS = [
    f"{a} rose {i % 9 + 1}% on Monday while {b} fell. Analysts at {c} expect $1{i}m of inflows."
    for i, (a, b, c) in enumerate(
        (SUBJECTS[i % 6], SUBJECTS[(i + 1) % 6], SUBJECTS[(i + 3) % 6]) for i in range(24)
    )
]


def add_articles(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add_all(
            Article(url=f"https://example.test/{i}", text=text, content_hash=f"h{i}",
                    published_at=datetime(2025, 11, 5, tzinfo=UTC))
            for i, text in enumerate(TEXTS)
        )  # fmt: skip


def start_process(url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_NLP_BATCH_SIZE": "2"}
    return subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "process"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(run: subprocess.Popen[str]) -> tuple[int, str]:
    """The number of articles the run reports processed; fails on any error output."""
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err[-3000:]
    assert "Error" not in err and "Traceback" not in err, err[-3000:]
    line = next(line for line in out.splitlines() if line.startswith("processed"))
    return int(line.split()[1]), out


def counts(engine: Engine) -> dict[str, object]:
    with Session(engine) as session:
        rows = {
            model.__name__: int(session.exec(select(func.count()).select_from(model)).one())
            for model in (Sentence, Mention, Claim, EntitySentiment, Entity)
        }
        statuses = sorted(a.status for a in session.exec(select(Article)))
    return {**rows, "status": statuses}


def test_two_concurrent_process_runs_split_the_work(
    pg_url: str, tmp_path: Path, analyzer: Analyzer
) -> None:
    engine = init_engine(pg_url)
    add_articles(engine)
    runs = [start_process(pg_url), start_process(pg_url)]
    # the reference, one run alone, in this process while the two runs work (same batch size)
    reference = init_engine(f"sqlite:///{tmp_path / 'one.db'}")
    add_articles(reference)
    alone = process_articles(reference, analyzer=analyzer, batch_size=2)
    assert (alone.done, alone.failed) == (len(TEXTS), 0), alone.errors
    done = [finish(run)[0] for run in runs]
    assert sum(done) == len(TEXTS), done
    concurrent = counts(engine)
    engine.dispose()
    assert concurrent == counts(reference)
    assert concurrent["status"] == ["done"] * len(TEXTS)


def test_two_concurrent_process_runs_on_sqlite_share_the_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine = init_engine(url)
    add_articles(engine)
    runs = [start_process(url), start_process(url)]
    done = [finish(run)[0] for run in runs]
    assert sum(done) == len(TEXTS), done  # no article analyzed twice
    assert counts(engine)["status"] == ["done"] * len(TEXTS)
