"""Labeled sentiment corpora from ../shared/data and the fixed FPB held-out split.

Split (documented in docs/EVALUATION.md): Financial PhraseBank 50 %-agreement sentences are
de-duplicated by normalised text (first label wins), then split 80 / 20 with
`sklearn.model_selection.train_test_split(test_size=0.2, random_state=HELDOUT_SEED,
stratify=labels)`. The 20 % part is the held-out set no training run sees; every other corpus
drops any sentence whose normalised text is held out, and the FPB all-agree "held-out" set is the
all-agree sentences whose text is in that 20 %.
"""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.errors import NlpError
from nlp.sentiment.labels import LABELS, normalize_text

HELDOUT_SEED = 20240517
HELDOUT_FRACTION = 0.2
FPB_FILES = {
    "50": "Sentences_50Agree.txt",
    "66": "Sentences_66Agree.txt",
    "75": "Sentences_75Agree.txt",
    "all": "Sentences_AllAgree.txt",
}
TWITTER_LABELS = {"0": "negative", "1": "positive", "2": "neutral"}  # bearish / bullish / neutral
SEMEVAL_NEUTRAL_BAND = 0.1  # |score| below this counts as neutral


class SentimentDataError(NlpError):
    """A labeled corpus is missing or malformed."""


@dataclass(frozen=True)
class Example:
    """One labeled sentence and the corpus it comes from."""

    text: str
    label: str
    source: str


def text_key(text: str) -> str:
    """Key used to de-duplicate and to keep held-out sentences out of training."""
    return normalize_text(text).lower()


def data_dir(shared: Path) -> Path:
    """The data folder inside ../shared, or a clear error."""
    path = shared / "data"
    if not path.is_dir():
        raise SentimentDataError(f"no data folder at {path}")
    return path


def load_fpb(shared: Path, agreement: str = "50") -> list[Example]:
    """Financial PhraseBank at one agreement level (latin-1 `sentence@label` lines), deduped."""
    name = FPB_FILES.get(agreement)
    if name is None:
        raise SentimentDataError(f"unknown FPB agreement level {agreement!r}")
    path = data_dir(shared) / "financial-phrasebank" / name
    if not path.is_file():
        raise SentimentDataError(f"missing {path}")
    seen: set[str] = set()
    out: list[Example] = []
    for line in path.read_text(encoding="latin-1").splitlines():
        text, sep, label = line.strip().rpartition("@")
        if not sep or label not in LABELS or not text.strip():
            continue
        key = text_key(text)
        if key in seen:
            continue
        seen.add(key)
        out.append(Example(text.strip(), label, f"fpb{agreement}"))
    return out


def fpb_split(shared: Path) -> tuple[list[Example], list[Example]]:
    """The fixed (train, held-out) split of FPB-50."""
    from sklearn.model_selection import train_test_split

    rows = load_fpb(shared, "50")
    train, heldout = train_test_split(
        rows,
        test_size=HELDOUT_FRACTION,
        random_state=HELDOUT_SEED,
        stratify=[r.label for r in rows],
    )
    return list(train), list(heldout)


def heldout_keys(shared: Path) -> set[str]:
    """Normalised texts of the FPB-50 held-out sentences."""
    return {text_key(e.text) for e in fpb_split(shared)[1]}


def fpb_allagree_heldout(shared: Path) -> list[Example]:
    """FPB all-agree sentences that fall in the FPB-50 held-out part."""
    keys = heldout_keys(shared)
    return [e for e in load_fpb(shared, "all") if text_key(e.text) in keys]


def load_twitter(shared: Path, split: str = "train") -> list[Example]:
    """Twitter financial news (bearish→negative, bullish→positive), URLs stripped."""
    path = data_dir(shared) / "twitter-financial-news-sentiment" / f"sent_{split}.csv"
    if not path.is_file():
        raise SentimentDataError(f"missing {path}")
    out: list[Example] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            label = TWITTER_LABELS.get((row.get("label") or "").strip())
            text = normalize_text(row.get("text") or "")
            if label and text:
                out.append(Example(text, label, f"twitter_{split}"))
    return out


def score_label(score: float) -> str:
    """Three-way label for a SemEval score in [-1, 1]."""
    if score >= SEMEVAL_NEUTRAL_BAND:
        return "positive"
    if score <= -SEMEVAL_NEUTRAL_BAND:
        return "negative"
    return "neutral"


def load_semeval_headlines(shared: Path) -> list[tuple[Example, str]]:
    """SemEval-2017 task 5 headlines as (example, target company)."""
    path = data_dir(shared) / "semeval2017-task5" / "headlines_train.json"
    if not path.is_file():
        raise SentimentDataError(f"missing {path}")
    out: list[tuple[Example, str]] = []
    for row in json.loads(path.read_text(encoding="utf-8")):
        try:
            text, target, score = str(row["title"]), str(row["company"]), float(row["sentiment"])
        except (KeyError, TypeError, ValueError):
            continue
        out.append((Example(normalize_text(text), score_label(score), "semeval_headlines"), target))
    return out


def read_jsonl(path: Path) -> Iterator[tuple[str, Any]]:
    """(`file.jsonl:N`, parsed value) for each non-blank line; bad JSON is a clear error."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as exc:
                raise SentimentDataError(f"{where}: not valid JSON ({exc.msg})") from exc
