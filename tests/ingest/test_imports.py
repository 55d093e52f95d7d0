"""`tidings import`: every file type, field flags, bad records, and the shared article sets."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fixture_server import FIXTURES
from sqlalchemy import Engine
from sqlmodel import Session, select

from ingest.imports import FieldNames, ImportOptions, import_paths, parse_published
from ingest.settings import IngestSettings
from models.articles import Article, PublishedFrom, TextSource
from models.sources import Source, SourceKind

IMPORTS = FIXTURES / "import"


def stored(engine: Engine) -> dict[str, Article]:
    """Stored articles by URL."""
    with Session(engine) as session:
        return {a.url: a for a in session.exec(select(Article))}


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they are UTC."""
    return value.replace(tzinfo=UTC) if value is not None else None


def test_json_records(engine: Engine, settings: IngestSettings) -> None:
    stats = import_paths(engine, [IMPORTS / "records.json"], settings=settings)
    assert (stats.records, stats.new, stats.failed) == (4, 2, 2)
    assert stats.errors == [
        f"{IMPORTS / 'records.json'} record 3: no 'title' or 'text'",
        f"{IMPORTS / 'records.json'}: not an object: 'not a record'",
    ]
    article = stored(engine)["https://archive.example/tokenised-treasuries"]
    assert article.original_url == "https://archive.example/tokenised-treasuries?utm_campaign=x"
    assert utc(article.published_at) == datetime(2024, 3, 28, 8, 0, tzinfo=UTC)
    assert (article.published_from, article.text_source) == (PublishedFrom.RECORD, TextSource.FILE)
    with Session(engine) as session:
        source = session.get(Source, article.source_id)
        assert source is not None
        assert (source.name, source.kind, source.enabled) == (
            "Archive Weekly",
            SourceKind.FILE,
            False,
        )


def test_jsonl_with_field_flags_and_default_date(engine: Engine, settings: IngestSettings) -> None:
    fields = FieldNames(title="headline", text="body", url="link", published="when")
    default = datetime(2024, 4, 5, tzinfo=UTC)
    options = ImportOptions(fields=fields, published=default, source="Miner Digest")
    stats = import_paths(engine, [IMPORTS / "records.jsonl"], options=options, settings=settings)
    assert (stats.records, stats.new, stats.failed) == (3, 2, 1)
    assert stats.errors[0].startswith(f"{IMPORTS / 'records.jsonl'}: line 2: Expecting")
    articles = stored(engine)
    reserves = articles["https://miners.example/reserves"]
    assert reserves.text == (
        "Listed miners sold more coins than they produced in March.\n\n"
        "Analysts expect the selling to ease after the reward cut."
    )
    assert utc(reserves.published_at) == datetime(2024, 4, 2, 12, 0, tzinfo=UTC)
    storms = articles["https://miners.example/storms"]
    assert (utc(storms.published_at), storms.published_from) == (default, PublishedFrom.RECORD)


def test_csv_with_columns_and_date_format(engine: Engine, settings: IngestSettings) -> None:
    fields = FieldNames(
        title="headline", text="summary", url="link", published="date", source="outlet"
    )
    options = ImportOptions(fields=fields, date_format="%d-%m-%Y %H:%M")
    stats = import_paths(engine, [IMPORTS / "table.csv"], options=options, settings=settings)
    assert (stats.records, stats.new, stats.known, stats.failed) == (3, 2, 1, 0)
    btc = stored(engine)["https://desk-a.example/news/btc-20k.htm"]
    assert utc(btc.published_at) == datetime(2022, 7, 5, 4, 24, tzinfo=UTC)
    assert btc.title == "Bitcoin returns above 20K"


def test_txt_and_html_files(engine: Engine, settings: IngestSettings) -> None:
    published = datetime(2024, 1, 2, tzinfo=UTC)
    options = ImportOptions(published=published)
    stats = import_paths(
        engine, [IMPORTS / "note.txt", IMPORTS / "page.html"], options=options, settings=settings
    )
    assert (stats.files, stats.new, stats.failed) == (2, 2, 0)
    articles = stored(engine)
    note = articles[f"{(IMPORTS / 'note.txt').resolve().as_uri()}#1"]
    assert note.title == "Analyst note: basis trade unwinds"
    assert (utc(note.published_at), note.published_from) == (published, PublishedFrom.RECORD)
    page = articles[f"{(IMPORTS / 'page.html').resolve().as_uri()}#1"]
    assert page.title == "Mining difficulty reaches record ahead of halving"
    assert utc(page.published_at) == datetime(2024, 4, 11, 8, 0, tzinfo=UTC)  # page metadata
    assert "Related stories" not in page.text


def test_folder_import_is_idempotent(engine: Engine, settings: IngestSettings) -> None:
    first = import_paths(engine, [IMPORTS], settings=settings)
    again = import_paths(engine, [IMPORTS], settings=settings)
    assert first.files == again.files == 5
    assert again.new == 0
    assert again.known == first.new + first.duplicates + first.known
    assert len(stored(engine)) == first.new + first.duplicates


def test_missing_and_unsupported_files(
    engine: Engine, settings: IngestSettings, tmp_path: Path
) -> None:
    odd = tmp_path / "data.xlsx"
    odd.write_bytes(b"PK")
    stats = import_paths(engine, [tmp_path / "nope.json", odd], settings=settings)
    assert (stats.files, stats.failed, stats.new) == (2, 2, 0)
    assert stats.errors[1] == f"{odd}: unsupported file type '.xlsx'"


@pytest.mark.parametrize(
    ("value", "date_format", "expected"),
    [
        ("2024-03-01T10:00:00Z", None, datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01", None, datetime(2024, 3, 1, tzinfo=UTC)),
        ("1 March 2024 10:00", None, datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("5-7-2022 04:24", "%d-%m-%Y %H:%M", datetime(2022, 7, 5, 4, 24, tzinfo=UTC)),
        ("garbage", "%d-%m-%Y", None),
        ("", None, None),
    ],
)
def test_parse_published(value: str, date_format: str | None, expected: datetime | None) -> None:
    assert parse_published(value, date_format=date_format) == expected


@pytest.mark.shared
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # 13 min on PostgreSQL
def test_shared_article_sets(engine: Engine, settings: IngestSettings, shared_path: Path) -> None:
    folder = shared_path / "data" / "crypto-news-articles"
    # default field names: "paragraphs" and "date" are found as common alternatives
    full = ImportOptions(source="cryptonews.com")
    stats = import_paths(
        engine, [folder / "cryptonews_com_2023_fulltext.json"], options=full, settings=settings
    )
    # 206 records hold 72 distinct articles (each repeated up to five times)
    assert (stats.records, stats.new, stats.duplicates, stats.known, stats.failed) == (
        206,
        72,
        0,
        134,
        0,
    )
    summaries = ImportOptions(
        fields=FieldNames(published="date"), date_format="%d-%m-%Y %H:%M", delimiter=";"
    )
    stats = import_paths(
        engine,
        [folder / "crypto_news_plus_2021-2022_summaries.csv"],
        options=summaries,
        settings=settings,
    )
    assert (stats.records, stats.new, stats.duplicates, stats.known, stats.failed) == (
        7524,
        7522,
        2,
        0,
        0,
    )
    articles = stored(engine)
    assert len(articles) == 72 + 7524
    first = articles[
        "https://cryptonews.com/news/bitcoin-standard-author-advise-el-salvador-economic-strategy.htm"
    ]
    assert utc(first.published_at) == datetime(2023, 5, 31, 9, 11, tzinfo=UTC)
    assert first.text.startswith("Saifedean Ammous, a prominent economist")
    mojibake = articles[
        "https://cryptonews.com/news/bitcoin-mining-set-hit-new-record-high-whats-driving-surge.htm"
    ]
    assert mojibake.title == "Bitcoin Mining Set to Hit New Record High – What’s Driving the Surge?"
    assert not any("https://cryptonews.comhttps" in url for url in articles)
