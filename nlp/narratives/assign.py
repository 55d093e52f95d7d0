"""Which narratives each sentence speaks to: keyword cues plus embedding similarity.

Every narrative has prototypes: the embeddings of its seed sentences and of "name: description".
A sentence's similarity to a narrative is its best cosine to those prototypes. A sentence is
assigned to a narrative when

- one of the narrative's keywords occurs in it and the similarity reaches `cue_threshold`, or
- the similarity alone reaches `free_threshold` (no keyword needed),

keeping at most `max_per_sentence` narratives, each within `margin` of the sentence's best.
Sentences with no keyword of any narrative skip the encoder (`gate`): they are rarely about a
narrative, and the encoder is the cost. The score is the similarity plus `cue_bonus` with a cue,
capped at 1. Thresholds were tuned on the dev half of nlp/evaluation/narrative_gold
(docs/EVALUATION.md).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.narratives.encoder import SentenceEncoder
from nlp.narratives.taxonomy import NarrativeDef, Taxonomy

ASSIGN_VERSION = "2"


@dataclass(frozen=True)
class AssignConfig:
    """Decision thresholds (see the module docstring)."""

    cue_threshold: float = 0.3
    free_threshold: float = 1.1  # above any cosine: on the dev set, no keyword-free assignment paid
    cue_bonus: float = 0.1
    margin: float = 0.05
    max_per_sentence: int = 2
    context_min: int = 4
    context_threshold: float = 0.5
    context_cue_threshold: float = 0.15
    gate: bool = True


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
        self, taxonomy: Taxonomy, encoder: SentenceEncoder, config: AssignConfig | None = None
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
        self.version = f"narratives-{ASSIGN_VERSION}-{encoder.version}-{taxonomy.version}"

    def cues(self, sentence: str) -> np.ndarray:
        """Boolean per narrative: does one of its keywords occur in the sentence?"""
        return np.array([bool(p and p.search(sentence)) for p in self.patterns], dtype=bool)

    def similarities(self, sentences: Sequence[str]) -> np.ndarray:
        """sentences × narratives: best cosine of each sentence to each narrative's prototypes."""
        emb = self.encoder.encode(sentences)
        cos = emb @ self._prototypes.T
        out = np.full((len(sentences), len(self.narratives)), -1.0, dtype=np.float32)
        for j in range(len(self.narratives)):
            out[:, j] = cos[:, self._owners == j].max(axis=1)
        return out

    def assign(self, sentences: Sequence[str]) -> list[list[Assignment]]:
        """The narratives of each sentence of one document, best first."""
        return self.assign_documents([sentences])[0]

    def assign_documents(self, documents: Sequence[Sequence[str]]) -> list[list[list[Assignment]]]:
        """Per document, the narratives of each sentence (one encoder pass for all)."""
        flat = [s for doc in documents for s in doc]
        cues = np.stack([self.cues(s) for s in flat]) if flat else np.zeros((0, 0), dtype=bool)
        todo = [i for i in range(len(flat)) if not self.config.gate or cues[i].any()]
        sims = np.full((len(flat), len(self.narratives)), -1.0, dtype=np.float32)
        if todo:
            sims[todo] = self.similarities([flat[i] for i in todo])
        out: list[list[list[Assignment]]] = []
        start = 0
        for doc in documents:
            end = start + len(doc)
            out.append(self.decide_document(sims[start:end], cues[start:end]))
            start = end
        return out

    def decide_document(self, sims: np.ndarray, cues: np.ndarray) -> list[list[Assignment]]:
        """Sentence decisions, then the document's main narratives (`context_min` sentences or
        more) are added to sentences whose similarity to them reaches `context_threshold`."""
        cfg = self.config
        per = [self._decide(sims[i], cues[i]) for i in range(len(sims))]
        counts: dict[str, int] = {}
        for assignments in per:
            for a in assignments:
                counts[a.narrative_id] = counts.get(a.narrative_id, 0) + 1
        main = [j for j, n in enumerate(self.narratives) if counts.get(n.id, 0) >= cfg.context_min]
        for i, assignments in enumerate(per):
            have = {a.narrative_id for a in assignments}
            for j in main:
                nid = self.narratives[j].id
                bar = cfg.context_cue_threshold if cues[i, j] else cfg.context_threshold
                if (
                    nid not in have
                    and len(assignments) < cfg.max_per_sentence
                    and sims[i, j] >= bar
                ):
                    score = min(1.0, float(sims[i, j]) + cfg.cue_bonus * bool(cues[i, j]))
                    assignments.append(Assignment(nid, round(score, 4), bool(cues[i, j])))
        return per

    def _decide(self, sims: np.ndarray, cues: np.ndarray) -> list[Assignment]:
        """Apply the thresholds to one sentence's similarities."""
        cfg = self.config
        scores = np.minimum(1.0, sims + cfg.cue_bonus * cues)
        ok = (cues & (sims >= cfg.cue_threshold)) | (sims >= cfg.free_threshold)
        if not ok.any():
            return []
        best = float(scores[ok].max())
        keep = [j for j in np.argsort(-scores) if ok[j] and scores[j] >= best - cfg.margin]
        return [
            Assignment(self.narratives[j].id, round(float(scores[j]), 4), bool(cues[j]))
            for j in keep[: cfg.max_per_sentence]
        ]
