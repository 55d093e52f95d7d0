"""What GET /stream pushes: articles as `process` stores them, read back from the store, so that
any process that writes the store (another `tidings process`, `tidings run`) is seen.

A position is (processed_at, article id). Each look reads the articles past the last position,
and also those up to LOOKBACK before it that were not sent yet: concurrent `process` runs on
PostgreSQL commit batches out of processed_at order, so a batch can land after a later one was
already seen. An article processed again (new processed_at) is sent again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select
from sqlmodel import Session, col

from models.analysis import ProcessingStatus
from models.articles import Article
from models.claims import Claim

LOOKBACK = timedelta(seconds=120)
SUMMARY = ("id", "url", "title", "source_id", "published_at", "status", "sentiment_label",
           "sentiment_score")  # fmt: skip


@dataclass(frozen=True, order=True)
class Position:
    """Where a stream stands: the processing time (aware UTC) and id of the last article sent."""

    at: datetime
    article_id: int

    def event_id(self) -> str:
        """The SSE event id: microseconds since the epoch, a dash, the article id."""
        micros = int(self.at.timestamp()) * 1_000_000 + self.at.microsecond
        return f"{micros}-{self.article_id}"

    @classmethod
    def parse(cls, event_id: str) -> Position:
        """The position an event id names; ValueError when it is not one."""
        micros, _, article = event_id.strip().partition("-")
        if not (micros.isdigit() and article.isdigit()) or len(micros) > 17 or len(article) > 18:
            raise ValueError(f"{event_id[:60]!r} is not an event id of this stream")
        at = datetime.fromtimestamp(int(micros) // 1_000_000, UTC)
        return cls(at.replace(microsecond=int(micros) % 1_000_000), int(article))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _done() -> Any:
    return col(Article.status) == ProcessingStatus.DONE.value


def latest(engine: Engine) -> Position | None:
    """The position of the article processed last (None when none is)."""
    with Session(engine) as session:
        row = session.execute(
            select(col(Article.processed_at), col(Article.id))
            .where(_done(), col(Article.processed_at).is_not(None))
            .order_by(col(Article.processed_at).desc(), col(Article.id).desc())
            .limit(1)
        ).first()
    return Position(_utc(row[0]), int(row[1])) if row else None


@dataclass
class Follower:
    """One client's place in the stream: its position and what it was sent in the lookback."""

    engine: Engine
    position: Position | None
    sent: set[tuple[int, datetime]] = field(default_factory=set)
    batch: int = 100

    def start(self) -> None:
        """Count everything up to the position as sent (the client has it, or came after it)."""
        if self.position is None:
            return
        with Session(self.engine) as session:
            floor = self.position.at - LOOKBACK
            rows = session.execute(
                select(col(Article.id), col(Article.processed_at)).where(
                    _done(), col(Article.processed_at) >= floor, self._not_after()
                )
            ).all()
        self.sent = {(int(i), _utc(at)) for i, at in rows}

    def _not_after(self) -> Any:
        assert self.position is not None
        at, aid = self.position.at, self.position.article_id
        return or_(col(Article.processed_at) < at,
                   and_(col(Article.processed_at) == at, col(Article.id) <= aid))  # fmt: skip

    def poll(self) -> list[tuple[Position, dict[str, Any]]]:
        """Articles stored since the last look, oldest first, each with its claims."""
        with Session(self.engine) as session:
            found = self._fresh(session) + self._late(session)
            found = [(p, r) for p, r in found if (p.article_id, p.at) not in self.sent]
            found.sort(key=lambda item: item[0])
            claims = _claims(session, [p.article_id for p, _ in found])
        for position, row in found:
            row["claims"] = claims.get(position.article_id, [])
            self.sent.add((position.article_id, position.at))
            self.position = max(self.position, position) if self.position else position
        if self.position is not None:
            floor = self.position.at - LOOKBACK
            self.sent = {s for s in self.sent if s[1] >= floor}
        return found

    def _query(self) -> Any:
        columns = [getattr(Article, name) for name in SUMMARY]
        return select(*columns, col(Article.processed_at)).where(
            _done(), col(Article.processed_at).is_not(None)
        )

    def _rows(self, session: Session, stmt: Any) -> list[tuple[Position, dict[str, Any]]]:
        out = []
        for row in session.execute(stmt).all():
            summary = dict(zip(SUMMARY, row[:-1], strict=True))
            at = _utc(row[-1])
            out.append((Position(at, int(summary["id"])),
                        {"article": summary, "processed_at": at}))  # fmt: skip
        return out

    def _fresh(self, session: Session) -> list[tuple[Position, dict[str, Any]]]:
        stmt = self._query()
        if self.position is not None:
            stmt = stmt.where(~self._not_after())
        stmt = stmt.order_by(col(Article.processed_at), col(Article.id)).limit(self.batch)
        return self._rows(session, stmt)

    def _late(self, session: Session) -> list[tuple[Position, dict[str, Any]]]:
        if self.position is None:
            return []
        floor = self.position.at - LOOKBACK
        window = session.execute(
            select(col(Article.id), col(Article.processed_at))
            .where(_done(), col(Article.processed_at) >= floor, self._not_after())
        ).all()  # fmt: skip
        missing = [int(i) for i, at in window if (int(i), _utc(at)) not in self.sent]
        if not missing:
            return []  # the usual case: everything in the window was sent
        stmt = self._query().where(col(Article.id).in_(missing[: self.batch]))
        return self._rows(session, stmt)


def _claims(session: Session, article_ids: list[int]) -> dict[int, list[Claim]]:
    out: dict[int, list[Claim]] = {}
    if not article_ids:
        return out
    stmt = select(Claim).where(col(Claim.article_id).in_(article_ids))
    for claim in session.scalars(stmt.order_by(col(Claim.article_id), col(Claim.start))):
        out.setdefault(claim.article_id, []).append(claim)
    return out
