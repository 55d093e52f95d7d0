"""One error shape for every failure: RFC 9457 problem+json naming the offending parameter."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.errors import IngestError
from models.errors import DatabaseUnavailableError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "API key required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    422: "Invalid parameter",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class ApiProblem(Exception):
    """Raised by routes and dependencies: becomes a problem+json response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.param = param
        self.headers = headers or {}


def problem(
    status: int,
    detail: str,
    *,
    param: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": f"https://tidings.dev/problems/{status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "param": param,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        name = loc[-1] if len(loc) > 1 else (loc[0] if loc else None)
        if loc and loc[0] == "body" and len(loc) > 1:
            name = ".".join(loc[1:])
        errors.append({"param": name, "in": loc[0] if loc else None, "reason": error.get("msg")})
    first = errors[0] if errors else {"param": None, "reason": "invalid request"}
    detail = f"{first['param']}: {first['reason']}" if first["param"] else str(first["reason"])
    return problem(422, detail, param=first["param"], errors=errors)


def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))


def _api_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem(exc.status, exc.detail, param=exc.param, headers=exc.headers)


def _source_error(_request: Request, exc: Exception) -> JSONResponse:
    return problem(400, str(exc))


def _database(_request: Request, exc: Exception) -> JSONResponse:
    return problem(503, str(exc))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, f"internal error ({type(exc).__name__}); see the server log")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through `problem`."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(IngestError, _source_error)
    app.add_exception_handler(DatabaseUnavailableError, _database)
    app.add_exception_handler(Exception, _unexpected)
