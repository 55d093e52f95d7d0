"""Writing to the store: fetch records with gzipped bodies, and articles committed one by one.

Each article and the page fetch it came from are committed in one transaction, so a crash leaves
either both or neither; a re-run skips URLs already stored, so nothing is stored twice.
"""

import gzip
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from datasketch import MinHash
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ingest.dedup import NearDupIndex, body_of, content_hash, minhash_of, minhash_to_bytes
from ingest.fetch import FetchResult
from ingest.normalize import to_utc
from ingest.settings import IngestSettings
from models._time import utcnow
from models.articles import Article, DedupeKind, PublishedFrom, TextSource
from models.sources import FetchRecord


class Outcome(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    KNOWN = "known"
    UPDATED = "updated"  # already stored; its metadata refreshed (store(update=True))


@dataclass
class Candidate:
    """An article ready to store (canonical URL, chosen text, dates and provenance)."""

    url: str
    title: str
    text: str
    text_source: TextSource
    source_id: int | None = None
    original_url: str | None = None
    author: str | None = None
    language: str | None = None
    published_at: datetime | None = None
    published_from: PublishedFrom = PublishedFrom.FIRST_SEEN
    first_seen_at: datetime = field(default_factory=utcnow)
    extraction_note: str | None = None


def fetch_record(result: FetchResult, *, source_id: int | None, purpose: str) -> FetchRecord:
    """A FetchRecord for one fetch, its body gzipped."""
    body = result.content
    return FetchRecord(
        source_id=source_id,
        url=result.url,
        final_url=result.final_url,
        purpose=purpose,
        status=result.status,
        error=result.error,
        elapsed_ms=result.elapsed_ms,
        content_type=result.content_type,
        size_bytes=len(body) if body else 0,
        body_gz=gzip.compress(body, compresslevel=6) if body else None,
    )


def save_fetch(engine: Engine, result: FetchResult, *, source_id: int | None, purpose: str) -> int:
    """Store one fetch record on its own and return its id."""
    record = fetch_record(result, source_id=source_id, purpose=purpose)
    with Session(engine) as session:
        session.add(record)
        session.commit()
        session.refresh(record)
    assert record.id is not None
    return record.id


def url_known(engine: Engine, url: str) -> bool:
    """True when an article with this canonical URL is already stored."""
    with Session(engine) as session:
        found = session.exec(select(Article.id).where(Article.url == url)).first()
    return found is not None


class ArticleStore:
    """Stores candidates with exact and near-duplicate detection."""

    def __init__(self, engine: Engine, settings: IngestSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.index: NearDupIndex | None = None
        if settings.near_dup_enabled:
            self.index = NearDupIndex(
                threshold=settings.near_dup_threshold, num_perm=settings.near_dup_num_perm
            )
            self.index.load(engine)

    def store(
        self,
        candidate: Candidate,
        *,
        page: FetchResult | None = None,
        fetch_id: int | None = None,
        update: bool = False,
    ) -> Outcome:
        """Commit the article (with its page fetch, if any) atomically; known URLs are skipped,
        or with `update` get their metadata refreshed (UPDATED when anything changed)."""
        if update:
            refreshed = refresh_metadata(self.engine, candidate)
            if refreshed is not None:
                return refreshed
        digest = content_hash(candidate.title, candidate.text)
        signature = None
        if self.index is not None:
            signature = minhash_of(
                body_of(candidate.title, candidate.text),
                num_perm=self.settings.near_dup_num_perm,
                min_words=self.settings.near_dup_min_words,
            )
        with Session(self.engine, expire_on_commit=False) as session:
            if session.exec(select(Article.id).where(Article.url == candidate.url)).first():
                return Outcome.KNOWN
            if page is not None:
                record = fetch_record(page, source_id=candidate.source_id, purpose="page")
                session.add(record)
                session.flush()
                fetch_id = record.id
            article = self._article(candidate, digest=digest, fetch_id=fetch_id)
            self._mark_duplicate(session, article, signature)
            if signature is not None:
                article.minhash = minhash_to_bytes(signature)
            session.add(article)
            try:
                session.commit()
            except IntegrityError:  # the same URL stored concurrently by another worker
                session.rollback()
                return Outcome.KNOWN
        if article.duplicate_of is not None:
            return Outcome.DUPLICATE
        if self.index is not None and signature is not None and article.id is not None:
            self.index.add(article.id, signature)
        return Outcome.NEW

    @staticmethod
    def _article(candidate: Candidate, *, digest: str, fetch_id: int | None) -> Article:
        """The Article row for a candidate."""
        return Article(
            url=candidate.url,
            title=candidate.title,
            author=candidate.author,
            language=candidate.language,
            published_at=candidate.published_at,
            published_from=candidate.published_from,
            source_id=candidate.source_id,
            fetch_id=fetch_id,
            original_url=candidate.original_url,
            first_seen_at=candidate.first_seen_at,
            text=candidate.text,
            text_source=candidate.text_source,
            content_hash=digest,
            extraction_note=candidate.extraction_note,
        )

    def _mark_duplicate(
        self, session: Session, article: Article, signature: MinHash | None
    ) -> None:
        """Set duplicate_of / duplicate_kind from an exact hash match, else a near match."""
        exact = session.exec(
            select(Article.id)
            .where(Article.content_hash == article.content_hash)
            .where(col(Article.duplicate_of).is_(None))
            .order_by(col(Article.id))
        ).first()
        if exact is not None:
            article.duplicate_of, article.duplicate_kind = exact, DedupeKind.HASH
            return
        if self.index is None or signature is None:
            return
        near = self.index.find(signature)
        if near is not None:
            article.duplicate_of, article.duplicate_kind = near, DedupeKind.NEAR


_METADATA = ("title", "author", "published_at", "published_from", "original_url", "source_id")


def _same(old: object, new: object) -> bool:
    """Equal values; datetimes compared in UTC (SQLite hands back naive UTC values)."""
    if isinstance(old, datetime) and isinstance(new, datetime):
        return to_utc(old) == to_utc(new)
    return old == new


def refresh_metadata(engine: Engine, candidate: Candidate) -> Outcome | None:
    """Refresh the metadata (title, author, dates, source) of the stored article with the
    candidate's URL: UPDATED when something changed, KNOWN when not, None when not stored.
    The text is left alone, so analyses and duplicate links stay valid."""
    with Session(engine) as session:
        article = session.exec(select(Article).where(Article.url == candidate.url)).first()
        if article is None:
            return None
        changed = False
        for name in _METADATA:
            if name == "published_from" and candidate.published_at is None:
                continue
            new = getattr(candidate, name)
            if new is not None and not _same(getattr(article, name), new):
                setattr(article, name, new)
                changed = True
        if not changed:
            return Outcome.KNOWN
        session.add(article)
        session.commit()
    return Outcome.UPDATED
