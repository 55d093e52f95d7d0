"""Dedupe: exact content hash and near-duplicate detection with MinHash LSH (datasketch)."""

import hashlib
import re

import numpy as np
from datasketch import MinHash, MinHashLSH
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.articles import Article

_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE_WORDS = 5
# Fixed so stored signatures stay comparable across datasketch upgrades.
SCHEME = "affine32"


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the case- and whitespace-folded title and text."""
    words = _WORD.findall(f"{title}\n{text}".lower())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def body_of(title: str, text: str) -> str:
    """The text without a leading headline line: outlets retitle the same story."""
    first, _, rest = text.partition("\n")
    if title and first.strip().casefold() == title.strip().casefold():
        return rest
    return text


def minhash_of(text: str, *, num_perm: int, min_words: int) -> MinHash | None:
    """MinHash of the text's word 5-gram shingles, or None when the text is too short."""
    words = _WORD.findall(text.lower())
    if len(words) < max(min_words, SHINGLE_WORDS):
        return None
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    signature = MinHash(num_perm=num_perm, scheme=SCHEME)
    signature.update_batch([s.encode("utf-8") for s in shingles])
    return signature


def minhash_to_bytes(signature: MinHash) -> bytes:
    """Storage form of a signature: its hash values widened to uint64 (room for other schemes)."""
    return np.asarray(signature.hashvalues, dtype=np.uint64).tobytes()


def minhash_from_bytes(data: bytes) -> MinHash:
    """The signature stored by `minhash_to_bytes`."""
    values = np.frombuffer(data, dtype=np.uint64).astype(np.uint32)
    return MinHash(num_perm=len(values), hashvalues=values, scheme=SCHEME)


class NearDupIndex:
    """In-memory LSH over the signatures of stored original (non-duplicate) articles."""

    def __init__(self, *, threshold: float, num_perm: int) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        # LSH below the decision threshold: more candidates, each then checked exactly.
        self._lsh = MinHashLSH(threshold=max(0.1, threshold - 0.2), num_perm=num_perm)
        self._signatures: dict[int, MinHash] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, article_id: int, signature: MinHash) -> None:
        """Index an original article's signature."""
        if article_id in self._signatures or len(signature.hashvalues) != self.num_perm:
            return
        self._lsh.insert(article_id, signature)
        self._signatures[article_id] = signature

    def find(self, signature: MinHash) -> int | None:
        """The most similar indexed article at or above the threshold, or None."""
        best_id, best = None, self.threshold
        for candidate in self._lsh.query(signature):
            similarity = signature.jaccard(self._signatures[candidate])
            if similarity >= best:
                best_id, best = int(candidate), similarity
        return best_id

    def load(self, engine: Engine) -> None:
        """Index every stored original article that has a signature."""
        query = select(Article.id, Article.minhash).where(
            col(Article.duplicate_of).is_(None), col(Article.minhash).is_not(None)
        )
        with Session(engine) as session:
            for article_id, data in session.exec(query):
                if article_id is not None and data:
                    self.add(article_id, minhash_from_bytes(data))
