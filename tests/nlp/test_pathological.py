"""Pathological texts: numeric tables are recognised and skipped with a note, the claim loop is
linear in the numbers of a sentence (checked by counting work, never by timing), and an article
past its time budget fails with the reason."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

import nlp.claims.extract
from api.services.processing import process_articles
from models.articles import Article
from models.db import init_engine, session_scope
from nlp.claims.frames import SENTENCE_WINDOW, Frame
from nlp.claims.tables import numeric_tables
from nlp.errors import TimeBudgetError
from nlp.pipeline import Analyzer
from nlp.settings import NlpSettings

TABLE = "\n".join(
    ["Consumer prices rose 0.3% in March, the bureau said.", ""]
    + [f"Jan {1990 + i}  {i}.1  {i * 2}.2  {i * 3}.3  {i % 7}.4" for i in range(40)]
    + ["", "Core prices rose 0.2%, economists at the bank said."]
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(NlpSettings(nlp_article_time_budget_s=0))


def test_numeric_table_is_found_and_prose_is_not() -> None:
    tables = numeric_tables(TABLE)
    assert len(tables) == 1
    start, end = tables[0]
    assert TABLE[start:].startswith("Jan 1990") and TABLE[:end].endswith("117.3  4.4")
    assert numeric_tables("Bitcoin rose 5% to $60,000 on Monday.\nEther fell 2% and SOL 3%.") == []


def test_table_is_skipped_with_a_note(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze(TABLE)
    assert [c.text for c in analysis.claims] == ["0.3%", "0.2%"]
    assert len(analysis.notes) == 1 and "numeric table" in analysis.notes[0]
    assert "40 rows" in analysis.notes[0]
    assert analysis.to_json_dict()["notes"] == analysis.notes


def sentence(count: int) -> str:
    values = ", ".join(f"{i * 7 % 1000}.{i % 10}" for i in range(count))
    return f"The series read {values} in the latest release."


def test_claim_work_per_number_is_bounded(
    analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every rule used to search the whole sentence left of each number: n numbers, n²
    characters. The context per number is now bounded, so doubling the numbers at most doubles
    the characters the rules read."""
    sizes: list[int] = []
    original = nlp.claims.extract.build_frame

    def recording(*args: Any, **kwargs: Any) -> Frame:
        frame = original(*args, **kwargs)
        sizes.append(len(frame.sentence_left) + len(frame.left))
        return frame

    monkeypatch.setattr("nlp.claims.extract.build_frame", recording)
    analyzer.analyze(sentence(400))
    small = list(sizes)
    sizes.clear()
    analyzer.analyze(sentence(800))
    assert (len(small), len(sizes)) == (400, 800)
    assert max(sizes) <= SENTENCE_WINDOW + 200
    assert sum(sizes) <= 2.2 * sum(small)


def test_article_past_its_time_budget_is_marked_failed(tmp_path: Path) -> None:
    engine = init_engine(f"sqlite:///{tmp_path / 'budget.db'}")
    with session_scope(engine) as session:
        session.add(Article(url="https://a.test/slow", text=sentence(300), content_hash="s",
                            published_at=datetime(2025, 1, 2, tzinfo=UTC)))  # fmt: skip
    tight = Analyzer(NlpSettings(nlp_article_time_budget_s=1e-6))
    stats = process_articles(engine, analyzer=tight)
    assert (stats.done, stats.failed) == (0, 1)
    with Session(engine) as session:
        article = session.exec(select(Article)).one()
    assert article.status == "failed"
    assert "time budget of 1e-06 s (TIDINGS_NLP_ARTICLE_TIME_BUDGET_S)" in (article.error or "")
    with pytest.raises(TimeBudgetError):
        tight.analyze(sentence(50))
