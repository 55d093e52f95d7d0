"""The `tidings process` job: analyze stored articles and write the results through `models/`.

- Picks articles with status "new" (and, with `reprocess_stale`, processed or failed articles
  whose recorded model versions differ from the current ones), oldest id first, in batches.
- Duplicates (`duplicate_of` set by ingest) are skipped: they share their original's text, so
  analyzing them would only double every count; their status stays "new".
- Each article is written in its own transaction: its old sentences, mentions, claims and entity
  sentiment are deleted and the new ones inserted together with status, processed_at and
  model_versions. A crash therefore leaves every article either fully old or fully new, and a
  re-run continues with the articles still pending (resumable, idempotent).
- An article whose analysis fails gets status "failed" and the error; the batch goes on.
- Concurrent runs split the work: each batch is claimed first. On PostgreSQL the batch's rows
  that are still pending are locked with `SELECT ... FOR UPDATE SKIP LOCKED` (rows another run
  holds are skipped) and the batch's results are written and committed in that transaction; on
  SQLite, whose writers are serialized anyway, a lock file beside the database does the same.
  A run that dies releases its claim with its connection. Entity rows are upserted with
  `INSERT ... ON CONFLICT DO NOTHING`, in id order, so runs never race or deadlock on them.
- The KB is the built-in data, then TIDINGS_USER_KB_FILE, then user-defined Entity rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock
from sqlalchemy import Engine, delete, or_
from sqlmodel import Session, col, select

from api.services.narratives import narrative_rows, sync_taxonomy
from api.services.uncurated import refresh_mention_counts
from models._time import utcnow
from models.analysis import Entity, EntitySentiment, Mention, ProcessingStatus, Sentence
from models.articles import Article
from models.claims import Claim
from models.db import session_scope, upsert_insert
from models.narratives import NarrativeAssignment
from nlp.entities.kb import KBEntity, KnowledgeBase, entity_from_dict
from nlp.errors import KnowledgeBaseError, NlpError
from nlp.settings import get_nlp_settings
from nlp.types import Analysis

if TYPE_CHECKING:
    from nlp.pipeline import Analyzer

log = logging.getLogger(__name__)


@dataclass
class ProcessStats:
    """What one `process` run did."""

    done: int = 0
    failed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def user_entities(engine: Engine) -> list[KBEntity]:
    """User-defined Entity rows as KB entities (extra holds tickers and other KB fields)."""
    with Session(engine) as session:
        rows = session.exec(select(Entity).where(col(Entity.user_defined).is_(True))).all()
    entities = []
    for row in rows:
        data = {"id": row.id, "name": row.name, "type": row.type, "aliases": list(row.aliases)}
        data.update(row.extra or {})
        if row.symbol and not data.get("tickers"):
            data["tickers"] = [row.symbol]
        try:
            entities.append(entity_from_dict(data, source="database entity table"))
        except KnowledgeBaseError as exc:  # one bad row must not stop processing
            log.warning("skipping user entity: %s", exc)
    return entities


def build_analyzer(engine: Engine) -> Analyzer:
    """An Analyzer whose KB includes the user file and the database's user entities."""
    from nlp.pipeline import Analyzer  # lazy: loads spaCy

    settings = get_nlp_settings()
    kb = KnowledgeBase.load(user_file=settings.user_kb_file, extra=user_entities(engine))
    return Analyzer(settings, kb=kb)


def pending_ids(
    engine: Engine,
    versions: dict[str, str],
    *,
    reprocess_stale: bool,
    retry_failed: bool = False,
) -> list[int]:
    """Ids to analyze: new ones, plus stale (or failed) ones when asked; duplicates never."""
    status = col(Article.status)
    wanted = status == ProcessingStatus.NEW.value
    with Session(engine) as session:
        query = select(Article.id, Article.status, Article.model_versions).where(
            col(Article.duplicate_of).is_(None)
        )
        if reprocess_stale or retry_failed:
            query = query.where(or_(wanted, status.in_(["done", "failed"])))
        else:
            query = query.where(wanted)
        rows = session.exec(query.order_by(col(Article.id))).all()

    def due(state: str, recorded: object) -> bool:
        if state == ProcessingStatus.NEW.value:
            return True
        if retry_failed and state == ProcessingStatus.FAILED.value:
            return True
        return reprocess_stale and recorded != versions

    return [
        int(article_id)
        for article_id, state, recorded in rows
        if article_id is not None and due(state, recorded)
    ]


def _as_date(value: str | None) -> date | None:
    """An ISO date string as a date (None when absent or malformed)."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _clear(session: Session, article_id: int) -> None:
    """Delete an article's previous analysis rows."""
    for table in (Sentence, Mention, Claim, EntitySentiment, NarrativeAssignment):
        session.execute(delete(table).where(col(table.article_id) == article_id))


def _entity_ids(analyses: Sequence[Analysis]) -> dict[str, tuple[str, str]]:
    """Linked entity id -> (name, type) over the analyses, sorted by id."""
    seen: dict[str, tuple[str, str]] = {}
    for analysis in analyses:
        for m in analysis.entities:
            if m.entity_id:
                seen.setdefault(m.entity_id, (m.name, m.type))
    return dict(sorted(seen.items()))


def _uncurated_ids(analyses: Sequence[Analysis], kb: KnowledgeBase) -> set[str]:
    """Linked ids in the analyses that the KB does not know."""
    return {i for i in _entity_ids(analyses) if kb.get(i) is None}


def _ensure_entities(session: Session, analyses: Sequence[Analysis], kb: KnowledgeBase) -> None:
    """Insert missing Entity rows (`ON CONFLICT DO NOTHING`, so concurrent runs never collide)
    and refresh the built-in ones from the KB; user-defined rows are left as the user made them.
    Ids go in sorted order so two transactions never wait on each other in a cycle."""
    seen = _entity_ids(analyses)
    if not seen:
        return
    values: list[dict[str, object]] = []
    for entity_id, (name, kind) in seen.items():
        kb_entity = kb.get(entity_id)
        row: dict[str, object] = {"id": entity_id, "name": name, "type": kind, "symbol": None,
                                  "aliases": [], "extra": None, "user_defined": False,
                                  "curated": kb_entity is not None}  # fmt: skip
        if kb_entity is not None:
            row.update(name=kb_entity.name, type=kb_entity.type, aliases=list(kb_entity.aliases),
                       symbol=kb_entity.tickers[0] if kb_entity.tickers else None)  # fmt: skip
        values.append(row)
    insert = upsert_insert(session, Entity)
    session.execute(insert.values(values).on_conflict_do_nothing(index_elements=["id"]))
    wanted = {v["id"]: v for v in values}
    stored = session.exec(
        select(Entity).where(col(Entity.id).in_(list(wanted))).order_by(col(Entity.id))
    ).all()
    for entity in stored:
        new = wanted[entity.id]
        if entity.user_defined or kb.get(entity.id) is None:
            continue  # the user's own definition wins; unknown ids keep their first name
        fields = ("name", "type", "symbol", "aliases", "curated")
        if any(getattr(entity, f) != new[f] for f in fields):
            for f in fields:
                setattr(entity, f, new[f])
            session.add(entity)


def _rows(article: Article, analysis: Analysis) -> Iterator[object]:
    """Sentence, Mention, Claim and EntitySentiment rows of one analysis."""
    article_id = article.id
    assert article_id is not None
    for i, s in enumerate(analysis.sentences):
        yield Sentence(article_id=article_id, index=i, start=s.start, end=s.end, text=s.text,
                       label=s.label, score=s.score, probs=s.probs)  # fmt: skip
    for m in analysis.entities:
        yield Mention(article_id=article_id, sentence_index=m.sentence_index, entity_id=m.entity_id,
                      label=m.type, start=m.start, end=m.end, text=m.text)  # fmt: skip
    for c in analysis.claims:
        # Only the columns the table has: the claim record may carry extra fields.
        data = {
            k: v
            for k, v in c.model_dump().items()
            if k in Claim.model_fields
            and k not in {"time_start", "time_end", "article_id", "id", "article_published_at"}
        }
        sentence = (
            analysis.sentences[c.sentence_index].text
            if 0 <= c.sentence_index < len(analysis.sentences)
            else ""
        )
        yield Claim(article_id=article_id, time_start=_as_date(c.time_start),
                    time_end=_as_date(c.time_end), sentence_text=sentence,
                    article_published_at=article.published_at, **data)  # fmt: skip
    for es in analysis.entity_sentiment:
        yield EntitySentiment(article_id=article_id, entity_id=es.entity_id, name=es.name,
                              score=es.score, confidence=es.confidence or 0.0, n=es.n)  # fmt: skip


def _write_analysis(session: Session, article: Article, analysis: Analysis) -> None:
    """Replace one article's analysis rows and mark it done (entities already ensured)."""
    assert article.id is not None
    _clear(session, article.id)
    session.add_all(list(_rows(article, analysis)))
    session.add_all(narrative_rows(session, article.id, analysis))
    article.status = ProcessingStatus.DONE.value
    article.error = None
    article.processed_at = utcnow()
    article.model_versions = dict(analysis.model_versions)
    document = analysis.document
    article.sentiment_label = document.label if document else None
    article.sentiment_score = document.score if document else None
    article.sentiment_confidence = document.confidence if document else None
    article.sentiment_mixed = document.mixed if document else None
    session.add(article)


def _write_failure(
    session: Session, article: Article, error: str, *, versions: dict[str, str]
) -> None:
    """Record a failed analysis (old results removed; versions kept, see mark_failed)."""
    assert article.id is not None
    _clear(session, article.id)
    article.status = ProcessingStatus.FAILED.value
    article.error = error[:2000]
    article.processed_at = utcnow()
    article.model_versions = dict(versions)
    session.add(article)


def store_analysis(
    engine: Engine, article_id: int, analysis: Analysis, *, kb: KnowledgeBase
) -> None:
    """Replace one article's analysis rows and mark it done, in one transaction."""
    with session_scope(engine) as session:
        article = session.get(Article, article_id)
        if article is None:
            return  # deleted meanwhile
        _ensure_entities(session, [analysis], kb)
        _write_analysis(session, article, analysis)
        refresh_mention_counts(session, _uncurated_ids([analysis], kb))


def mark_failed(engine: Engine, article_id: int, error: str, *, versions: dict[str, str]) -> None:
    """Record a failed analysis on the article (its old results, if any, are removed); the
    versions are kept so that --reprocess-stale retries it only once the models change."""
    with session_scope(engine) as session:
        article = session.get(Article, article_id)
        if article is not None:
            _write_failure(session, article, error, versions=versions)


def _lock_file(engine: Engine) -> Path | None:
    """The file that serializes claims on a SQLite database (None: in memory or not SQLite)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    if engine.url.database == ":memory:":
        return None
    return Path(engine.url.database).with_name(Path(engine.url.database).name + ".process.lock")


@dataclass
class _Claim:
    """The pending articles a run claimed (locked) from one batch of candidate ids."""

    engine: Engine
    ids: Sequence[int]
    due: Callable[[Article], bool]
    claimed: set[int] = field(default_factory=set)  # ids read under the claim (locked)

    @contextmanager
    def open(self) -> Iterator[tuple[Session, list[Article]]]:
        """Claim the batch's still-pending articles; their results are written in the session
        and committed when the block ends (rolled back, claim released, on error)."""
        with ExitStack() as stack:
            lock = _lock_file(self.engine)
            if lock is not None:
                stack.enter_context(FileLock(lock))
            session = stack.enter_context(session_scope(self.engine))
            query = select(Article).where(col(Article.id).in_(list(self.ids)))
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = session.exec(query.order_by(col(Article.id))).all()
            self.claimed = {int(a.id) for a in rows if a.id is not None}
            yield session, [a for a in rows if self.due(a)]


def _due(
    versions: dict[str, str], *, reprocess_stale: bool, retry_failed: bool, started: datetime
) -> Callable[[Article], bool]:
    """Whether a (freshly read) article still needs this run's analysis."""

    def due(article: Article) -> bool:
        if article.duplicate_of is not None:
            return False
        if article.status == ProcessingStatus.NEW.value:
            return True
        processed = article.processed_at
        if processed is not None and processed.replace(tzinfo=None) >= started:
            return False  # done by a concurrent run since this one started
        if retry_failed and article.status == ProcessingStatus.FAILED.value:
            return True
        return reprocess_stale and article.model_versions != versions

    return due


def _analyze_batch(
    analyzer: Analyzer, batch: list[tuple[int, str, date | None]]
) -> list[tuple[int, Analysis | str]]:
    """Each article's analysis, or its error message; one bad article never sinks the rest."""
    try:
        analyses = list(analyzer.pipe((text, published) for _, text, published in batch))
        return [(i, a) for (i, _, _), a in zip(batch, analyses, strict=True)]
    except Exception:  # isolate the failing article below
        log.info("batch failed; analyzing its %d articles one by one", len(batch))
    results: list[tuple[int, Analysis | str]] = []
    for article_id, text, published in batch:
        try:
            results.append((article_id, analyzer.analyze(text, published)))
        except NlpError as exc:
            results.append((article_id, str(exc)))
        except Exception as exc:  # recorded on the article; the batch goes on
            log.exception("article %s: analysis failed", article_id)
            results.append((article_id, f"{type(exc).__name__}: {exc}"))
    return results


def _process_batch(
    claim: _Claim, analyzer: Analyzer, *, versions: dict[str, str], stats: ProcessStats
) -> None:
    """Claim one batch, analyze what is still pending, and write it all in the claim."""
    with claim.open() as (session, articles):
        batch = [
            (int(a.id), a.text, a.published_at.date() if a.published_at else None)
            for a in articles
            if a.id is not None
        ]
        results = _analyze_batch(analyzer, batch) if batch else []
        _ensure_entities(session, [r for _, r in results if isinstance(r, Analysis)], analyzer.kb)
        by_id = {a.id: a for a in articles}
        for article_id, result in results:
            if isinstance(result, Analysis):
                _write_analysis(session, by_id[article_id], result)
                stats.done += 1
            else:
                _write_failure(session, by_id[article_id], result, versions=versions)
                stats.failed += 1
                stats.errors.append((article_id, result))
        analyses = [r for _, r in results if isinstance(r, Analysis)]
        refresh_mention_counts(session, _uncurated_ids(analyses, analyzer.kb))


def process_articles(
    engine: Engine,
    *,
    analyzer: Analyzer | None = None,
    batch_size: int | None = None,
    reprocess_stale: bool = False,
    retry_failed: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ProcessStats:
    """Analyze every pending article in claimed batches; `progress(done, total)` after each."""
    analyzer = analyzer or build_analyzer(engine)
    versions = analyzer.model_versions
    started = utcnow().replace(tzinfo=None)
    sync_taxonomy(engine, analyzer)
    ids = pending_ids(engine, versions, reprocess_stale=reprocess_stale, retry_failed=retry_failed)
    due = _due(versions, reprocess_stale=reprocess_stale, retry_failed=retry_failed,
               started=started)  # fmt: skip
    size = batch_size or analyzer.settings.nlp_batch_size
    stats = ProcessStats()
    for offset in range(0, len(ids), size):
        _process_batch(
            _Claim(engine, ids[offset : offset + size], due),
            analyzer,
            versions=versions,
            stats=stats,
        )
        if progress is not None:
            progress(min(offset + size, len(ids)), len(ids))
    return stats


def process_ids(
    engine: Engine, ids: Sequence[int], *, analyzer: Analyzer
) -> tuple[ProcessStats, list[int]]:
    """Analyze the given articles that are still new, in one claim (a queue task's work).

    Returns the stats and the ids another run holds right now (PostgreSQL rows locked
    elsewhere): the caller retries those later. Articles already done, failed or deleted are
    skipped, so a task delivered twice writes each article's results once."""
    versions = analyzer.model_versions
    due = _due(versions, reprocess_stale=False, retry_failed=False,
               started=utcnow().replace(tzinfo=None))  # fmt: skip
    claim = _Claim(engine, list(ids), due)
    stats = ProcessStats()
    _process_batch(claim, analyzer, versions=versions, stats=stats)
    missing = [i for i in ids if i not in claim.claimed]
    if not missing:
        return stats, []
    with Session(engine) as session:
        held = session.exec(select(Article.id).where(col(Article.id).in_(missing))).all()
    return stats, sorted(int(i) for i in held if i is not None)
