"""Streamed CSV and Parquet responses from a generator of row batches.

Nothing holds the whole export: CSV goes out batch by batch; Parquet is written one row group
per batch into a sink that the response drains after every row group (pyarrow writes a row
group as soon as `write_table` returns), so memory stays at about one batch either way.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.responses import StreamingResponse

Batches = Iterable[list[dict[str, Any]]]
PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"


class _Sink(io.RawIOBase):
    """A write-only file that keeps what was written until `take` hands it out."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        """Everything written since the last call."""
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def csv_chunks(batches: Batches, columns: list[str]) -> Iterator[str]:
    """A header line, then one text chunk per batch (keys outside `columns` are dropped)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for batch in batches:
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def parquet_chunks(batches: Batches, schema: pa.Schema) -> Iterator[bytes]:
    """Parquet (zstd) bytes: the header, one row group per batch, then the footer."""
    sink = _Sink()
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            if chunk := sink.take():
                yield chunk
    yield sink.take()


def _disposition(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_response(batches: Batches, columns: list[str], filename: str) -> StreamingResponse:
    """The batches as a streamed CSV download."""
    return StreamingResponse(
        csv_chunks(batches, columns),
        media_type="text/csv; charset=utf-8",
        headers=_disposition(filename),
    )


def parquet_response(batches: Batches, schema: pa.Schema, filename: str) -> StreamingResponse:
    """The batches as a streamed Parquet download, one row group per batch."""
    return StreamingResponse(
        parquet_chunks(batches, schema),
        media_type=PARQUET_MEDIA_TYPE,
        headers=_disposition(filename),
    )
