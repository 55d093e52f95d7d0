"""Narrative settings (env prefix TIDINGS_)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class NarrativeSettings(BaseSettings):
    """Where user narratives live and how the sentence encoder runs."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    user_narratives_file: Path | None = None
    """Optional YAML file of extra narratives (same format as nlp/narratives/taxonomy.yaml);
    `tidings narratives promote` writes to it."""

    narrative_threads: int = 1
    """Intra-op threads of the encoder's ONNX Runtime session (1: no thread pool, the least CPU
    time per sentence; 2: less wall time for one analysis on an idle machine)."""

    narrative_batch_size: int = 32
    """Sentences per encoder batch (batches are formed after sorting by token length)."""


@lru_cache
def get_narrative_settings() -> NarrativeSettings:
    """The process-wide narrative settings, read once."""
    return NarrativeSettings()
