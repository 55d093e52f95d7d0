"""Train the narrative sentence classifier: one logistic regression per narrative on the MiniLM
sentence embeddings, from the labelled sentences of nlp/evaluation/narrative_gold.

Run at build time (`python -m nlp.training.narrative_classifier [--cv] [--encoder sentiment]`);
the weights ship in nlp/narratives/classifier.npz (on the narrative encoder's embeddings) and
nlp/narratives/classifier-sentiment.npz (on the sentiment model's pooled vectors, for
TIDINGS_NARRATIVES_ENCODER=sentiment); numpy only at run time. Trained on the splits in TRAIN_SPLITS
only: a blind split (`blind3`) is never read here. `--cv` prints leave-one-article-out
probabilities' quality, the honest estimate for unseen articles.
"""

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlp.evaluation.narratives import load_narrative_gold
from nlp.narratives.assign import CLASSIFIER_FILE, SHARED_CLASSIFIER_FILE, SentenceClassifier
from nlp.narratives.encoder import (
    SentenceEncoder,
    SentimentEncoder,
    load_encoder,
    load_sentiment_encoder,
)
from nlp.narratives.taxonomy import Taxonomy

TRAIN_SPLITS = ("dev", "dev2", "blind2")
C = 10.0  # inverse L2 strength (unit-length embeddings need a weak penalty)
MIN_POSITIVE = 3  # narratives with fewer labelled sentences get no model


def labelled_sentences(
    shared: Path, encoder: SentenceEncoder | SentimentEncoder, splits: Sequence[str] = TRAIN_SPLITS
) -> tuple[np.ndarray, list[set[str]], np.ndarray]:
    """Embeddings, gold narrative sets and article number of every sentence of `splits`."""
    emb, labels, article = [], [], []
    docs = [d for split in splits for d in load_narrative_gold(shared, split=split)]
    for k, doc in enumerate(docs):
        texts = [doc.text[g["char_start"] : g["char_end"]] for g in doc.sentences]
        emb.append(encoder.encode(texts))
        labels += [set(g["narratives"]) for g in doc.sentences]
        article += [k] * len(texts)
    return np.concatenate(emb), labels, np.asarray(article)


def fit(
    x: np.ndarray, labels: Sequence[set[str]], ids: Sequence[str], *, c: float = C
) -> SentenceClassifier:
    """One logistic regression per narrative with at least MIN_POSITIVE labelled sentences."""
    from sklearn.linear_model import LogisticRegression

    kept, weights, bias = [], [], []
    for nid in ids:
        y = np.array([nid in g for g in labels])
        if y.sum() < MIN_POSITIVE:
            continue
        clf = LogisticRegression(C=c, max_iter=1000).fit(x, y)
        kept.append(nid)
        weights.append(clf.coef_[0])
        bias.append(clf.intercept_[0])
    return SentenceClassifier(
        tuple(kept),
        np.asarray(weights, dtype=np.float32).T.reshape(x.shape[1], len(kept)),
        np.asarray(bias, dtype=np.float32),
        "trained",
    )


def leave_one_article_out(
    x: np.ndarray, labels: Sequence[set[str]], article: np.ndarray, *, ids: Sequence[str]
) -> np.ndarray:
    """Each sentence's probabilities from a classifier that never saw its article."""
    out = np.zeros((len(x), len(ids)), dtype=np.float32)
    for k in np.unique(article):
        train = article != k
        clf = fit(x[train], [g for g, t in zip(labels, train, strict=True) if t], ids)
        out[~train] = clf.probabilities(x[~train], ids)
    return out


def save(clf: SentenceClassifier, path: Path = CLASSIFIER_FILE) -> None:
    """Write the weights (float32) and narrative ids."""
    with path.open("wb") as fh:
        np.savez_compressed(fh, ids=np.array(clf.ids), weights=clf.weights, bias=clf.bias)


def main() -> None:
    """Train on TRAIN_SPLITS and write nlp/narratives/classifier.npz."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--cv", action="store_true", help="also print leave-one-article-out F1")
    parser.add_argument("--encoder", choices=("minilm", "sentiment"), default="minilm")
    args = parser.parse_args()
    ids = [n.id for n in Taxonomy.load().narratives]
    shared = args.encoder == "sentiment"
    encoder = load_sentiment_encoder() if shared else load_encoder()
    target = SHARED_CLASSIFIER_FILE if shared else CLASSIFIER_FILE
    x, labels, article = labelled_sentences(args.shared, encoder)
    if args.cv:
        probs = leave_one_article_out(x, labels, article, ids=ids)
        gold = np.array([[nid in g for nid in ids] for g in labels])
        for threshold in (0.3, 0.4, 0.5, 0.6):
            pred = probs >= threshold
            tp = int((pred & gold).sum())
            fp, fn = int((pred & ~gold).sum()), int((~pred & gold).sum())
            f1 = 2 * tp / max(1, 2 * tp + fp + fn)
            print(f"classifier alone, threshold {threshold}: F1 {f1:.3f} (tp {tp} fp {fp} fn {fn})")
    clf = fit(x, labels, ids)
    save(clf, target)
    print(f"{len(clf.ids)} narratives, {len(x)} sentences -> {target}")


if __name__ == "__main__":
    main()
