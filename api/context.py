"""Process-wide resources for CLI commands, created on first use, never at import."""

from functools import lru_cache

from sqlalchemy import Engine

from models.db import init_engine


@lru_cache
def get_engine() -> Engine:
    """The configured database, migrated to the newest schema."""
    return init_engine()
