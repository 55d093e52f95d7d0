"""HTTP API settings (env prefix TIDINGS_)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """How `tidings serve` / `tidings run` serve the API and dashboard."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    api_host: str = "127.0.0.1"
    """Address `tidings serve` and `tidings run` listen on."""
    api_port: int = Field(default=8000, ge=0, le=65535)
    """Port `tidings serve` and `tidings run` listen on."""
    api_workers: int = Field(default=0, ge=0)
    """Processes `tidings serve` runs (0: one per CPU, at most 4); `tidings run` serves from one."""
    api_require_read_key: bool = False
    """When on, GET routes need an API key too (writes always need one)."""
    api_rate_limit_per_minute: int = Field(default=600, ge=1)
    """Requests per minute allowed per API key (or per client address without a key)."""
    api_cors_origins: list[str] = Field(default_factory=list)
    """Origins allowed by CORS, a JSON list such as ["https://app.example"]; empty: no CORS."""
    api_max_body_bytes: int = Field(default=1_000_000, ge=1)
    """Largest request body accepted (413 above it)."""
    api_max_upload_bytes: int = Field(default=20_000_000, ge=1)
    """Largest CSV body POST /market/series/{symbol} accepts (413 above it)."""
    api_stream_poll_s: float = Field(default=1.0, gt=0, le=60)
    """Seconds between GET /stream's looks at the store for newly processed articles."""
    api_max_analyze_chars: int = Field(default=100_000, ge=1)
    """Longest text POST /analyze accepts."""
    api_max_page_size: int = Field(default=200, ge=1)
    """Largest `limit` a list route accepts."""


@lru_cache
def get_api_settings() -> ApiSettings:
    """The process-wide API settings, read once."""
    return ApiSettings()
