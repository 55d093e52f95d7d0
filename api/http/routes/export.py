"""GET /export/claims.csv and .parquet: every claim matching the GET /claims filters, streamed.

Rows are read in batches; CSV goes out row batch by row batch, Parquet is written one row group
per batch to a spooled temporary file (memory up to 16 MB, then disk) and streamed from there.
"""

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from api.http.deps import EngineDep, ReadAccess
from api.http.routes.claims import ClaimFilters
from api.services.claims_search import ClaimQuery, search_claims

router = APIRouter(tags=["export"], dependencies=[ReadAccess])
BATCH = 1000
SPOOL_BYTES = 16 * 1024 * 1024
SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("article_id", pa.int64()),
        ("published_at", pa.string()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("text", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("metric", pa.string()),
        ("subject", pa.string()),
        ("subject_id", pa.string()),
        ("direction", pa.string()),
        ("claim_type", pa.string()),
        ("stance", pa.string()),
        ("time_start", pa.string()),
        ("time_end", pa.string()),
        ("time_text", pa.string()),
        ("attributed_to", pa.string()),
        ("qualifier", pa.string()),
        ("sentence_index", pa.int64()),
        ("sentence_text", pa.string()),
        ("rank", pa.float64()),
    ]
)
COLUMNS = SCHEMA.names


def claim_batches(engine: Engine, query: ClaimQuery) -> Iterator[list[dict[str, Any]]]:
    """Every matching claim, BATCH rows at a time, in the search's order."""
    offset = 0
    with Session(engine) as session:
        while True:
            hits = search_claims(session, replace(query, limit=BATCH, offset=offset))
            if not hits:
                return
            yield [{name: hit.to_dict().get(name) for name in COLUMNS} for hit in hits]
            if len(hits) < BATCH:
                return
            offset += BATCH
            session.expunge_all()


def _csv_stream(engine: Engine, query: ClaimQuery) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for batch in claim_batches(engine, query):
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def write_parquet(engine: Engine, query: ClaimQuery, out: BinaryIO) -> None:
    """Matching claims as Parquet, one row group per batch."""
    with pq.ParquetWriter(out, SCHEMA, compression="zstd") as writer:
        for batch in claim_batches(engine, query):
            writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))


def _file_chunks(spool: Any) -> Iterator[bytes]:
    try:
        spool.seek(0)
        while chunk := spool.read(256 * 1024):
            yield chunk
    finally:
        spool.close()


@router.get("/export/claims.csv", response_class=StreamingResponse)
def export_claims_csv(engine: EngineDep, filters: ClaimFilters) -> StreamingResponse:
    """Claims matching the GET /claims filters as CSV (no page limit), streamed."""
    return StreamingResponse(
        _csv_stream(engine, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="claims.csv"'},
    )


@router.get("/export/claims.parquet", response_class=StreamingResponse)
def export_claims_parquet(engine: EngineDep, filters: ClaimFilters) -> StreamingResponse:
    """Claims matching the GET /claims filters as Parquet (zstd), one row group per 1000 rows."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by the stream)
    try:
        write_parquet(engine, filters, spool)  # type: ignore[arg-type]
    except BaseException:
        spool.close()
        raise
    return StreamingResponse(
        _file_chunks(spool),
        media_type="application/vnd.apache.parquet",
        headers={"Content-Disposition": 'attachment; filename="claims.parquet"'},
    )
