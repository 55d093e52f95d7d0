"""FastAPI dependencies: the database session, settings, API-key checks and the rate limit."""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from api.http.errors import ApiProblem
from api.http.keys import RateLimiter, allows, find_key
from api.http.settings import ApiSettings
from models.keys import KeyScope


def get_engine(request: Request) -> Engine:
    """The app's engine (made in the lifespan)."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request."""
    with Session(get_engine(request), expire_on_commit=False) as session:
        yield session


def get_settings(request: Request) -> ApiSettings:
    """The settings the app was created with."""
    settings: ApiSettings = request.app.state.settings
    return settings


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


def _check(request: Request, needed: KeyScope | None) -> None:
    """Refuse NUL characters (PostgreSQL cannot store or compare them), verify the key
    (required when `needed` is set) and take one request from its bucket."""
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        if "\x00" in str(value):
            raise ApiProblem(422, "contains a NUL character", param=name)
    key = _presented_key(request)
    caller = f"ip:{request.client.host if request.client else '-'}"
    if key is not None:
        row = find_key(get_engine(request), key)
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


def read_access(request: Request) -> None:
    """Reads: a key only when TIDINGS_API_REQUIRE_READ_KEY is on; always rate-limited."""
    needed = KeyScope.READ if get_settings(request).api_require_read_key else None
    _check(request, needed)


def require_scope(scope: KeyScope) -> Callable[[Request], None]:
    """A dependency demanding a key of at least `scope`."""

    def dependency(request: Request) -> None:
        _check(request, scope)

    return dependency


ReadAccess = Depends(read_access)
WriteAccess = Depends(require_scope(KeyScope.WRITE))
