"""Reading archives as streams: memory bounded by `TIDINGS_IMPORT_MAX_RECORD_BYTES`, not by the
file's size.

Files are read in chunks through an incremental decoder; undecodable bytes become U+FFFD (the
one policy of every format) and are counted with the line of the first. JSON is parsed
incrementally (ijson), one record at a time; JSON Lines and CSV a line or row at a time. A
record larger than the limit is refused: a JSON Lines line alone, a CSV row alone, and in a JSON
document the rest of the file (its structure cannot be followed past a record not read).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson

from ingest.errors import ImportFormatError

_HANDLER = "tidings-count-replace"
CHUNK_BYTES = 64 * 1024
SLACK_BYTES = 4 * CHUNK_BYTES  # read ahead by the buffers between the file and the parser
_current: ContextVar[CountingReader | None] = ContextVar("tidings_stream", default=None)


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    """Replace an undecodable span with U+FFFD and count it on the stream being read."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    reader = _current.get()
    if reader is not None:
        reader.note_undecodable(exc)
    return "\ufffd", exc.end


codecs.register_error(_HANDLER, _count_and_replace)


class RecordTooLargeError(ImportFormatError):
    """One record is larger than TIDINGS_IMPORT_MAX_RECORD_BYTES."""


class CountingReader(io.RawIOBase):
    """A file's bytes with the position, the newlines passed and a per-record byte budget."""

    def __init__(self, path: Path, max_record_bytes: int) -> None:
        super().__init__()
        self.path = path
        self.max_record_bytes = max_record_bytes
        self.position = 0
        self.newlines = 0
        self.replaced = 0
        self.first_bad_line: int | None = None
        self._mark = 0
        self._file = path.open("rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer` from the file; RecordTooLargeError when a record outgrows the limit."""
        if self.position - self._mark > self.max_record_bytes + SLACK_BYTES:
            raise RecordTooLargeError(
                f"{self.path}: a record near byte {self._mark} is larger than "
                f"TIDINGS_IMPORT_MAX_RECORD_BYTES ({self.max_record_bytes:,}); rest of file skipped"
            )
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        self.newlines += data.count(b"\n")
        return len(data)

    def mark(self) -> None:
        """A record ended: its byte budget starts again here."""
        self._mark = self.position

    def note_undecodable(self, exc: UnicodeDecodeError) -> None:
        """Count one replaced span; remember the line of the first."""
        self.replaced += 1
        if self.first_bad_line is None:
            data = exc.object
            after = bytes(data).count(b"\n", exc.start) if data is not None else 0
            self.first_bad_line = self.newlines - after + 1

    def close(self) -> None:
        self._file.close()
        super().close()


@dataclass
class OpenFile:
    """One open file: its byte reader and its decoded text stream."""

    raw: CountingReader
    text: IO[str]

    def note(self) -> str | None:
        """The undecodable-bytes note of the file read so far (None when all bytes decoded)."""
        if not self.raw.replaced:
            return None
        return (
            f"{self.raw.path}: {self.raw.replaced} undecodable byte(s) replaced with U+FFFD "
            f"(first on line {self.raw.first_bad_line})"
        )


@contextmanager
def open_text(path: Path, encoding: str, max_record_bytes: int) -> Iterator[OpenFile]:
    """A file as a decoded, counted stream; an unreadable file is an ImportFormatError."""
    try:
        raw = CountingReader(path, max_record_bytes)
    except OSError as exc:
        raise ImportFormatError(f"{path}: {type(exc).__name__}: {exc}") from exc
    buffered = io.BufferedReader(raw, buffer_size=CHUNK_BYTES)
    source = OpenFile(raw, io.TextIOWrapper(buffered, encoding, _HANDLER, ""))
    token = _current.set(raw)
    try:
        yield source
    finally:
        _current.reset(token)
        source.text.close()


class _Utf8Bytes(io.RawIOBase):
    """The decoded text as UTF-8 bytes, for ijson (so decoding keeps the one U+FFFD policy)."""

    def __init__(self, text: IO[str]) -> None:
        super().__init__()
        self._text = text
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while len(self._pending) < len(buffer):
            chunk = self._text.read(16 * 1024)
            if not chunk:
                break
            self._pending += chunk.encode("utf-8", "surrogatepass")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


RECORD_LISTS = ("articles", "items", "records", "data")


def _json_prefix(source: OpenFile) -> str:
    """Where the records are: "item" (a list), "KEY.item" (an object holding a list under one
    of RECORD_LISTS, first in that order), or "" (the whole document is one record)."""
    lists: set[str] = set()
    key = None
    for prefix, event, value in ijson.parse(_Utf8Bytes(source.text)):
        source.raw.mark()  # the scan keeps no record in memory
        if prefix == "" and event == "start_array":
            return "item"
        if prefix == "" and event == "map_key":
            key = value
        elif prefix == key and event == "start_array" and key in RECORD_LISTS:
            lists.add(key)
            if key == RECORD_LISTS[0]:
                break
    return next((f"{name}.item" for name in RECORD_LISTS if name in lists), "")


def json_items(path: Path, encoding: str, source: OpenFile) -> Iterator[Any]:
    """The records of a JSON document, one at a time (`source`: the file opened for them; a
    first scan finds where the records are). Items that are not objects are yielded too."""
    with open_text(path, encoding, source.raw.max_record_bytes) as scan:
        prefix = _json_prefix(scan)
    for item in ijson.items(_Utf8Bytes(source.text), prefix, use_float=True):
        yield item
        source.raw.mark()


def jsonl_lines(source: OpenFile) -> Iterator[tuple[int, str | None]]:
    """(line number, line) of a JSON Lines file; the line is None when it is longer than the
    limit (then skipped to its end)."""
    limit = source.raw.max_record_bytes
    number = 0
    while True:
        line = source.text.readline(limit + 1)
        if not line:
            return
        number += 1
        source.raw.mark()
        if len(line) > limit and not line.endswith("\n"):
            while line and not line.endswith("\n"):
                line = source.text.readline(limit)
                source.raw.mark()
            yield number, None
            continue
        yield number, line


def read_whole(source: OpenFile) -> str:
    """A one-record file's text; RecordTooLargeError past the limit."""
    limit = source.raw.max_record_bytes
    text = source.text.read(limit + 1)
    if len(text) > limit:
        raise RecordTooLargeError(
            f"{source.raw.path}: larger than TIDINGS_IMPORT_MAX_RECORD_BYTES ({limit:,})"
        )
    return text
