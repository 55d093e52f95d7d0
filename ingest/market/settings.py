"""Market-data connector settings (env prefix TIDINGS_); documented in the README.

Timeouts, retries, the User-Agent, the politeness delay and the private-address guard come from
the crawler's settings (ingest/settings.py)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class MarketSettings(BaseSettings):
    """Where `tidings market fetch` asks for new points and how much per request."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    fred_csv_url: str = "https://fred.stlouisfed.org/graph/fredgraph.csv"
    binance_api_url: str = "https://api.binance.com/api/v3"
    market_fetch_batch: int = 1000


@lru_cache
def get_market_settings() -> MarketSettings:
    """The process-wide market settings, read once."""
    return MarketSettings()
