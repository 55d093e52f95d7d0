"""GET /export/claims.csv and .parquet: every claim matching the GET /claims filters, streamed.

Rows are read by keyset in batches of BATCH (claim-id order) and go out batch by batch: CSV text,
or one Parquet row group per batch (api/http/streaming.py), so memory stays at about one batch.
"""

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from api.http.deps import EngineDep, ReadAccess
from api.http.routes.claims import ClaimFilters
from api.http.streaming import csv_response, parquet_response
from api.services.claims_search import ClaimQuery, claims_after

router = APIRouter(tags=["export"], dependencies=[ReadAccess])
BATCH = 1000
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
        ("unit_inferred", pa.bool_()),
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


def _row(full: dict[str, Any]) -> dict[str, Any]:
    """The export's columns of one claim (serialized once, not once per column)."""
    return {name: full.get(name) for name in COLUMNS}


def claim_batches(engine: Engine, query: ClaimQuery) -> Iterator[list[dict[str, Any]]]:
    """Every matching claim, BATCH rows at a time in claim-id order, by keyset (id > last id),
    so each batch is one index range however far the export has gone."""
    after = 0
    while True:
        # a session per batch: no connection or snapshot is held while the client reads
        with Session(engine) as session:
            hits = claims_after(session, query, after_id=after, size=BATCH)
            rows = [_row(hit.to_dict()) for hit in hits]
        if rows:
            yield rows
        if len(hits) < BATCH or hits[-1].claim.id is None:
            return
        after = hits[-1].claim.id


@router.get("/export/claims.csv", response_class=StreamingResponse)
def export_claims_csv(engine: EngineDep, filters: ClaimFilters) -> StreamingResponse:
    """Claims matching the GET /claims filters as CSV (no page limit, claim-id order), streamed."""
    return csv_response(claim_batches(engine, filters), COLUMNS, "claims.csv")


@router.get("/export/claims.parquet", response_class=StreamingResponse)
def export_claims_parquet(engine: EngineDep, filters: ClaimFilters) -> StreamingResponse:
    """Claims matching the GET /claims filters as Parquet (zstd, claim-id order), streamed one
    row group per 1000 rows."""
    return parquet_response(claim_batches(engine, filters), SCHEMA, "claims.parquet")
