"""Database settings (env prefix TIDINGS_)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    """Where the store lives."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///tidings.db"
    """SQLAlchemy URL of the store: a SQLite file (default) or postgresql+psycopg://..."""


@lru_cache
def get_database_settings() -> DatabaseSettings:
    """The process-wide database settings, read once."""
    return DatabaseSettings()
