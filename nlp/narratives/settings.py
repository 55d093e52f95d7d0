"""Narrative settings (env prefix TIDINGS_)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

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

    narratives_gate: bool = False
    """Encode only sentences with a keyword of some narrative (TIDINGS_NARRATIVES_GATE): cheaper,
    but keyword-free assignment and the run pass cannot reach the other sentences."""

    narratives_encoder: Literal["minilm", "sentiment"] = "minilm"
    """The sentence embeddings (TIDINGS_NARRATIVES_ENCODER): `minilm`, the narrative encoder's
    own pass (narratives-3); `sentiment`, the embedded sentiment model's pooled vectors, taken
    from the sentiment stage's pass (an experiment: lower F1, docs/EVALUATION.md "Narratives")."""


@lru_cache
def get_narrative_settings() -> NarrativeSettings:
    """The process-wide narrative settings, read once."""
    return NarrativeSettings()
