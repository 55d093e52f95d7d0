"""CSV dates: the order (day-first or month-first) is decided once per file from its values,
undecidable files are refused, and `--update` repairs dates stored the old way."""

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import dateparser
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from ingest.dates import DateOrder, decide_date_order
from ingest.imports import FieldNames, ImportOptions, import_paths
from ingest.normalize import canonical_url
from ingest.settings import IngestSettings
from models.articles import Article
from tests.conftest import shared_dir

SUMMARIES = "crypto-news-articles/crypto_news_plus_2021-2022_summaries.csv"
_ROW_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4}) (\d{1,2}):(\d{2});")
FIELDS = FieldNames(published="date")


def summaries_csv() -> Path:
    path = shared_dir() / "data" / SUMMARIES
    if not path.is_file():
        pytest.skip(f"{SUMMARIES} not in ../shared")
    return path


def stated_dates(path: Path) -> dict[str, datetime]:
    """URL -> the date the row's raw text states (D-M-Y H:M, as the file writes it); first row
    of each URL wins, as the importer keeps the first."""
    dates: dict[str, datetime] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter=";")):
            match = _ROW_DATE.match(";".join(row))
            if match is None:
                continue
            day, month, year, hour, minute = map(int, match.groups())
            url = canonical_url(row[-1]) if row[-1] else f"{path.resolve().as_uri()}#{number}"
            dates.setdefault(url, datetime(year, month, day, hour, minute, tzinfo=UTC))
    return dates


def stored_dates(engine: Engine) -> dict[str, datetime]:
    with Session(engine) as session:
        rows = session.exec(select(Article.url, Article.published_at)).all()
    return {url: published.replace(tzinfo=UTC) for url, published in rows if published}


def fast_settings(settings: IngestSettings) -> IngestSettings:
    return settings.model_copy(update={"near_dup_enabled": False})


def test_summaries_csv_every_date_as_its_row_states(
    engine: Engine, settings: IngestSettings
) -> None:
    path = summaries_csv()
    options = ImportOptions(fields=FIELDS)
    stats = import_paths(engine, [path], options=options, settings=fast_settings(settings))
    assert stats.failed == 0, stats.errors[:3]
    assert any("day-first" in note for note in stats.notes), stats.notes
    expected = stated_dates(path)
    got = stored_dates(engine)
    assert len(got) == len(expected) > 7000
    wrong = {url: (got[url], expected[url]) for url in expected if got.get(url) != expected[url]}
    assert not wrong, f"{len(wrong)} wrong dates, e.g. {next(iter(wrong.items()))}"


def _old_parse(text: str) -> datetime:
    """What the importer did before: dateparser with no date order."""
    parsed = dateparser.parse(text, settings={"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True})
    assert parsed is not None
    return parsed.astimezone(UTC)


def test_update_repairs_dates_stored_the_old_way(
    engine: Engine, settings: IngestSettings, tmp_path: Path
) -> None:
    lines = summaries_csv().read_text(encoding="utf-8").splitlines(keepends=True)
    part = tmp_path / "part.csv"
    part.write_text("".join(lines[:301]), encoding="utf-8")
    fast = fast_settings(settings)
    import_paths(engine, [part], options=ImportOptions(fields=FIELDS), settings=fast)
    expected = stated_dates(part)
    # Store the dates as the old importer computed them.
    with Session(engine) as session:
        reader = csv.DictReader(part.open(encoding="utf-8", newline=""), delimiter=";")
        raw = {
            canonical_url(r["url"]) if r["url"] else f"{part.resolve().as_uri()}#{n}": r["date"]
            for n, r in enumerate(reader, 1)
        }
        corrupted = 0
        for article in session.exec(select(Article)):
            old = _old_parse(raw[article.url])
            if old != expected[article.url]:
                corrupted += 1
            article.published_at = old
            session.add(article)
        session.commit()
    assert corrupted > 50
    assert sum(stored_dates(engine)[u] != d for u, d in expected.items()) == corrupted

    again = import_paths(engine, [part], options=ImportOptions(fields=FIELDS), settings=fast)
    assert again.updated == 0  # without --update, stored records are left alone
    stats = import_paths(
        engine, [part], options=ImportOptions(fields=FIELDS, update=True), settings=fast
    )
    assert (stats.new, stats.updated) == (0, corrupted)
    assert stored_dates(engine) == expected
    stats = import_paths(
        engine, [part], options=ImportOptions(fields=FIELDS, update=True), settings=fast
    )
    assert stats.updated == 0


def _write(tmp_path: Path, dates: list[str]) -> Path:
    path = tmp_path / "dates.csv"
    rows = [f"{d};Title {i};Some text {i};https://x.example/{i}\n" for i, d in enumerate(dates)]
    path.write_text("date;title;text;url\n" + "".join(rows), encoding="utf-8")
    return path


def test_undecidable_file_is_refused_unless_told(
    engine: Engine, settings: IngestSettings, tmp_path: Path
) -> None:
    path = _write(tmp_path, ["5-7-2022 04:24", "3-4-2022 10:00"])
    stats = import_paths(engine, [path], options=ImportOptions(fields=FIELDS), settings=settings)
    assert (stats.new, stats.failed) == (0, 1)
    assert "cannot tell" in stats.errors[0] and "--dayfirst" in stats.errors[0]
    assert stored_dates(engine) == {}
    options = ImportOptions(fields=FIELDS, date_order=DateOrder.MONTH_FIRST)
    stats = import_paths(engine, [path], options=options, settings=settings)
    assert stats.new == 2
    assert stored_dates(engine)["https://x.example/0"] == datetime(2022, 5, 7, 4, 24, tzinfo=UTC)


def test_month_first_file_and_url_dates_settle_the_order(tmp_path: Path) -> None:
    decision = decide_date_order(["5-7-2022", "12-31-2021 10:00", "2022-01-02"])
    assert decision.order == DateOrder.MONTH_FIRST
    assert "12-31-2021" in decision.reason
    urls = ["https://n.example/2022/07/05/btc-rallies", "https://n.example/a"]
    decision = decide_date_order(["5-7-2022", "3-4-2022"], hints=urls)
    assert decision.order == DateOrder.DAY_FIRST and "URL" in decision.reason
    undecided = decide_date_order(["5-7-2022", "3-4-2022"])
    assert undecided.order is None and undecided.ambiguous == 2
    assert decide_date_order(["2022-07-05", "July 5, 2022"]).needed is False
    mixed = decide_date_order(["13-7-2022", "7-13-2022"])
    assert mixed.order is None and "both" in mixed.reason
