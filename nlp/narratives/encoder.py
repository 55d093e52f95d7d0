"""The narrative sentence encoders.

- `SentenceEncoder`: all-MiniLM-L6-v2 as ONNX int8 (built by nlp.training.narrative_encoder),
  a second transformer pass over every sentence (narratives-3, the default).
- `SentimentEncoder`: the pooled sentence vector of the shipped sentiment model (its classifier's
  input, exposed by nlp.sentiment.embedded.with_embedding_output), so the sentiment stage's pass
  serves both stages (TIDINGS_NARRATIVES_ENCODER=sentiment).

Both map sentences to L2-normalized 384-d embeddings. One session per process and folder;
sentences are sorted by token length and run in batches, so padding stays small.
"""

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from nlp.errors import ModelNotInstalledError
from nlp.sentiment.backend import length_sorted_batches
from nlp.sentiment.embedded import EmbeddedBackend, open_onnx_model, padded_batch, shared_backend
from nlp.sentiment.labels import normalize_text

ENCODER_DIR = Path(__file__).resolve().parent / "encoder"
REQUIRED = ("model.onnx", "tokenizer.json", "version.txt")


class SentenceEncoder:
    """ONNX Runtime session + fast tokenizer of one encoder folder."""

    def __init__(self, model_dir: Path, *, threads: int = 2, batch_size: int = 32) -> None:
        missing = [name for name in REQUIRED if not (model_dir / name).is_file()]
        if missing:
            raise ModelNotInstalledError(
                f"narrative encoder at {model_dir} is incomplete (missing {', '.join(missing)}); "
                "rebuild it with `python -m nlp.training.narrative_encoder`"
            )
        self.version = (model_dir / "version.txt").read_text(encoding="utf-8").strip()
        self.batch_size = max(1, batch_size)
        self.tokenizer, self.session = open_onnx_model(model_dir, threads=threads, max_length=128)
        self._inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text (input order); a text given twice is encoded
        once (the same model input gives the same row)."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        keys = [normalize_text(t) for t in texts]
        distinct = list(dict.fromkeys(keys))
        rows = np.zeros((len(distinct), 384), dtype=np.float32)
        encs = self.tokenizer.encode_batch(distinct)
        for idx in length_sorted_batches([len(e.ids) for e in encs], self.batch_size):
            feed = padded_batch([encs[i] for i in idx])
            feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
            rows[idx] = self.session.run(
                ["embeddings"], {k: v for k, v in feed.items() if k in self._inputs}
            )[0]
        where = {key: i for i, key in enumerate(distinct)}
        out[:] = rows[[where[key] for key in keys]]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(out / np.maximum(norms, 1e-9), dtype=np.float32)


@lru_cache(maxsize=2)
def load_encoder(
    model_dir: Path = ENCODER_DIR, *, threads: int = 2, batch_size: int = 32
) -> SentenceEncoder:
    """One encoder per folder and options per process."""
    return SentenceEncoder(model_dir, threads=threads, batch_size=batch_size)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-9), dtype=np.float32)


class SentimentEncoder:
    """The sentiment model's pooled sentence vectors, unit length (one pass gives logits too)."""

    def __init__(self, backend: EmbeddedBackend) -> None:
        self.backend = backend
        self.version = "shared-" + backend.version

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length pooled vectors, one row per text (input order)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return unit_rows(self.backend.logits_and_embeddings(texts)[1])


def load_sentiment_encoder() -> SentimentEncoder:
    """The shared encoder on the configured embedded sentiment model and options
    (TIDINGS_SENTIMENT_*), so its vectors equal the ones the sentiment stage hands over."""
    from nlp.sentiment.settings import get_sentiment_settings

    return SentimentEncoder(shared_backend(get_sentiment_settings()))
