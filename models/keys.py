"""API keys: only a hash of each key is stored."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from models._time import utcnow


class KeyScope(StrEnum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


SCOPE_RANK = {KeyScope.READ: 0, KeyScope.WRITE: 1, KeyScope.ADMIN: 2}


class ApiKey(SQLModel, table=True):
    """One API key: its public prefix, the SHA-256 of the whole key, its scope."""

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(index=True)  # first characters, shown in listings
    key_hash: str = Field(unique=True, index=True)
    scope: KeyScope = KeyScope.READ
    name: str = ""
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    revoked: bool = False
