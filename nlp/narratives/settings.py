"""Narrative settings (env prefix TIDINGS_)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class NarrativeSettings(BaseSettings):
    """Where user narratives live."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    user_narratives_file: Path | None = None
    """Optional YAML file of extra narratives (same format as nlp/narratives/taxonomy.yaml);
    `tidings narratives promote` writes to it."""

    narratives_gate: bool = False
    """Encode only sentences with a keyword of some narrative (TIDINGS_NARRATIVES_GATE): cheaper,
    but keyword-free assignment and the run pass cannot reach the other sentences."""


@lru_cache
def get_narrative_settings() -> NarrativeSettings:
    """The process-wide narrative settings, read once."""
    return NarrativeSettings()
