"""`tidings import` streams archives: a file several times larger than the record limit imports
(it is never held whole), and a record over TIDINGS_IMPORT_MAX_RECORD_BYTES is refused."""

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from ingest.imports import import_paths
from ingest.settings import IngestSettings
from models.articles import Article

LIMIT = 100_000  # far below the files below (plus the readers' 256 KiB of read-ahead)
RECORDS = [
    {"title": f"Report {i}", "url": f"https://s.test/{i}", "published": f"2024-03-0{i % 9 + 1}",
     "text": f"Bitcoin report number {i}. " + "Markets moved on the day. " * 400}
    for i in range(120)
]  # fmt: skip


def write(path: Path, kind: str) -> Path:
    if kind == "json":
        path.write_text(json.dumps(RECORDS), encoding="utf-8")
    elif kind == "json-object":
        path.write_text(json.dumps({"meta": {"n": 1}, "articles": RECORDS}), encoding="utf-8")
    elif kind == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    else:
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(RECORDS[0]))
            writer.writeheader()
            writer.writerows(RECORDS)
    return path


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Article)).one())


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("kind", "suffix"), [("json", ".json"), ("json-object", ".json"), ("jsonl", ".jsonl"),
                         ("csv", ".csv")],
)  # fmt: skip
def test_an_archive_larger_than_the_limit_streams_in(
    engine: Engine, settings: IngestSettings, tmp_path: Path, kind: str, suffix: str
) -> None:
    path = write(tmp_path / f"archive{suffix}", kind)
    assert path.stat().st_size > 3 * (LIMIT + 256 * 1024)
    bounded = settings.model_copy(update={"import_max_record_bytes": LIMIT,
                                          "near_dup_enabled": False})  # fmt: skip
    seen: list[int] = []
    stats = import_paths(engine, [path], settings=bounded, on_bytes=lambda _p, n: seen.append(n))
    assert (stats.records, stats.new, stats.failed) == (len(RECORDS), len(RECORDS), 0), stats
    assert count(engine) == len(RECORDS)
    assert seen == sorted(seen) and seen[0] < path.stat().st_size // 2 and seen[-1] > 0


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_an_oversized_record_is_refused(
    engine: Engine, settings: IngestSettings, tmp_path: Path
) -> None:
    bounded = settings.model_copy(update={"import_max_record_bytes": 5_000})
    small = {"title": "Small", "text": "Ether rose 2% on Monday.", "url": "https://s.test/small"}
    big = {"title": "Big", "text": "word " * 5_000, "url": "https://s.test/big"}
    lines = tmp_path / "mixed.jsonl"
    lines.write_text(json.dumps(big) + "\n" + json.dumps(small) + "\n", encoding="utf-8")
    stats = import_paths(engine, [lines], settings=bounded)
    assert (stats.new, stats.failed) == (1, 1)
    assert stats.errors == [f"{lines}: line 1: longer than TIDINGS_IMPORT_MAX_RECORD_BYTES"]
    document = tmp_path / "huge.json"
    document.write_text(json.dumps([small, {**big, "text": "word " * 200_000}]), encoding="utf-8")
    stats = import_paths(engine, [document], settings=bounded)
    assert stats.failed == 1 and "larger than TIDINGS_IMPORT_MAX_RECORD_BYTES" in stats.errors[0]
