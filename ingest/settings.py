"""Crawler settings (env prefix TIDINGS_); every field is documented in the README."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class IngestSettings(BaseSettings):
    """How the crawler fetches, parses, extracts and dedupes."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    allow_private_addresses: bool = False
    user_agent: str = "tidings/0.1 (+https://github.com/tidings; news crawler)"
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    max_body_bytes: int = 10_000_000
    max_decompressed_bytes: int = 30_000_000
    max_redirects: int = 5
    max_retries: int = 2
    retry_base_delay_s: float = 1.0
    max_retry_after_s: float = 60.0
    global_concurrency: int = 16
    per_host_concurrency: int = 2
    politeness_delay_s: float = 0.5
    default_poll_interval_s: int = 900
    max_poll_backoff_s: int = 86_400
    fetch_pages: bool = True
    respect_robots: bool = True
    min_page_chars: int = 300
    near_dup_enabled: bool = True
    near_dup_threshold: float = 0.8
    near_dup_num_perm: int = 128
    near_dup_min_words: int = 30
    builtin_sources: bool = True
    watch_tick_s: float = 30.0
    import_max_record_bytes: int = 20_000_000


@lru_cache
def get_ingest_settings() -> IngestSettings:
    """The process-wide crawler settings, read once."""
    return IngestSettings()
