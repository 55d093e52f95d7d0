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
- The KB is the built-in data, then TIDINGS_USER_KB_FILE, then user-defined Entity rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, delete, or_
from sqlmodel import Session, col, select

from api.narratives_store import narrative_rows, sync_taxonomy
from models._time import utcnow
from models.articles import Article
from models.claims import Claim
from models.db import session_scope
from models.narratives import NarrativeAssignment
from models.nlp import Entity, EntitySentiment, Mention, ProcessingStatus, Sentence
from nlp.errors import KnowledgeBaseError, NlpError
from nlp.kb import KBEntity, KnowledgeBase, entity_from_dict
from nlp.pipeline import Analyzer
from nlp.settings import get_nlp_settings
from nlp.types import Analysis

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


def _ensure_entities(session: Session, analysis: Analysis, kb: KnowledgeBase) -> None:
    """Insert or refresh Entity rows for every linked id the analysis mentions."""
    seen: dict[str, tuple[str, str]] = {}
    for m in analysis.entities:
        if m.entity_id:
            seen.setdefault(m.entity_id, (m.name, m.type))
    for entity_id, (name, kind) in seen.items():
        row = session.get(Entity, entity_id)
        if row is not None and row.user_defined:
            continue  # the user's own definition wins
        kb_entity = kb.get(entity_id)
        if row is None:
            row = Entity(id=entity_id, name=name, type=kind)
        if kb_entity is not None:
            row.name, row.type = kb_entity.name, kb_entity.type
            row.symbol = kb_entity.tickers[0] if kb_entity.tickers else None
            row.aliases = list(kb_entity.aliases)
        session.add(row)


def _rows(article_id: int, analysis: Analysis) -> Iterator[object]:
    """Sentence, Mention, Claim and EntitySentiment rows of one analysis."""
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
            if k in Claim.model_fields and k not in {"time_start", "time_end", "article_id", "id"}
        }
        sentence = (
            analysis.sentences[c.sentence_index].text
            if 0 <= c.sentence_index < len(analysis.sentences)
            else ""
        )
        yield Claim(article_id=article_id, time_start=_as_date(c.time_start),
                    time_end=_as_date(c.time_end), sentence_text=sentence, **data)  # fmt: skip
    for es in analysis.entity_sentiment:
        yield EntitySentiment(article_id=article_id, entity_id=es.entity_id, name=es.name,
                              score=es.score, confidence=es.confidence or 0.0, n=es.n)  # fmt: skip


def store_analysis(
    engine: Engine, article_id: int, analysis: Analysis, *, kb: KnowledgeBase
) -> None:
    """Replace one article's analysis rows and mark it done, in one transaction."""
    with session_scope(engine) as session:
        article = session.get(Article, article_id)
        if article is None:
            return  # deleted meanwhile
        _clear(session, article_id)
        _ensure_entities(session, analysis, kb)
        session.add_all(list(_rows(article_id, analysis)))
        session.add_all(narrative_rows(session, article_id, analysis))
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


def mark_failed(engine: Engine, article_id: int, error: str, *, versions: dict[str, str]) -> None:
    """Record a failed analysis on the article (its old results, if any, are removed); the
    versions are kept so that --reprocess-stale retries it only once the models change."""
    with session_scope(engine) as session:
        article = session.get(Article, article_id)
        if article is None:
            return
        _clear(session, article_id)
        article.status = ProcessingStatus.FAILED.value
        article.error = error[:2000]
        article.processed_at = utcnow()
        article.model_versions = dict(versions)
        session.add(article)


def _load(engine: Engine, ids: Sequence[int]) -> list[tuple[int, str, date | None]]:
    """(id, text, publication date) of the given articles."""
    with Session(engine) as session:
        rows = session.exec(
            select(Article.id, Article.text, Article.published_at).where(col(Article.id).in_(ids))
        ).all()
    found = {
        int(i): (text, published.date() if published else None)
        for i, text, published in rows
        if i is not None
    }
    return [(i, *found[i]) for i in ids if i in found]


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


def process_articles(
    engine: Engine,
    *,
    analyzer: Analyzer | None = None,
    batch_size: int | None = None,
    reprocess_stale: bool = False,
    retry_failed: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ProcessStats:
    """Analyze every pending article in batches; `progress(done, total)` after each batch."""
    analyzer = analyzer or build_analyzer(engine)
    versions = analyzer.model_versions
    sync_taxonomy(engine, analyzer)
    ids = pending_ids(engine, versions, reprocess_stale=reprocess_stale, retry_failed=retry_failed)
    size = batch_size or analyzer.settings.nlp_batch_size
    stats = ProcessStats()
    for offset in range(0, len(ids), size):
        for article_id, result in _analyze_batch(
            analyzer, _load(engine, ids[offset : offset + size])
        ):
            if isinstance(result, Analysis):
                store_analysis(engine, article_id, result, kb=analyzer.kb)
                stats.done += 1
            else:
                mark_failed(engine, article_id, result, versions=versions)
                stats.failed += 1
                stats.errors.append((article_id, result))
        if progress is not None:
            progress(min(offset + size, len(ids)), len(ids))
    return stats
