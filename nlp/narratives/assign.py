"""Which narratives each sentence speaks to: keyword cues, embedding similarity and context.

Every narrative has prototypes: the embeddings of its seed sentences and of "name: description".
A sentence's similarity to a narrative is its best cosine to those prototypes. A sentence is
assigned to a narrative when

- one of the narrative's keywords occurs in it and the similarity reaches `cue_threshold`, or
- the similarity alone reaches the narrative's keyword-free bar (`free_threshold`, or its entry
  in `free_thresholds`),

keeping at most `max_per_sentence` narratives, each within `margin` of the sentence's best. The
score is the similarity plus `cue_bonus` with a cue, capped at 1. A light classifier on the same
embeddings (one logistic regression per built-in narrative, `nlp/narratives/classifier.npz`,
trained by nlp.training.narrative_classifier on the labelled sentences) adds, without any
keyword, the narratives whose probability reaches `classifier_threshold` (its score is the
probability). Then two context passes:

- document: an article's main narratives (`context_min` sentences or more) are added to
  sentences whose similarity to them reaches `context_threshold` (`context_cue_threshold` with a
  keyword);
- run: a narrative carries from a sentence to the next (and the previous) one when the two
  sentences are close (cosine of their embeddings at least `carry_cosine`, or the receiving
  sentence is short, at most `carry_short_words` words) and the receiving sentence's similarity
  to the narrative reaches `carry_floor`. Carried labels carry on, so a run of sentences about
  one subject keeps the narrative of the sentence that named it.

With `gate` on, sentences with no keyword of any narrative skip the encoder (cheaper, but then
neither keyword-free assignment nor the run pass can reach them). Thresholds were tuned on the
dev, dev2 and blind2 splits of nlp/evaluation/narrative_gold (docs/EVALUATION.md).
"""

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp.narratives.encoder import SentenceEncoder, SentimentEncoder, unit_rows
from nlp.narratives.taxonomy import NarrativeDef, Taxonomy

ASSIGN_VERSION = "3"
CLASSIFIER_FILE = Path(__file__).resolve().parent / "classifier.npz"
SHARED_CLASSIFIER_FILE = Path(__file__).resolve().parent / "classifier-sentiment.npz"
"""The classifier on the sentiment model's pooled vectors (TIDINGS_NARRATIVES_ENCODER=sentiment)."""


@dataclass(frozen=True)
class SentenceClassifier:
    """One logistic regression per narrative on the sentence embedding."""

    ids: tuple[str, ...]
    weights: np.ndarray  # embedding dim x len(ids)
    bias: np.ndarray  # len(ids)
    version: str

    @classmethod
    def load(cls, path: Path = CLASSIFIER_FILE) -> "SentenceClassifier | None":
        """The shipped classifier, or None when the file is absent."""
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as npz:
            ids = tuple(str(i) for i in npz["ids"])
            weights = np.asarray(npz["weights"], dtype=np.float32)
            bias = np.asarray(npz["bias"], dtype=np.float32)
        # The version hashes the content, not the file: a zip's member times change on rewrite.
        digest = hashlib.sha256("\n".join(ids).encode("utf-8"))
        digest.update(weights.tobytes())
        digest.update(bias.tobytes())
        return cls(ids, weights, bias, digest.hexdigest()[:8])

    def probabilities(self, emb: np.ndarray, narrative_ids: Sequence[str]) -> np.ndarray:
        """sentences x narratives (in `narrative_ids` order); 0 where there is no model."""
        out = np.zeros((len(emb), len(narrative_ids)), dtype=np.float32)
        if not len(emb):
            return out
        probs = 1.0 / (1.0 + np.exp(-(emb @ self.weights + self.bias)))
        col = {nid: k for k, nid in enumerate(self.ids)}
        for j, nid in enumerate(narrative_ids):
            if nid in col:
                out[:, j] = probs[:, col[nid]]
        return out


@dataclass(frozen=True)
class AssignConfig:
    """Decision thresholds (see the module docstring)."""

    cue_threshold: float = 0.3
    free_threshold: float = 1.1  # above any cosine: similarity alone never paid on the dev sets
    free_thresholds: Mapping[str, float] = field(default_factory=dict)
    cue_bonus: float = 0.1
    margin: float = 0.15
    max_per_sentence: int = 2
    context_min: int = 3
    context_threshold: float = 0.55
    context_cue_threshold: float = 0.15
    carry_cosine: float = 0.5
    carry_short_words: int = 8
    carry_floor: float = 0.25
    carry_into_empty: bool = True
    classifier_threshold: float = 0.6
    gate: bool = False


SHARED_CONFIG = AssignConfig(context_threshold=0.9, carry_floor=0.7)
"""Thresholds for the sentiment model's vectors, whose cosines run higher: the best pooled
leave-one-article-out F1 of bench/narratives_quality.py --grid over all four gold splits (tuned
on the scored articles, so optimistic; docs/EVALUATION.md "Narratives", round 4)."""


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex for a narrative's keywords (`*` at the end: any ending)."""
    parts = []
    for kw in keywords:
        stem = kw.rstrip("*")
        body = r"\s+".join(re.escape(w) for w in stem.split())
        parts.append(body + (r"[\w-]*" if kw.endswith("*") else ""))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class Assignment:
    """One sentence speaks to one narrative."""

    narrative_id: str
    score: float
    cue: bool


class NarrativeModel:
    """Assigns sentences to the narratives of a taxonomy."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        encoder: SentenceEncoder | SentimentEncoder,
        *,
        config: AssignConfig | None = None,
        classifier: SentenceClassifier | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.config = config or AssignConfig()
        self.narratives: list[NarrativeDef] = list(taxonomy.narratives)
        self.patterns = [keyword_pattern(n.keywords) for n in self.narratives]
        texts: list[str] = []
        owners: list[int] = []
        for i, n in enumerate(self.narratives):
            for text in (f"{n.name}: {n.description}", *n.seeds):
                texts.append(text)
                owners.append(i)
        self._prototypes = encoder.encode(texts)
        self._owners = np.asarray(owners)
        self._free = self._free_bars()
        self.classifier = classifier
        clf = f"-{classifier.version}" if classifier else ""
        gated = "-gated" if self.config.gate else ""  # the gate changes what is assigned
        self.version = (
            f"narratives-{ASSIGN_VERSION}-{encoder.version}-{taxonomy.version}{clf}{gated}"
        )

    def _free_bars(self) -> np.ndarray:
        """The keyword-free bar of each narrative."""
        cfg = self.config
        return np.array(
            [cfg.free_thresholds.get(n.id, cfg.free_threshold) for n in self.narratives],
            dtype=np.float32,
        )

    def reconfigure(self, config: AssignConfig) -> None:
        """Use other thresholds (same taxonomy and prototypes)."""
        self.config = config
        self._free = self._free_bars()

    def cues(self, sentence: str) -> np.ndarray:
        """Boolean per narrative: does one of its keywords occur in the sentence?"""
        return np.array([bool(p and p.search(sentence)) for p in self.patterns], dtype=bool)

    def similarities(self, sentences: Sequence[str]) -> np.ndarray:
        """sentences × narratives: best cosine of each sentence to each narrative's prototypes."""
        return self.narrative_similarities(self.encoder.encode(sentences))

    def narrative_similarities(self, emb: np.ndarray) -> np.ndarray:
        """Best cosine of each embedding row to each narrative's prototypes."""
        cos = emb @ self._prototypes.T
        out = np.full((len(emb), len(self.narratives)), -1.0, dtype=np.float32)
        for j in range(len(self.narratives)):
            out[:, j] = cos[:, self._owners == j].max(axis=1)
        return out

    def assign(self, sentences: Sequence[str]) -> list[list[Assignment]]:
        """The narratives of each sentence of one document, best first."""
        return self.assign_documents([sentences])[0]

    def assign_documents(
        self, documents: Sequence[Sequence[str]], *, vectors: np.ndarray | None = None
    ) -> list[list[list[Assignment]]]:
        """Per document, the narratives of each sentence (one encoder pass for all). `vectors`,
        when given, are the encoder's raw vectors of all sentences (rows in order, e.g. from the
        sentiment stage's pass): they are used instead of encoding again."""
        flat = [s for doc in documents for s in doc]
        cues = np.stack([self.cues(s) for s in flat]) if flat else np.zeros((0, 0), dtype=bool)
        todo = [i for i in range(len(flat)) if not self.config.gate or cues[i].any()]
        emb = np.zeros((len(flat), 384), dtype=np.float32)
        sims = np.full((len(flat), len(self.narratives)), -1.0, dtype=np.float32)
        if todo and vectors is not None:
            emb[todo] = unit_rows(vectors[todo])
            sims[todo] = self.narrative_similarities(emb[todo])
        elif todo:
            emb[todo] = self.encoder.encode([flat[i] for i in todo])
            sims[todo] = self.narrative_similarities(emb[todo])
        words = np.array([len(s.split()) for s in flat], dtype=np.int32)
        probs = self.probabilities(emb)
        out: list[list[list[Assignment]]] = []
        start = 0
        for doc in documents:
            end = start + len(doc)
            out.append(
                self.decide_document(
                    sims[start:end],
                    cues[start:end],
                    emb=emb[start:end],
                    words=words[start:end],
                    probs=probs[start:end],
                )
            )
            start = end
        return out

    def decide_document(
        self,
        sims: np.ndarray,
        cues: np.ndarray,
        *,
        emb: np.ndarray | None = None,
        words: np.ndarray | None = None,
        probs: np.ndarray | None = None,
    ) -> list[list[Assignment]]:
        """Sentence decisions, then the document pass and the run pass (module docstring)."""
        cfg = self.config
        if probs is None:
            probs = np.zeros_like(sims)
        per = [self._decide(sims[i], cues[i], probs[i]) for i in range(len(sims))]
        counts: dict[str, int] = {}
        for assignments in per:
            for a in assignments:
                counts[a.narrative_id] = counts.get(a.narrative_id, 0) + 1
        main = [j for j, n in enumerate(self.narratives) if counts.get(n.id, 0) >= cfg.context_min]
        for i, assignments in enumerate(per):
            for j in main:
                bar = cfg.context_cue_threshold if cues[i, j] else cfg.context_threshold
                if sims[i, j] >= bar:
                    self._add(assignments, j, sim=sims[i, j], cue=cues[i, j])
        if emb is not None and len(per) > 1:
            self._carry(per, sims, cues, emb=emb, words=words)
        return per

    def _add(self, assignments: list[Assignment], j: int, *, sim: float, cue: bool) -> bool:
        """Append narrative j unless present or the sentence is full; True when added."""
        nid = self.narratives[j].id
        if len(assignments) >= self.config.max_per_sentence or any(
            a.narrative_id == nid for a in assignments
        ):
            return False
        score = min(1.0, float(sim) + self.config.cue_bonus * bool(cue))
        assignments.append(Assignment(nid, round(score, 4), bool(cue)))
        return True

    def _carry(
        self,
        per: list[list[Assignment]],
        sims: np.ndarray,
        cues: np.ndarray,
        *,
        emb: np.ndarray,
        words: np.ndarray | None,
    ) -> None:
        """The run pass: forward, then backward, over adjacent sentences."""
        cfg = self.config
        index = {n.id: j for j, n in enumerate(self.narratives)}
        near = np.einsum("ij,ij->i", emb[1:], emb[:-1])  # cosine of sentence i+1 and i
        n = len(per)
        for order in (range(1, n), range(n - 2, -1, -1)):
            for i in order:
                src = i - 1 if order.step == 1 else i + 1
                link = float(near[min(i, src)])
                short = words is not None and int(words[i]) <= cfg.carry_short_words
                if not per[src] or (link < cfg.carry_cosine and not short):
                    continue
                if cfg.carry_into_empty and per[i]:
                    continue
                for a in list(per[src]):
                    j = index[a.narrative_id]
                    if sims[i, j] >= cfg.carry_floor:
                        self._add(per[i], j, sim=sims[i, j], cue=cues[i, j])

    def probabilities(self, emb: np.ndarray) -> np.ndarray:
        """The classifier's probability of each narrative per embedding row (0 without one)."""
        if self.classifier is None:
            return np.zeros((len(emb), len(self.narratives)), dtype=np.float32)
        return self.classifier.probabilities(emb, [n.id for n in self.narratives])

    def _decide(self, sims: np.ndarray, cues: np.ndarray, probs: np.ndarray) -> list[Assignment]:
        """Apply the thresholds to one sentence's similarities and probabilities."""
        cfg = self.config
        scores = np.minimum(1.0, sims + cfg.cue_bonus * cues)
        ok = (cues & (sims >= cfg.cue_threshold)) | (sims >= self._free)
        out: list[Assignment] = []
        if ok.any():
            best = float(scores[ok].max())
            keep = [j for j in np.argsort(-scores) if ok[j] and scores[j] >= best - cfg.margin]
            out = [
                Assignment(self.narratives[j].id, round(float(scores[j]), 4), bool(cues[j]))
                for j in keep[: cfg.max_per_sentence]
            ]
        for j in np.argsort(-probs):
            if probs[j] < cfg.classifier_threshold or len(out) >= cfg.max_per_sentence:
                break
            if all(a.narrative_id != self.narratives[j].id for a in out):
                out.append(Assignment(self.narratives[j].id, round(float(probs[j]), 4),
                                      bool(cues[j])))  # fmt: skip
        return out
