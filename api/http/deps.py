"""FastAPI dependencies: the database session, settings, API-key checks and the rate limit.

They are `async def` so FastAPI runs them on the event loop: a plain `def` dependency costs a
hop to the thread pool and back on every request (a session generator two). None of them
blocks, except the API-key lookup, which goes to the thread pool itself.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.http.errors import ApiProblem
from api.http.keys import RateLimiter, allows, find_key
from api.http.settings import ApiSettings
from models.keys import KeyScope


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    """The app's engine (made in the lifespan)."""
    return _engine(request)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request (it connects on first use, in the route's thread)."""
    with Session(_engine(request), expire_on_commit=False) as session:
        yield session


async def get_settings(request: Request) -> ApiSettings:
    """The settings the app was created with."""
    return _settings(request)


EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]


def _presented_key(request: Request) -> str | None:
    """The key sent as `X-API-Key` or `Authorization: Bearer ...`."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _check(request: Request, needed: KeyScope | None) -> None:
    """Refuse NUL characters (PostgreSQL cannot store or compare them), verify the key
    (required when `needed` is set) and take one request from its bucket."""
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        if "\x00" in str(value):
            raise ApiProblem(422, "contains a NUL character", param=name)
    key = _presented_key(request)
    caller = f"ip:{request.client.host if request.client else '-'}"
    if key is not None:
        row = await run_in_threadpool(find_key, _engine(request), key)
        if row is None:
            raise ApiProblem(401, "unknown or revoked API key", param="X-API-Key")
        if needed is not None and not allows(row.scope, needed):
            raise ApiProblem(
                403, f"this key's scope is {row.scope.value}; {needed.value} needed",
                param="X-API-Key",
            )  # fmt: skip
        caller = f"key:{row.id}"
    elif needed is not None:
        raise ApiProblem(
            401, f"an API key with scope {needed.value} is needed (X-API-Key header)",
            param="X-API-Key", headers={"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.take(caller)
    if wait > 0:
        raise ApiProblem(
            429, f"rate limit reached; retry in {wait:.1f} s",
            headers={"Retry-After": str(max(1, round(wait)))},
        )  # fmt: skip


async def read_access(request: Request) -> None:
    """Reads: a key only when TIDINGS_API_REQUIRE_READ_KEY is on; always rate-limited."""
    needed = KeyScope.READ if _settings(request).api_require_read_key else None
    await _check(request, needed)


def require_scope(scope: KeyScope) -> Callable[[Request], Awaitable[None]]:
    """A dependency demanding a key of at least `scope`."""

    async def dependency(request: Request) -> None:
        await _check(request, scope)

    return dependency


ReadAccess = Depends(read_access)
WriteAccess = Depends(require_scope(KeyScope.WRITE))
