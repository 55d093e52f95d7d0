"""`tidings import`: load article archives (.txt, .html, .json, .jsonl, .csv) into the store.

A bad file or record is counted and reported with its line or record number; the rest of the
import goes on. Undecodable bytes get one policy in every format: each is replaced with U+FFFD
and the file's note says how many and where the first was. A CSV row whose field count differs
from the header's (a stray or unclosed quote merging fields and rows) is refused whole.
"""

import csv
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

import ijson
from sqlalchemy import Engine
from sqlmodel import Session, select

from ingest.dates import DateDecision, DateOrder, decide_date_order_pairs, parse_date
from ingest.errors import ImportFormatError
from ingest.extract import extract_page
from ingest.normalize import (
    canonical_url,
    clean_text,
    detect_language,
    repair_mojibake,
)
from ingest.settings import IngestSettings, get_ingest_settings
from ingest.store import ArticleStore, Candidate, Outcome
from ingest.streams import OpenFile, json_items, jsonl_lines, open_text, read_whole
from models.articles import PublishedFrom, TextSource
from models.sources import Source, SourceKind

SUFFIXES = frozenset({".txt", ".html", ".htm", ".json", ".jsonl", ".csv"})
# Other names archives commonly use, tried when a record lacks the configured field.
_FALLBACKS = {
    "text": ("content", "body", "paragraphs", "article", "full_text", "summary", "description"),
    "published": ("date", "published_at", "pubDate", "datetime", "timestamp", "created_at"),
    "title": ("headline",),
    "url": ("link", "href"),
}
csv.field_size_limit(50_000_000)


@dataclass
class FieldNames:
    """Which record fields (JSON keys, CSV columns) hold each article attribute."""

    title: str = "title"
    text: str = "text"
    url: str = "url"
    published: str = "published"
    source: str = "source"
    author: str = "author"


@dataclass
class ImportOptions:
    """How to read the files: field names, date handling, CSV dialect, source name."""

    fields: FieldNames = field(default_factory=FieldNames)
    published: datetime | None = None
    date_format: str | None = None
    date_order: DateOrder | None = None  # None: decided per file from its dates
    update: bool = False  # refresh the metadata of records already stored
    delimiter: str | None = None
    source: str | None = None
    encoding: str = "utf-8"


@dataclass
class ImportStats:
    """Counts for one import run."""

    files: int = 0
    records: int = 0
    new: int = 0
    duplicates: int = 0
    known: int = 0
    failed: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        """Add one stored record's outcome."""
        if outcome == Outcome.NEW:
            self.new += 1
        elif outcome == Outcome.DUPLICATE:
            self.duplicates += 1
        elif outcome == Outcome.UPDATED:
            self.known += 1
            self.updated += 1
        else:
            self.known += 1


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files to import: the given files, and supported files inside given folders."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.suffix.lower() in SUFFIXES)
        else:
            files.append(path)
    return files


def read_records(path: Path, options: ImportOptions, source: OpenFile) -> Iterator[dict[str, Any]]:
    """The records of one file (`source`: the file opened by `open_text`), by its suffix, one
    at a time; raises ImportFormatError when unreadable."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".html", ".htm"):
            yield _html_record(path, source.raw.max_record_bytes)
            return
        if suffix not in SUFFIXES:
            raise ImportFormatError(f"{path}: unsupported file type {suffix!r}")
        if suffix == ".txt":
            yield _text_record(path, read_whole(source))
        elif suffix == ".json":
            yield from _json_records(json_items(path, options.encoding, source))
        elif suffix == ".jsonl":
            yield from _jsonl_records(source)
        else:
            yield from _csv_records(path, source, options)
    except (OSError, UnicodeDecodeError, ijson.JSONError, csv.Error) as exc:
        raise ImportFormatError(f"{path}: {type(exc).__name__}: {exc}") from exc


def _text_record(path: Path, text: str) -> dict[str, Any]:
    """A .txt file: the first non-empty line is the title, the whole file the text."""
    if not text.strip():
        raise ImportFormatError(f"{path}: the file is empty")
    title = next((line.strip() for line in text.splitlines() if line.strip()), path.stem)
    return {"title": title, "text": text}


def _html_record(path: Path, max_bytes: int) -> dict[str, Any]:
    """An .html file: text and metadata via trafilatura."""
    if path.stat().st_size > max_bytes:
        raise ImportFormatError(
            f"{path}: larger than TIDINGS_IMPORT_MAX_RECORD_BYTES ({max_bytes:,})"
        )
    page = extract_page(path.read_bytes(), path.resolve().as_uri())
    if page is None:
        raise ImportFormatError(f"{path}: no article text found in the HTML")
    return {"title": page.title or path.stem, "text": page.text, "author": page.author,
            "published": page.published.isoformat() if page.published else None}  # fmt: skip


def _json_records(items: Iterator[Any]) -> Iterator[dict[str, Any]]:
    """Records of a JSON document: each item that is an object, an error record for others."""
    for item in items:
        yield item if isinstance(item, dict) else {"_error": f"not an object: {item!r:.60}"}


def _jsonl_records(source: OpenFile) -> Iterator[dict[str, Any]]:
    """One record per non-empty line; an unreadable or oversized line becomes an error record."""
    for number, line in jsonl_lines(source):
        if line is None:
            yield {"_error": f"line {number}: longer than TIDINGS_IMPORT_MAX_RECORD_BYTES"}
            continue
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"_error": f"line {number}: {exc}"}
            continue
        yield item if isinstance(item, dict) else {"_error": f"line {number}: not an object"}


def _csv_records(path: Path, source: OpenFile, options: ImportOptions) -> Iterator[dict[str, Any]]:
    """Rows of a CSV file; the delimiter is given or sniffed from the header. A row with more
    or fewer fields than the header, or a quote the strict reader cannot place, becomes an
    error record naming its lines: its fields would be merged or shifted."""
    first_line = source.text.readline()
    delimiter = options.delimiter
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(first_line.splitlines()[0], ",;\t|").delimiter
        except (csv.Error, IndexError):
            delimiter = ","
    reader = csv.reader(chain([first_line], source.text), delimiter=delimiter, strict=True)
    header = next(reader, None)
    if header is None:
        raise ImportFormatError(f"{path}: the file is empty")
    while True:
        first = reader.line_num + 1
        source.raw.mark()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield {"_error": f"lines {first}-{reader.line_num}: {exc}: a stray or unclosed quote "
                   "merges fields and rows; rows refused", "_lines": True}  # fmt: skip
            continue
        if len(row) != len(header):
            lines = f"lines {first}-{reader.line_num}" if reader.line_num > first else (
                f"line {first}")  # fmt: skip
            yield {"_error": f"{lines}: {len(row)} fields where the header has {len(header)} "
                   "(a stray or unclosed quote merges fields and rows); row refused",
                   "_lines": True}  # fmt: skip
            continue
        if any(row):
            yield dict(zip(header, row, strict=True))


def _field(record: dict[str, Any], name: str, attribute: str) -> Any:
    """The record's `name` field, else the first common alternative name it has."""
    if record.get(name) not in (None, "", []):
        return record.get(name)
    for alternative in _FALLBACKS.get(attribute, ()):
        if record.get(alternative) not in (None, "", []):
            return record[alternative]
    return None


def _checked_text(record: dict[str, Any], name: str, attribute: str, *, where: str) -> str:
    """A text field (a string, or a list of strings such as paragraphs); ImportFormatError
    naming the field when it holds something else (a number, an object)."""
    value = _field(record, name, attribute)
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, list) and all(isinstance(v, str) or v is None for v in value):
        return _text_value(value)
    used = next((n for n in (name, *_FALLBACKS.get(attribute, ())) if record.get(n) is value), name)
    kind = "a number" if isinstance(value, int | float) else f"a {type(value).__name__}"
    raise ImportFormatError(f"{where}: field {used!r} holds {kind} ({value!r:.40}), not text")


def _text_value(value: Any) -> str:
    """A field as text; lists (e.g. paragraphs) are joined as paragraphs."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n\n".join(str(v).strip() for v in value if v is not None)
    return str(value)


def parse_published(
    value: Any, *, date_format: str | None, order: DateOrder | None = None
) -> datetime | None:
    """A UTC datetime from a record's date: the given format, ISO 8601, then dateparser with
    the file's day/month order."""
    return parse_date(_text_value(value), order=order, date_format=date_format)


def _date_decision(path: Path, options: ImportOptions, source: OpenFile) -> DateDecision:
    """The date order of one record file, from its date values and the URLs beside them (one
    streaming pass: only the evidence is kept, not the values)."""
    names = options.fields

    def pairs() -> Iterator[tuple[str, str]]:
        for record in read_records(path, options, source):
            source.raw.mark()
            if "_error" not in record:
                yield (_text_value(_field(record, names.published, "published")),
                       _text_value(_field(record, names.url, "url")))  # fmt: skip

    return decide_date_order_pairs(pairs())


class Importer:
    """Turns records into stored articles, one atomic commit each."""

    def __init__(self, engine: Engine, options: ImportOptions, settings: IngestSettings) -> None:
        self.on_record: Callable[[Path], None] | None = None  # before each record (progress)
        self.on_bytes: Callable[[Path, int], None] | None = None  # after each: bytes read
        self.settings = settings
        self.engine = engine
        self.options = options
        self.store = ArticleStore(engine, settings)
        self._sources: dict[str, int] = {}
        self._order: DateOrder | None = options.date_order

    def source_id(self, name: str) -> int:
        """The id of the file source called `name`, created on first use."""
        if name not in self._sources:
            url = f"import:{name}"
            with Session(self.engine) as session:
                source = session.exec(select(Source).where(Source.url == url)).first()
                if source is None:
                    source = Source(name=name, url=url, kind=SourceKind.FILE, enabled=False)
                    session.add(source)
                    session.commit()
                    session.refresh(source)
                assert source.id is not None
                self._sources[name] = source.id
        return self._sources[name]

    def candidate(self, record: dict[str, Any], *, path: Path, number: int) -> Candidate:
        """The article a record describes; ImportFormatError when it has no text or title."""
        names = self.options.fields
        if "_error" in record:
            where = " " if record.get("_lines") else ": "
            raise ImportFormatError(f"{path}{where}{record['_error']}")
        text = clean_text(
            _checked_text(record, names.text, "text", where=f"{path} record {number}")
        )
        title = _checked_text(record, names.title, "title", where=f"{path} record {number}")
        title = clean_text(repair_mojibake(title))
        if not text and not title:
            raise ImportFormatError(f"{path} record {number}: no {names.title!r} or {names.text!r}")
        raw_url = _text_value(_field(record, names.url, "url")).strip()
        url = canonical_url(raw_url) if raw_url.startswith(("http://", "https://")) else ""
        published = parse_published(
            _field(record, names.published, "published"),
            date_format=self.options.date_format,
            order=self._order,
        )
        published_from = PublishedFrom.RECORD
        if published is None:
            published = self.options.published
        if published is None:
            published_from = PublishedFrom.FIRST_SEEN
        source = _text_value(record.get(names.source)).strip() or self.options.source or path.name
        return Candidate(
            url=url or f"{path.resolve().as_uri()}#{number}",
            title=title,
            text=text,
            text_source=TextSource.FILE,
            source_id=self.source_id(source),
            original_url=raw_url if raw_url and raw_url != url else None,
            author=_text_value(record.get(names.author)).strip() or None,
            language=detect_language(text or title),
            published_at=published,
            published_from=published_from,
            extraction_note=f"imported from {path.name}",
        )

    def decide_dates(self, path: Path, stats: ImportStats) -> None:
        """Settle the file's day/month order before its first record (a first streaming pass);
        ImportFormatError when it has ambiguous dates and neither the file nor the options
        decide."""
        self._order = self.options.date_order
        told = self.options.date_order is not None or self.options.date_format is not None
        if path.suffix.lower() not in (".csv", ".json", ".jsonl"):
            return
        with self._open(path) as source:
            decision = _date_decision(path, self.options, source)
        if told:
            if decision.numeric and self.options.date_order is not None:
                stats.notes.append(f"{path}: dates read {self.options.date_order.value} (as told)")
            return
        if decision.order is not None:
            self._order = decision.order
            stats.notes.append(f"{path}: dates read {decision.reason}")
        elif decision.needed:
            raise ImportFormatError(
                f"{path}: {decision.reason}; give --dayfirst, --monthfirst or --date-format"
            )

    def _open(self, path: Path) -> AbstractContextManager[OpenFile]:
        """The file as a decoded stream (ImportFormatError when unreadable)."""
        return open_text(path, self.options.encoding, self.settings.import_max_record_bytes)

    def import_file(self, path: Path, stats: ImportStats) -> None:
        """Store every record of one file, counting outcomes and errors."""
        stats.files += 1
        note = None
        try:
            self.decide_dates(path, stats)
            with self._open(path) as source:
                try:
                    self._store_records(path, source, stats)
                finally:
                    note = source.note()
        except ImportFormatError as exc:
            stats.failed += 1
            stats.errors.append(str(exc))
        if note:
            stats.notes.append(note)

    def _store_records(self, path: Path, source: OpenFile, stats: ImportStats) -> None:
        """The record pass: each record stored (or its error counted) in turn."""
        for number, record in enumerate(read_records(path, self.options, source), 1):
            stats.records += 1
            if self.on_record is not None:
                self.on_record(path)
            try:
                candidate = self.candidate(record, path=path, number=number)
                stats.count(self.store.store(candidate, update=self.options.update))
            except ImportFormatError as exc:
                stats.failed += 1
                stats.errors.append(str(exc))
            if self.on_bytes is not None:
                self.on_bytes(path, source.raw.position)


def import_paths(
    engine: Engine,
    paths: list[Path],
    *,
    options: ImportOptions | None = None,
    settings: IngestSettings | None = None,
    on_record: Callable[[Path], None] | None = None,
    on_bytes: Callable[[Path, int], None] | None = None,
) -> ImportStats:
    """Import files and folders; returns counts (new, duplicates, known, failed);
    `on_record(path)` is called before each record is stored, `on_bytes(path, n)` after it
    with the bytes of the file read so far (progress displays)."""
    importer = Importer(engine, options or ImportOptions(), settings or get_ingest_settings())
    importer.on_record = on_record
    importer.on_bytes = on_bytes
    stats = ImportStats()
    for path in expand_paths(paths):
        importer.import_file(path, stats)
    return stats
