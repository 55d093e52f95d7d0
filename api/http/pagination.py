"""Opaque cursors for list routes: base64url JSON of the last row's sort key."""

import base64
import binascii
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from api.http.errors import ApiProblem

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list route."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(key: dict[str, Any]) -> str:
    """The cursor that resumes after the row with this sort key."""
    raw = json.dumps(key, separators=(",", ":"), default=str).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _in_range(value: object) -> bool:
    """Cursor values the databases can compare (a forged one could overflow or hold NUL)."""
    if isinstance(value, int):
        return 0 <= value <= 2**62
    return isinstance(value, str) and len(value) <= 300 and "\x00" not in value


def decode_cursor(cursor: str | None, fields: dict[str, type]) -> dict[str, Any] | None:
    """The sort key inside `cursor` (None for the first page); 422 naming `cursor` if bad."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ApiProblem(422, "not a cursor returned by this route", param="cursor") from exc
    if not isinstance(key, dict) or set(key) != set(fields):
        raise ApiProblem(422, "not a cursor returned by this route", param="cursor")
    for name, kind in fields.items():
        value = key[name]
        if not isinstance(value, kind) or isinstance(value, bool) or not _in_range(value):
            raise ApiProblem(422, "not a cursor returned by this route", param="cursor")
    return key
