"""Sentiment settings (env prefix TIDINGS_): which backend and model, threads, batching, cache."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class SentimentSettings(BaseSettings):
    """Which sentiment backend runs and how it is loaded and batched."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    sentiment_backend: str = "embedded"
    """Registered backend name: `embedded` (shipped ONNX int8 model) or `hf` (any HF classifier)."""

    sentiment_model_dir: Path | None = None
    """Folder of an embedded-format model to use instead of the shipped nlp/sentiment_model/."""

    sentiment_hf_model: str = "ProsusAI/finbert"
    """Hub name or local path of a sequence-classification model for the `hf` backend."""

    sentiment_label_map: str = ""
    """JSON object: hf model label -> negative/neutral/positive, e.g. {"LABEL_0": "negative"}."""

    sentiment_threads: int = 1
    """Intra-op threads for ONNX Runtime / torch inference. One costs the least CPU per sentence
    (no pool of threads to wake and join per operator: about 15 % less on the 2-CPU bench
    machine, docs/BENCHMARKS.md "Analyze"); 2 shortens a single analysis on an idle machine."""

    sentiment_batch_size: int = 32
    """Sentences per inference batch (batches are formed after sorting by length)."""

    sentiment_max_length: int = 128
    """Sentences are truncated to this many tokens."""

    sentiment_cache_size: int = 50_000
    """Sentence results kept in the in-process LRU cache (keyed by a hash of the text); 0 = off."""


@lru_cache
def get_sentiment_settings() -> SentimentSettings:
    """The process-wide sentiment settings, read once."""
    return SentimentSettings()
