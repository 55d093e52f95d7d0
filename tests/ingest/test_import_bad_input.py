"""Bad files given to `tidings import`: each refused with the file, the line or record and the
problem, nothing junk stored, and one policy for undecodable bytes in every format."""

import json
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from ingest.imports import import_paths
from ingest.settings import IngestSettings
from models.articles import Article


def stored(engine: Engine) -> dict[str, Article]:
    with Session(engine) as session:
        return {a.url: a for a in session.exec(select(Article))}


def test_broken_quote_in_a_csv_refuses_the_merged_rows(
    engine: Engine, settings: IngestSettings, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        "title,text,url\n"
        "Bitcoin steadies,Prices held near 60k.,https://n.test/1\n"
        '"Ether slips,Ether fell 3% on the week.,https://n.test/2\n'
        "Solana gains,SOL rose 5%.,https://n.test/3\n"
        'Fed holds,"The Fed held rates, as expected.",https://n.test/4\n',
        encoding="utf-8",
    )
    stats = import_paths(engine, [path], settings=settings)
    assert stats.failed == 1
    assert stats.errors[0].startswith(f"{path} lines 3-")
    assert "a stray or unclosed quote merges fields and rows" in stats.errors[0]
    articles = stored(engine)
    assert "https://n.test/1" in articles
    for article in articles.values():  # nothing merged: no title holds text, no URL as text
        assert "https://" not in article.text and "," not in article.title


def test_empty_txt_is_refused(engine: Engine, settings: IngestSettings, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\n \t\n", encoding="utf-8")
    stats = import_paths(engine, [empty, blank], settings=settings)
    assert (stats.new, stats.failed) == (0, 2)
    assert stats.errors == [f"{empty}: the file is empty", f"{blank}: the file is empty"]
    assert stored(engine) == {}


def test_json_record_whose_text_is_not_text(
    engine: Engine, settings: IngestSettings, tmp_path: Path
) -> None:
    path = tmp_path / "records.json"
    records = [{"headline": "Hi", "body": 3}, {"title": "Fine", "text": "A real article."}]
    path.write_text(json.dumps(records), encoding="utf-8")
    stats = import_paths(engine, [path], settings=settings)
    assert (stats.new, stats.failed) == (1, 1)
    assert stats.errors == [f"{path} record 1: field 'body' holds a number (3), not text"]
    assert [a.title for a in stored(engine).values()] == ["Fine"]


def test_invalid_utf8_is_one_policy_in_every_format(
    engine: Engine, settings: IngestSettings, tmp_path: Path
) -> None:
    bad = b"Caf\xe9 owners accept bitcoin \xff\xfe now."
    files = {
        "a.txt": b"Cafe news\n" + bad,
        "b.json": b'[{"title": "Json", "text": "' + bad + b'", "url": "https://n.test/j"}]',
        "c.jsonl": b'{"title": "Jsonl", "text": "' + bad + b'", "url": "https://n.test/l"}\n',
        "d.csv": b"title,text,url\nCsv," + bad + b",https://n.test/c\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    stats = import_paths(engine, [tmp_path / name for name in files], settings=settings)
    assert (stats.new, stats.failed) == (4, 0), stats.errors
    lines = {"a.txt": 2, "b.json": 1, "c.jsonl": 1, "d.csv": 2}
    assert sorted(stats.notes) == [
        f"{tmp_path / name}: 3 undecodable byte(s) replaced with U+FFFD (first on line "
        f"{lines[name]})"
        for name in sorted(files)
    ]
    for article in stored(engine).values():
        assert "Caf\ufffd owners accept bitcoin \ufffd\ufffd now." in article.text


def test_csv_row_with_too_few_fields(
    engine: Engine, settings: IngestSettings, tmp_path: Path
) -> None:
    path = tmp_path / "short.csv"
    path.write_text("title,text,url\nOnly a title\nGood,Text here.,https://n.test/g\n")
    stats = import_paths(engine, [path], settings=settings)
    assert stats.errors == [
        f"{path} line 2: 1 fields where the header has 3 (a stray or unclosed quote merges "
        "fields and rows); row refused"
    ]
    assert list(stored(engine)) == ["https://n.test/g"]


def test_import_reports_progress_per_record(
    engine: Engine, settings: IngestSettings, tmp_path: Path
) -> None:
    path = tmp_path / "many.csv"
    rows = "".join(f"Title {i},Text {i}.,https://n.test/{i}\n" for i in range(25))
    path.write_text("title,text,url\n" + rows, encoding="utf-8")
    seen: list[Path] = []
    stats = import_paths(engine, [path], settings=settings, on_record=seen.append)
    assert stats.new == 25 and seen == [path] * 25
