"""Request body size limit: 413 problem+json for bodies over TIDINGS_API_MAX_BODY_BYTES (or, for
paths under an upload prefix, TIDINGS_API_MAX_UPLOAD_BYTES)."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def _send_413(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "https://tidings.dev/problems/413",
            "title": "Request body too large",
            "status": 413,
            "detail": f"request body over {limit} bytes",
            "param": "body",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuses a declared Content-Length over the limit, and cuts off streamed bodies at it."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, *, uploads: tuple[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = uploads  # (path prefix, its limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if self.uploads and str(scope.get("path", "")).startswith(self.uploads[0]):
            limit = self.uploads[1]
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _send_413(send, limit)
            return
        received = 0
        started = False
        refused = False

        async def limited_receive() -> Message:
            # Over the limit: answer 413 now and tell the app the client went away (an
            # exception here would be caught by the app's body parsing and become a 400).
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not started and not refused:
                        await _send_413(send, limit)
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)
