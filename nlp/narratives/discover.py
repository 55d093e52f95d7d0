"""Discovery: cluster sentences that fit no narrative into candidate narratives.

Sentences are embedded with the narrative encoder and grouped by agglomerative clustering
(cosine distance, average linkage, a distance threshold rather than a fixed number of
clusters). Clusters of at least `min_size` sentences from at least `min_articles` articles
become candidates, labelled by class-based TF-IDF (c-TF-IDF: a term's frequency in the cluster
times log(1 + average cluster size in words / the term's frequency over all clusters)), so the
label words are those that set the cluster apart. The sentences nearest the cluster centre are
its seeds; a user can promote a candidate into the taxonomy (its keywords and seeds as given).
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.narratives.encoder import SentenceEncoder
from nlp.narratives.taxonomy import NarrativeDef

MIN_WORDS = 6
# Words every crypto news cluster shares: they would label nothing.
NEWS_WORDS = ("said", "says", "according", "bitcoin", "btc", "crypto", "cryptocurrency",
              "cryptocurrencies", "also", "just", "like", "new", "year", "week")  # fmt: skip
_TOKEN = re.compile(r"(?u)\b[a-zA-Z][a-zA-Z0-9-]{2,}\b")


@dataclass(frozen=True)
class DiscoveryConfig:
    """Clustering and labelling options."""

    distance_threshold: float = 0.55  # cosine distance at which clusters stop merging
    min_size: int = 4
    min_articles: int = 2
    keywords: int = 6
    seeds: int = 3
    max_sentences: int = 5000


@dataclass(frozen=True)
class Candidate:
    """A cluster of unassigned sentences, labelled, ready to promote."""

    id: str
    name: str
    keywords: tuple[str, ...]
    seeds: tuple[str, ...]
    size: int
    articles: int
    members: tuple[int, ...]  # indexes into the input sentences

    def to_narrative(
        self, narrative_id: str | None = None, name: str | None = None
    ) -> NarrativeDef:
        """The candidate as a user narrative."""
        return NarrativeDef(
            id=narrative_id or self.id.split(":")[-1],
            name=name or self.name,
            description=f"Discovered from {self.size} sentences: {', '.join(self.keywords)}.",
            seeds=self.seeds,
            keywords=self.keywords,
            kind="user",
        )


def ctfidf_keywords(clusters: Sequence[Sequence[str]], top: int) -> list[list[str]]:
    """The `top` c-TF-IDF terms (words and two-word phrases) of each cluster of texts."""
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [" ".join(texts) for texts in clusters]
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = sorted(ENGLISH_STOP_WORDS.union(NEWS_WORDS))
    vectorizer = CountVectorizer(stop_words=stop, ngram_range=(1, 2),
                                 token_pattern=_TOKEN.pattern, lowercase=True)  # fmt: skip
    counts = vectorizer.fit_transform(docs).toarray().astype(np.float64)
    terms = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    avg_words = counts.sum() / max(len(docs), 1)
    idf = np.log(1.0 + avg_words / np.maximum(counts.sum(axis=0), 1.0))
    scores = tf * idf
    out = []
    for row in scores:
        picked: list[str] = []
        for j in np.argsort(-row):
            term = str(terms[j])
            if row[j] <= 0 or len(picked) >= top:
                break
            if any(term in p.split() or p in term.split() for p in picked):
                continue  # "fee" and "transaction fee": keep one
            picked.append(term)
        out.append(picked)
    return out


def discover(
    sentences: Sequence[str],
    articles: Sequence[int],
    encoder: SentenceEncoder,
    *,
    config: DiscoveryConfig | None = None,
) -> list[Candidate]:
    """Candidates from `sentences` (with the article each comes from), largest first."""
    from sklearn.cluster import AgglomerativeClustering

    cfg = config or DiscoveryConfig()
    keep = [i for i, s in enumerate(sentences) if len(s.split()) >= MIN_WORDS][: cfg.max_sentences]
    if len(keep) < cfg.min_size:
        return []
    emb = encoder.encode([sentences[i] for i in keep])
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average",
        distance_threshold=cfg.distance_threshold,
    ).fit_predict(emb)  # fmt: skip
    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    groups = [
        g for g in groups
        if len(g) >= cfg.min_size and len({articles[keep[i]] for i in g}) >= cfg.min_articles
    ]  # fmt: skip
    if not groups:
        return []
    keywords = ctfidf_keywords([[sentences[keep[i]] for i in g] for g in groups], cfg.keywords)
    candidates = []
    for g, words in zip(groups, keywords, strict=True):
        centre = emb[g].mean(axis=0)
        nearest = g[np.argsort(-(emb[g] @ centre))][: cfg.seeds]
        digest = hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:8]
        slug = "-".join(re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-") for w in words[:2])
        candidates.append(Candidate(
            id=f"candidate:{slug or 'cluster'}-{digest}"[:80],
            name=" / ".join(words[:3]) or "unlabelled cluster",
            keywords=tuple(words),
            seeds=tuple(sentences[keep[i]] for i in nearest),
            size=len(g),
            articles=len({articles[keep[i]] for i in g}),
            members=tuple(keep[i] for i in g),
        ))  # fmt: skip
    return sorted(candidates, key=lambda c: (-c.size, c.id))
