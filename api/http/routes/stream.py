"""GET /stream: server-sent events, one `article` event per article as `process` stores it (in
this process or any other writing the same store), with its claims; resumable with
Last-Event-ID."""

import json
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from anyio import to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine

from api.http.deps import EngineDep, ReadAccess, SettingsDep
from api.http.errors import ApiProblem
from api.http.schemas import ArticleSummary, ClaimOut
from api.http.schemas_analytics import StreamEvent
from api.services.stream import Follower, Position, latest

router = APIRouter(tags=["stream"], dependencies=[ReadAccess])
KEEPALIVE_S = 15.0
EXAMPLE = (
    'id: 1765078800123456-42\nevent: article\ndata: {"article": {"id": 42, "title": "ETF '
    'outflows deepen", ...}, "processed_at": "2025-12-07T03:40:00.123456Z", "claims": [...]}\n\n'
)


def _event(position: Position, row: dict[str, Any]) -> str:
    event = StreamEvent(
        article=ArticleSummary(**row["article"]),
        processed_at=row["processed_at"],
        claims=[ClaimOut.model_validate(c, from_attributes=True) for c in row["claims"]],
    )
    data = json.dumps(event.model_dump(mode="json"), ensure_ascii=False)
    return f"id: {position.event_id()}\nevent: article\ndata: {data}\n\n"


async def _events(
    follower: Follower, *, poll_s: float, closing: threading.Event
) -> AsyncIterator[str]:
    yield "retry: 2000\n: connected\n\n"
    quiet_since = time.monotonic()
    while not closing.is_set():
        found = await to_thread.run_sync(follower.poll)
        for position, row in found:
            yield _event(position, row)
        if found:
            quiet_since = time.monotonic()
            if len(found) >= follower.batch:
                continue  # more are waiting
        elif time.monotonic() - quiet_since >= KEEPALIVE_S:
            yield ": keepalive\n\n"  # also finds out when the client left
            quiet_since = time.monotonic()
        waited = 0.0
        while waited < poll_s and not closing.is_set():
            await anyio.sleep(min(0.2, poll_s))
            waited += 0.2


def _start(engine: Engine, resume: str | None) -> Follower:
    if resume:
        try:
            position: Position | None = Position.parse(resume)
        except ValueError as exc:
            raise ApiProblem(422, str(exc), param="Last-Event-ID") from exc
    else:
        position = latest(engine)
    follower = Follower(engine, position)
    follower.start()
    return follower


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "An endless text/event-stream: `article` events (id, event, data)",
            "content": {"text/event-stream": {"schema": {"type": "string"}, "example": EXAMPLE}},
        }
    },
)
async def stream(
    *,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    last_event_id: Annotated[str | None, Header(max_length=60)] = None,
    resume: Annotated[
        str | None,
        Query(max_length=60, description="Event id to resume after (as Last-Event-ID)."),
    ] = None,
) -> StreamingResponse:
    """Each article as `process` stores it, with its claims (an `article` event whose data is
    {"article", "processed_at", "claims"}). Starts at the newest processed article; a client
    that reconnects with `Last-Event-ID` (or `resume`) gets what it missed since that event."""
    follower = await to_thread.run_sync(_start, engine, last_event_id or resume)
    closing: threading.Event = request.app.state.closing
    return StreamingResponse(
        _events(follower, poll_s=settings.api_stream_poll_s, closing=closing),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
