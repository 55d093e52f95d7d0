"""Written market commentary: sentences our annotation writers composed, with their stance labels.

The real crypto news in ../shared/data is 2021-2023 and company/listing heavy: "ETF" there comes
with approvals and launches, and fund outflows, funding stress or long-term holders selling are
rare. The market commentary tidings reads in 2025 talks about exactly those, so a model trained
on the real news alone reads "ETFs saw net outflows" by its topic word. To teach direction over
topic, the tidings annotation writers (language-model agents of the team, see docs/ANNOTATION.md)
wrote commentary sentences in eight voices (newsletter, wire desk, derivatives desk, on-chain
report, macro note, analysts' calls, institutional/regulatory news, cross-asset wrap), every topic
in both directions and a third of them as contrast pairs. ETF-flow, price and macro figures come
from the real daily series in ../shared/data (2024-2025); other figures are illustrative. The
text is our own, so unlike the labels of `stance.py` it ships in full.

Files: `nlp/sentiment/commentary/*.jsonl`, one object per line:
`{"text": str, "label": "negative"|"neutral"|"positive", "topic": str, "date": "YYYY-MM-DD"|null}`.
"""

import re
from collections.abc import Iterable
from pathlib import Path

from nlp.training.data import LABELS, Example, SentimentDataError, read_jsonl, text_key

COMMENTARY_DIR = Path(__file__).resolve().parent / "labels" / "commentary"
SOURCE = "market_commentary"
TOPICS = frozenset(
    {
        "etf_flows",
        "price",
        "derivatives",
        "onchain",
        "macro",
        "equities",
        "institutions",
        "regulation",
        "forecast",
        "other",
    }
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WORD = re.compile(r"[a-z0-9]+")


def _check(row: object, where: str) -> dict[str, str]:
    """The row as a dict, or a SentimentDataError naming the file and line."""
    if not isinstance(row, dict):
        raise SentimentDataError(f"{where}: expected a JSON object")
    text, label, topic = row.get("text"), row.get("label"), row.get("topic")
    if not isinstance(text, str) or not text.strip():
        raise SentimentDataError(f"{where}: 'text' must be a non-empty string")
    if label not in LABELS:
        raise SentimentDataError(f"{where}: label {label!r} is not one of {', '.join(LABELS)}")
    if topic not in TOPICS:
        raise SentimentDataError(f"{where}: topic {topic!r} is not one of {sorted(TOPICS)}")
    date = row.get("date")
    if date is not None and not (isinstance(date, str) and _DATE.match(date)):
        raise SentimentDataError(f"{where}: date {date!r} is not YYYY-MM-DD or null")
    return {"text": text.strip(), "label": label, "topic": topic}


def read_commentary(folder: Path = COMMENTARY_DIR) -> list[dict[str, str]]:
    """Every row of every `*.jsonl` file in `folder`, validated, in file then line order.

    A duplicated sentence (same normalised text) is an error: it would weigh twice in training
    and, with two different labels, contradict itself."""
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise SentimentDataError(f"no commentary files (*.jsonl) in {folder}")
    out: list[dict[str, str]] = []
    seen: dict[str, str] = {}
    for path in files:
        for where, raw in read_jsonl(path):
            row = _check(raw, where)
            key = text_key(row["text"])
            if key in seen:
                raise SentimentDataError(f"{where}: duplicate of {seen[key]}")
            seen[key] = where
            out.append(row)
    return out


def load_commentary(folder: Path = COMMENTARY_DIR) -> list[Example]:
    """The commentary sentences as training examples."""
    return [Example(r["text"], r["label"], SOURCE) for r in read_commentary(folder)]


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def near_copies(
    texts: Iterable[str], protected: Iterable[str], *, threshold: float = 0.6
) -> list[tuple[str, str, float]]:
    """Pairs (text, protected sentence, word Jaccard) at or above `threshold`.

    Guards the evaluation sets: a written sentence must not be a rewording of an evaluation
    sentence. Only sentences of five or more words are compared."""
    prot = [(p, _words(p)) for p in protected]
    prot = [(p, w) for p, w in prot if len(w) >= 5]
    hits: list[tuple[str, str, float]] = []
    for text in texts:
        words = _words(text)
        if len(words) < 5:
            continue
        for p, pw in prot:
            jac = len(words & pw) / len(words | pw)
            if jac >= threshold:
                hits.append((text, p, round(jac, 3)))
    return hits
