"""Sentence scores → entity-targeted sentiment, document sentiment, and forecast stance.

Entity sentiment depends on the target: each mention is scored on the clause that contains it
(contrast words and punctuation cut a sentence into clauses, too-short pieces are merged with
their neighbour), blended with the whole sentence's score, and averaged over the entity's
mentions weighted by how polar each context is. Two entities in one sentence with opposite
fortunes ("X jumped 8 % while Y slid 5 %") therefore get opposite signs.
"""

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nlp.sentiment.backend import Probs, SentimentBackend, label_of, score_of
from nlp.sentiment.labels import LABELS
from nlp.types import Analysis, DocumentSentiment, EntitySentimentResult, SentenceResult

CLAUSE_WEIGHT = 0.8  # share of the mention's own clause when it differs from the sentence
MIN_CLAUSE_WORDS = 4
DOC_THRESHOLD = 0.1  # |document score| below this is neutral
MIXED_RATIO = 0.5  # min(pos, neg) / max(pos, neg) at or above this flags mixed text
MIXED_POLAR_SHARE = 0.3  # ... when at least this share of the probability mass is polar
STANCE_THRESHOLD = 0.2
_BOUNDARY = re.compile(
    r"[;:,\u2014]\s*|\s+\u2013\s+|\s+-\s+|"
    r"\s+(?=(?:while|whereas|but|although|though|yet|however|even as|unlike|despite)\b)",
    re.IGNORECASE,
)
_LEADING_LINK = re.compile(
    r"^(?:while|whereas|but|although|though|yet|however|even as|unlike|despite)\b[\s,]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Clause:
    """A character range [start, end) inside a sentence."""

    start: int
    end: int


def clauses(sentence: str) -> list[Clause]:
    """Cut a sentence at clause boundaries; pieces under MIN_CLAUSE_WORDS join the next one."""
    cuts = [0] + [m.end() for m in _BOUNDARY.finditer(sentence)] + [len(sentence)]
    pieces = [Clause(a, b) for a, b in itertools.pairwise(cuts) if b > a]
    merged: list[Clause] = []
    pending: Clause | None = None
    for piece in pieces:
        cur = Clause(pending.start, piece.end) if pending else piece
        if len(sentence[cur.start : cur.end].split()) < MIN_CLAUSE_WORDS:
            pending = cur
            continue
        merged.append(cur)
        pending = None
    if pending is not None:
        if merged:
            merged[-1] = Clause(merged[-1].start, pending.end)
        else:
            merged.append(pending)
    return merged


def clause_for(sentence: str, offset: int) -> str:
    """The clause text around a character offset of the sentence, without a leading contrast
    word (the model reads "while X fell" as hedged; the clause alone is what we want scored)."""
    for clause in clauses(sentence):
        if clause.start <= offset < clause.end:
            text = sentence[clause.start : clause.end].strip().rstrip(",;:").strip()
            return _LEADING_LINK.sub("", text) or text
    return sentence.strip()


def sentence_index_at(sentences: Sequence[SentenceResult], offset: int) -> int | None:
    """Index of the sentence whose span contains `offset`."""
    for i, sent in enumerate(sentences):
        if sent.start <= offset < sent.end:
            return i
    return None


def polarity_weight(probs: Probs) -> float:
    """How much a context says about sentiment: 1 − p(neutral), floored so neutral still counts."""
    return max(0.05, 1.0 - probs["neutral"])


def mention_contexts(analysis: Analysis) -> list[tuple[str, int, str]]:
    """(entity_id, sentence index, clause text) of every linked mention inside a sentence."""
    contexts: list[tuple[str, int, str]] = []
    for mention in analysis.entities:
        idx = sentence_index_at(analysis.sentences, mention.start)
        if mention.entity_id is None or idx is None:
            continue
        sent = analysis.sentences[idx]
        contexts.append((mention.entity_id, idx, clause_for(sent.text, mention.start - sent.start)))
    return contexts


def stance_texts(analysis: Analysis) -> list[str | None]:
    """Per forecast claim (in order), the clause its stance is read from (None: no sentence)."""
    texts: list[str | None] = []
    for claim in analysis.claims:
        if claim.claim_type != "forecast":
            continue
        idx = claim.sentence_index
        if 0 <= idx < len(analysis.sentences):
            sent = analysis.sentences[idx]
            texts.append(clause_for(sent.text, max(0, claim.start - sent.start)))
        else:
            texts.append(None)
    return texts


def targeted_texts(analysis: Analysis) -> list[str]:
    """Clause texts that entity sentiment and forecast stance need scored, sorted and unique.

    A clause equal to a sentence of the document is left out: it is the very input the sentence
    pass gave the model, so that pass's result is reused (see `known_probs`).
    """
    sentences = {s.text for s in analysis.sentences}
    wanted = {clause for _, _, clause in mention_contexts(analysis)}
    forecasts = [c for c in analysis.claims if c.claim_type == "forecast"]
    wanted.update(
        text
        for text, claim in zip(stance_texts(analysis), forecasts, strict=True)
        if text and claim.direction not in ("up", "down")
    )
    return sorted(wanted - sentences)


def known_probs(analysis: Analysis) -> dict[str, Probs]:
    """Sentence text -> the probabilities the sentence pass gave it."""
    return {s.text: s.probs for s in analysis.sentences if s.probs is not None}


def entity_sentiment(
    analysis: Analysis, clause_probs: Mapping[str, Probs]
) -> list[EntitySentimentResult]:
    """Per linked entity: polarity-weighted mean of clause-blended mention scores.

    `clause_probs` maps every text of `targeted_texts` and every sentence text to its scores.
    """
    sums: dict[str, list[float]] = {}
    for entity_id, idx, clause in mention_contexts(analysis):
        sent = analysis.sentences[idx]
        sent_probs = sent.probs or clause_probs[clause]
        probs = clause_probs[clause]
        if clause != sent.text.strip():
            probs = {
                k: CLAUSE_WEIGHT * probs[k] + (1 - CLAUSE_WEIGHT) * sent_probs[k] for k in LABELS
            }
        weight = polarity_weight(probs)
        acc = sums.setdefault(entity_id, [0.0, 0.0, 0.0])
        acc[0] += weight * score_of(probs)
        acc[1] += weight
        acc[2] += 1
    names = {m.entity_id: m.name for m in analysis.entities if m.entity_id}
    return [
        EntitySentimentResult(
            entity_id=eid,
            name=names[eid],
            score=round(total / weight, 4),
            n=int(n),
            confidence=round(min(1.0, weight / n), 4),
        )
        for eid, (total, weight, n) in sums.items()
    ]


def document_sentiment(sentences: Sequence[SentenceResult]) -> DocumentSentiment | None:
    """Polarity-weighted mean of sentence probabilities, with confidence and a mixed flag."""
    rows = [s.probs for s in sentences if s.probs]
    if not rows:
        return None
    weights = [polarity_weight(p) for p in rows]
    total = sum(weights)
    mean = {k: sum(w * p[k] for w, p in zip(weights, rows, strict=True)) / total for k in LABELS}
    score = mean["positive"] - mean["negative"]
    label = "neutral"
    if score >= DOC_THRESHOLD:
        label = "positive"
    elif score <= -DOC_THRESHOLD:
        label = "negative"
    polar = mean["positive"] + mean["negative"]
    low, high = sorted((mean["positive"], mean["negative"]))
    mixed = polar >= MIXED_POLAR_SHARE and high > 0 and low / high >= MIXED_RATIO
    entropy = -sum(v * math.log(v) for v in mean.values() if v > 0) / math.log(len(LABELS))
    confidence = abs(score) / polar if label != "neutral" and polar > 0 else mean["neutral"]
    return DocumentSentiment(
        label=label,
        score=round(score, 4),
        confidence=round(confidence, 4),
        uncertainty=round(entropy, 4),
        mixed=mixed,
    )


def forecast_stance(direction: str | None, clause_probs: Probs | None) -> str | None:
    """bullish / bearish for a forecast: its direction, else the polarity of its clause."""
    if direction == "up":
        return "bullish"
    if direction == "down":
        return "bearish"
    if clause_probs is not None:
        score = score_of(clause_probs)
        if score >= STANCE_THRESHOLD:
            return "bullish"
        if score <= -STANCE_THRESHOLD:
            return "bearish"
    return None


def apply_sentiment(
    analysis: Analysis,
    backend: SentimentBackend,
    *,
    sentence_probs: Sequence[Probs] | None = None,
    clause_probs: Mapping[str, Probs] | None = None,
) -> Analysis:
    """Fill sentence labels/scores/probs, entity sentiment, document sentiment and claim stance.

    Callers that batch many documents pass `sentence_probs` and `clause_probs` (holding every
    text of `targeted_texts`); otherwise the backend scores what is missing here.
    """
    probs = sentence_probs
    if probs is None:
        probs = backend.predict([s.text for s in analysis.sentences])
    for sent, p in zip(analysis.sentences, probs, strict=True):
        sent.probs = p
        sent.label = label_of(p)
        sent.score = round(score_of(p), 6)
    lookup = dict(clause_probs) if clause_probs is not None else {}
    lookup.update(known_probs(analysis))
    missing = [t for t in targeted_texts(analysis) if t not in lookup]
    if missing:
        lookup.update(zip(missing, backend.predict(missing), strict=True))
    analysis.entity_sentiment = entity_sentiment(analysis, lookup)
    analysis.document = document_sentiment(analysis.sentences)
    _claim_stance(analysis, lookup)
    analysis.model_versions["sentiment"] = backend.version
    return analysis


def _claim_stance(analysis: Analysis, clause_probs: Mapping[str, Probs]) -> None:
    """Set `stance` on forecast claims from their direction or their clause's sentiment."""
    todo = [c for c in analysis.claims if c.claim_type == "forecast"]
    for claim, text in zip(todo, stance_texts(analysis), strict=True):
        found = clause_probs.get(text) if text and claim.direction not in ("up", "down") else None
        claim.stance = forecast_stance(claim.direction, found)
