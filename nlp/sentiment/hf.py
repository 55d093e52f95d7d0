"""Any Hugging Face sequence-classification model (hub name or local folder) as a backend."""

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.sentiment.backend import Probs, SentimentError, length_sorted_batches
from nlp.sentiment.labels import LABELS
from nlp.sentiment.settings import SentimentSettings

SYNONYMS = {
    "negative": "negative",
    "neg": "negative",
    "bearish": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "positive": "positive",
    "pos": "positive",
    "bullish": "positive",
}


def parse_label_map(raw: str) -> dict[str, str]:
    """The TIDINGS_SENTIMENT_LABEL_MAP JSON object, validated."""
    if not raw.strip():
        return {}
    try:
        mapping = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SentimentError(f"TIDINGS_SENTIMENT_LABEL_MAP is not JSON: {exc}") from exc
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and v in LABELS for k, v in mapping.items()
    ):
        raise SentimentError(f"TIDINGS_SENTIMENT_LABEL_MAP must map model labels to {LABELS}")
    return {k.lower(): v for k, v in mapping.items()}


def resolve_labels(id2label: dict[int, str], mapping: dict[str, str]) -> list[str]:
    """Our label for each output index of the model; a clear error when one is unknown."""
    out: list[str] = []
    for idx in sorted(id2label):
        raw = str(id2label[idx]).lower()
        ours = mapping.get(raw) or SYNONYMS.get(raw)
        if ours is None:
            raise SentimentError(
                f"model label {id2label[idx]!r} (index {idx}) has no mapping; set "
                'TIDINGS_SENTIMENT_LABEL_MAP, e.g. {"LABEL_0": "negative", ...}'
            )
        out.append(ours)
    return out


class HfBackend:
    """transformers AutoModelForSequenceClassification run with torch on CPU."""

    name = "hf"

    def __init__(
        self,
        model: str,
        *,
        label_map: dict[str, str],
        threads: int,
        batch_size: int,
        max_length: int = 256,
    ) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        local = Path(model).expanduser()
        if local.exists() and not (local / "config.json").is_file():
            raise SentimentError(f"{local} is not a Hugging Face model folder (no config.json)")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            self.model = AutoModelForSequenceClassification.from_pretrained(model)
        except (OSError, ValueError) as exc:
            raise SentimentError(f"cannot load Hugging Face model {model!r}: {exc}") from exc
        self.model.eval()
        torch.set_num_threads(max(1, threads))
        self.labels = resolve_labels(dict(self.model.config.id2label), label_map)
        self.batch_size = max(1, batch_size)
        self.max_length = max_length
        self.version = f"hf-{model}"

    def predict(self, texts: Sequence[str]) -> list[Probs]:
        """Softmax over the model's labels, summed into negative / neutral / positive."""
        import torch

        out: list[Probs] = [{} for _ in texts]
        with torch.inference_mode():
            for idx in length_sorted_batches([len(t) for t in texts], self.batch_size):
                enc = self.tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                probs = torch.softmax(self.model(**enc).logits.float(), dim=-1).tolist()
                for i, row in zip(idx, probs, strict=True):
                    out[i] = self._fold(row)
        return out

    def _fold(self, row: list[float]) -> Probs:
        """Map one probability row onto our three labels (absent labels get 0)."""
        probs = dict.fromkeys(LABELS, 0.0)
        for lab, p in zip(self.labels, row, strict=True):
            probs[lab] += p
        return {k: round(v, 6) for k, v in probs.items()}


@lru_cache(maxsize=4)
def load_hf(
    model: str, *, label_map: str, threads: int, batch_size: int, max_length: int
) -> HfBackend:
    """One backend per model per process."""
    return HfBackend(
        model,
        label_map=parse_label_map(label_map),
        threads=threads,
        batch_size=batch_size,
        max_length=max_length,
    )


def hf_factory(settings: SentimentSettings) -> Any:
    """Backend factory for TIDINGS_SENTIMENT_BACKEND=hf."""
    return load_hf(
        settings.sentiment_hf_model,
        label_map=settings.sentiment_label_map,
        threads=settings.sentiment_threads,
        batch_size=settings.sentiment_batch_size,
        max_length=settings.sentiment_max_length,
    )
