"""The learned decision layer: claim type, direction and metric from a light classifier.

The rules (nlp.claims.decide, nlp.claims.decisions) stay in charge of what they are precise at
(values, units, periods, subjects); for the three labels analysts filter by, a multinomial
logistic regression per label reads the claim's sentence with the number marked ("[ $30,000 ]"),
cut to WINDOW_WORDS words each side (fewer tokens: the stage's speed target) and embedded by the
offline MiniLM encoder of nlp.narratives (run as the narrative stage runs it), plus the rules'
own decisions and a few cheap lexical features (words around the number, unit, qualifier).
Where its probability is below the label's threshold the rule's answer stands. The claim's
explanation says which decided (`decided_by`) and what the rules said (`rules`).

The weights are trained by `tidings train claims --recipe lr` (nlp.training.claims_decider) and
saved as a small float16 npz; inference is numpy only. Since claims-decider-3 the shipped model in
`nlp/claims/model/` is a fine-tuned MiniLM instead (nlp.claims.finetuned); `decide_claims` runs
whichever kind a model folder holds, and the views, explanations and `decided_by` are shared.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from nlp.errors import ModelNotInstalledError
from nlp.types import ClaimRecord

MODEL_DIR = Path(__file__).resolve().parent / "model"
LABELS = ("claim_type", "direction", "metric")
HASH_DIM = 2048  # buckets of the hashed lexical features
EMBED_DIM = 384
WINDOW_CHARS = 220  # claims-decider-1: sentence text kept on each side of the number
WINDOW_WORDS = 8  # since claims-decider-2: words kept on each side of the number (fewer tokens)
_SPACED = re.compile(r"\S+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\$|%|\d+")
_MODAL = re.compile(
    r"\b(?:could|would|will|may|might|should|can|expects?|expected|forecasts?|predicts?|"
    r"targets?|aims?|eyes?|projects?|likely|potential(?:ly)?|if|until|by the end)\b",
    re.I,
)
_KEYWORDS = (
    "support", "resistance", "target", "record", "all-time", "high", "low", "above", "below",
    "under", "over", "near", "around", "to", "from", "by", "at", "of", "since", "ago", "last",
    "next", "year", "week", "month", "fell", "rose", "dropped", "jumped", "gained", "lost", "up",
    "down", "market", "cap", "capitalization", "volume", "fees", "liquidations", "inflows",
    "outflows", "raised", "bought", "sold", "holds", "price", "trading", "trades", "traded",
    "reach", "hit", "break", "broke", "level", "mark", "zone", "range",
)  # fmt: skip

Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class ClaimView:
    """What the features of one claim read: its sentence, the number's place, the rules' say."""

    sentence: str
    start: int  # the number's offsets in `sentence`
    end: int
    unit: str | None
    qualifier: str | None
    rules: dict[str, str | None]  # label -> the rules' answer
    why: dict[str, str]  # label -> the rule that gave it


def claim_view(claim: ClaimRecord, text: str, sentence: tuple[int, int]) -> ClaimView:
    """The view of a claim in its sentence (`sentence`: its offsets in `text`)."""
    s0, s1 = sentence
    if not s0 <= claim.start < claim.end <= s1:
        s0, s1 = min(s0, claim.start), max(s1, claim.end)
    why = {k: str(v) for k, v in (claim.explanation or {}).items() if k in LABELS}
    return ClaimView(
        sentence=text[s0:s1],
        start=claim.start - s0,
        end=claim.end - s0,
        unit=claim.unit,
        qualifier=claim.qualifier,
        rules={name: getattr(claim, name) for name in LABELS},
        why=why,
    )


def marked_text(view: ClaimView, window_words: int | None = None) -> str:
    """The sentence around the number, the number wrapped in brackets: what gets encoded. At
    most `window_words` words each side (None: the first model's 220 characters each side)."""
    if window_words is None:
        left = view.sentence[max(0, view.start - WINDOW_CHARS) : view.start]
        right = view.sentence[view.end : view.end + WINDOW_CHARS]
    else:
        head, tail = view.sentence[: view.start], view.sentence[view.end :]
        starts = [m.start() for m in _SPACED.finditer(head)][-window_words:] if window_words else []
        ends = [m.end() for m in _SPACED.finditer(tail)][:window_words]
        left = head[starts[0] :] if starts else ""
        right = tail[: ends[-1]] if ends else ""
    return f"{left.lstrip()}[ {view.sentence[view.start : view.end]} ]{right.rstrip()}"


def lexical_tokens(view: ClaimView) -> list[str]:
    """The claim's symbolic features as strings (hashed into HASH_DIM buckets)."""
    left = [w.lower() for w in _WORD.findall(view.sentence[: view.start])]
    right = [w.lower() for w in _WORD.findall(view.sentence[view.end :])]
    near_left, near_right = left[-6:], right[:4]
    tokens = [f"rule_{name}={value or 'none'}" for name, value in view.rules.items()]
    tokens += [f"why_{name}={value}" for name, value in view.why.items()]
    tokens += [f"unit={view.unit}", f"qualifier={view.qualifier}", "bias"]
    tokens += [f"L:{w}" for w in near_left] + [f"R:{w}" for w in near_right]
    tokens += [f"L1:{w}" for w in left[-1:]] + [f"L2:{w}" for w in left[-2:-1]]
    tokens += [f"R1:{w}" for w in right[:1]]
    tokens += [f"Led:{w[-2:]}" for w in near_left if w.endswith("ed")]
    if _MODAL.search(" ".join(left[-10:])):
        tokens.append("modal_near_left")
    if _MODAL.search(" ".join(left)):
        tokens.append("modal_in_sentence")
    words = set(left) | set(right)
    tokens += [f"S:{k}" for k in _KEYWORDS if k in words]
    tokens.append(f"position={min(len(left) // 5, 6)}")
    return tokens


def hashed(tokens: Sequence[str]) -> np.ndarray:
    """Binary bag of hashed tokens (crc32: stable across processes and machines)."""
    row = np.zeros(HASH_DIM, dtype=np.float32)
    for token in tokens:
        row[zlib.crc32(token.encode("utf-8")) % HASH_DIM] = 1.0
    return row


def feature_matrix(
    views: Sequence[ClaimView], encode: Encode, window_words: int | None = None
) -> np.ndarray:
    """One feature row per claim: the marked sentence's embedding (`window_words` as in
    `marked_text`), then the hashed tokens."""
    out = np.zeros((len(views), EMBED_DIM + HASH_DIM), dtype=np.float32)
    if not views:
        return out
    out[:, :EMBED_DIM] = encode([marked_text(v, window_words) for v in views])
    for i, view in enumerate(views):
        out[i, EMBED_DIM:] = hashed(lexical_tokens(view))
    return out


@dataclass(frozen=True)
class LabelModel:
    """One label's classifier: softmax(x @ coef.T + intercept), and the confidence floor."""

    classes: tuple[str, ...]
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray  # (classes,)
    threshold: float  # below this probability the rule's answer stands

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities, one row per feature row (as sklearn's predict_proba)."""
        scores = features @ self.coef.T + self.intercept
        if len(self.classes) == 2:  # sklearn's binary case keeps one row of weights
            scores = np.concatenate([-scores / 2, scores / 2], axis=1)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)


@dataclass(frozen=True)
class DecisionModel:
    """The three label models, the version they were shipped under and the encoded window
    (words each side of the number; None: the first model's 220 characters)."""

    version: str
    labels: dict[str, LabelModel]
    window_words: int | None = None

    def decide(self, views: Sequence[ClaimView], features: np.ndarray) -> list[dict[str, str]]:
        """Per claim, label -> the model's answer where it is confident enough."""
        return [
            {name: answer for name, (answer, _) in row.items()}
            for row in self.scored(views, features)
        ]

    def scored(
        self, views: Sequence[ClaimView], features: np.ndarray
    ) -> list[dict[str, tuple[str, float]]]:
        """Per claim, label -> (answer, probability) where the probability reaches the floor
        and the rules' answer is one the model can give: a metric it never saw in training (a
        weekly `net_flow`, say) is not one it can judge, so the rule stands."""
        decided: list[dict[str, tuple[str, float]]] = [{} for _ in views]
        for name, model in self.labels.items():
            probs = model.probabilities(features)
            best = probs.argmax(axis=1)
            known = set(model.classes)
            for i, row in enumerate(probs):
                if row[best[i]] >= model.threshold and views[i].rules.get(name) in known:
                    decided[i][name] = (model.classes[best[i]], float(row[best[i]]))
        return decided


def save_model(model: DecisionModel, folder: Path) -> None:
    """Write weights (float16 npz), classes and thresholds (JSON), version.txt and, for a word
    window, features.json."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, dict[str, object]] = {}
    for name, m in model.labels.items():
        arrays[f"{name}_coef"] = m.coef.astype(np.float16)
        arrays[f"{name}_intercept"] = m.intercept.astype(np.float32)
        meta[name] = {"classes": list(m.classes), "threshold": m.threshold}
    with (folder / "weights.npz").open("wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
    (folder / "labels.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    (folder / "version.txt").write_text(model.version + "\n", encoding="utf-8")
    features = folder / "features.json"
    if model.window_words is not None:
        text = json.dumps({"window_words": model.window_words}) + "\n"
        features.write_text(text, encoding="utf-8")
    elif features.exists():
        features.unlink()


def read_model(folder: Path) -> DecisionModel:
    """The model of a folder written by `save_model`."""
    missing = [
        name
        for name in ("weights.npz", "labels.json", "version.txt")
        if not (folder / name).is_file()
    ]
    if missing:
        raise ModelNotInstalledError(
            f"claim decision model at {folder} is incomplete (missing {', '.join(missing)}); "
            "rebuild it with `tidings train claims`"
        )
    meta = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    with np.load(folder / "weights.npz") as arrays:
        labels = {
            name: LabelModel(
                classes=tuple(part["classes"]),
                coef=arrays[f"{name}_coef"].astype(np.float32),
                intercept=arrays[f"{name}_intercept"].astype(np.float32),
                threshold=float(part["threshold"]),
            )
            for name, part in meta.items()
        }
    version = (folder / "version.txt").read_text(encoding="utf-8").strip()
    window = None
    if (folder / "features.json").is_file():
        window = json.loads((folder / "features.json").read_text(encoding="utf-8"))["window_words"]
    return DecisionModel(version=version, labels=labels, window_words=window)


@lru_cache(maxsize=2)
def load_model(folder: Path = MODEL_DIR) -> DecisionModel:
    """The shipped model, read once per process."""
    return read_model(folder)


def model_version(folder: Path = MODEL_DIR) -> str:
    """The version of a model folder (cheap: the weights are read on first use)."""
    path = folder / "version.txt"
    if not path.is_file():
        raise ModelNotInstalledError(
            f"claim decision model at {folder} has no version.txt; rebuild it with "
            "`tidings train claims`"
        )
    return path.read_text(encoding="utf-8").strip()


def claim_encoder(threads: int | None = None) -> Encode:
    """The MiniLM encoder run as the narrative stage runs it (TIDINGS_NARRATIVE_THREADS and
    TIDINGS_NARRATIVE_BATCH_SIZE), so both stages share one cached session; `threads` overrides
    the setting (the benchmark's comparison). Lazy: ONNX Runtime only when needed."""
    from nlp.narratives.encoder import load_encoder
    from nlp.narratives.settings import get_narrative_settings

    settings = get_narrative_settings()
    return load_encoder(
        threads=settings.narrative_threads if threads is None else threads,
        batch_size=settings.narrative_batch_size,
    ).encode


def decide_claims(
    claims: Sequence[ClaimRecord],
    views: Sequence[ClaimView],
    folder: Path = MODEL_DIR,
    *,
    encode: Encode | None = None,
    threads: int | None = None,
) -> None:
    """Run the logistic-regression model of `folder` (decider-1 and 2) over the claims and write
    its confident answers onto them (`encode`: the sentence encoder, by default
    `claim_encoder(threads)`). A fine-tuned folder is run by nlp.claims.finetuned instead."""
    model = load_model(folder)
    features = feature_matrix(views, encode or claim_encoder(threads), model.window_words)
    write_decisions(claims, views, model.scored(views, features), version=model.version)


def write_decisions(
    claims: Sequence[ClaimRecord],
    views: Sequence[ClaimView],
    scored: Sequence[dict[str, tuple[str, float]]],
    *,
    version: str,
) -> None:
    """Write a model's confident answers (label -> (answer, probability) per claim) onto the
    claims; the explanation names the model, its probability and the rule it overruled."""
    answers = [{name: answer for name, (answer, _) in row.items()} for row in scored]
    apply_decisions(claims, views, answers)
    for claim, view, row in zip(claims, views, scored, strict=True):
        if claim.explanation is None:
            continue
        for name, (_answer, p) in row.items():  # --explain: the model's answer and the rule's
            rule = view.why.get(name, "-")
            claim.explanation[name] = (
                f"learned layer {version} (p={p:.2f}); the rules said {view.rules[name]} ({rule})"
            )


def apply_decisions(
    claims: Sequence[ClaimRecord], views: Sequence[ClaimView], decided: Sequence[dict[str, str]]
) -> None:
    """Write the model's answers onto the claims; the explanation says which decided each."""
    for claim, view, answers in zip(claims, views, decided, strict=True):
        by: dict[str, str] = {}
        for name in LABELS:
            if name in answers:
                setattr(claim, name, answers[name])
                by[name] = "model"
            else:
                by[name] = "rules"
        if claim.explanation is not None:
            claim.explanation["decided_by"] = by
            claim.explanation["rules"] = dict(view.rules)
        claim.stance = (
            {"up": "bullish", "down": "bearish"}.get(claim.direction or "")
            if claim.claim_type == "forecast"
            else None
        )
