"""The article's publication date copied onto its claims, with the indexes claim search sorts by.

Revision ID: 0014_claims_article_date
Revises: 0013_uncurated_entities

`claim.article_published_at` holds `article.published_at` of the claim's article, so claim
search can filter by date and sort newest first from one index on claim instead of sorting every
match by a column of another table. Existing rows are filled here; triggers keep the copy in step
(a claim inserted or moved to another article takes its article's date; an article's new date
reaches its claims). SQLite: claim_fts's update trigger now fires only when an indexed column
changes, so writing the date does not re-index the claim's text.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_claims_article_date"
down_revision: str | None = "0013_uncurated_entities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    # subject_id and subject too: claim search by entity walks this index newest first and
    # tests them without reading each claim's row
    ("ix_claim_published_id", ["article_published_at", "id", "subject_id", "subject"]),
    ("ix_claim_metric_published", ["metric", "article_published_at"]),
]
FTS_COLUMNS = "sentence_text, subject, metric, attributed_to"
FTS_NEW = "new.id, new.sentence_text, new.subject, new.metric, new.attributed_to"
FTS_OLD = "'delete', old.id, old.sentence_text, old.subject, old.metric, old.attributed_to"
DATE_OF = "(SELECT published_at FROM article WHERE article.id = {row}.article_id)"


def _claim_fts_update_trigger(columns: str) -> None:
    """(Re)create claim_fts's update trigger, firing on UPDATE OF `columns` (all when empty)."""
    op.execute("DROP TRIGGER IF EXISTS claim_fts_au")
    of = f"OF {columns} " if columns else ""
    op.execute(
        f"CREATE TRIGGER claim_fts_au AFTER UPDATE {of}ON claim BEGIN "
        f"INSERT INTO claim_fts(claim_fts, rowid, {FTS_COLUMNS}) VALUES ({FTS_OLD}); "
        f"INSERT INTO claim_fts(rowid, {FTS_COLUMNS}) VALUES ({FTS_NEW}); END"
    )


def _sqlite_triggers() -> None:
    _claim_fts_update_trigger(FTS_COLUMNS)
    for name, event in (("claim_date_ai", "INSERT"), ("claim_date_au", "UPDATE OF article_id")):
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON claim "
            f"WHEN new.article_published_at IS NOT {DATE_OF.format(row='new')} BEGIN "
            f"UPDATE claim SET article_published_at = {DATE_OF.format(row='new')} "
            "WHERE id = new.id; END"
        )
    op.execute(
        "CREATE TRIGGER article_date_au AFTER UPDATE OF published_at ON article "
        "WHEN new.published_at IS NOT old.published_at BEGIN "
        "UPDATE claim SET article_published_at = new.published_at WHERE article_id = new.id; END"
    )


def _postgres_triggers() -> None:
    op.execute(
        "CREATE FUNCTION claim_article_date() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"NEW.article_published_at := {DATE_OF.format(row='NEW')}; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER claim_date_biu BEFORE INSERT OR UPDATE OF article_id ON claim "
        "FOR EACH ROW EXECUTE FUNCTION claim_article_date()"
    )
    op.execute(
        "CREATE FUNCTION article_date_to_claims() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE claim SET article_published_at = NEW.published_at WHERE article_id = NEW.id; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER article_date_au AFTER UPDATE OF published_at ON article FOR EACH ROW "
        "WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at) "
        "EXECUTE FUNCTION article_date_to_claims()"
    )


def upgrade() -> None:
    """Add and fill the column, then its indexes and triggers."""
    dialect = op.get_bind().dialect.name
    op.add_column(
        "claim", sa.Column("article_published_at", sa.DateTime(timezone=True), nullable=True)
    )
    if dialect == "sqlite":
        # the old claim_fts update trigger would re-index every claim the fill touches
        _claim_fts_update_trigger(FTS_COLUMNS)
        op.execute(f"UPDATE claim SET article_published_at = {DATE_OF.format(row='claim')}")
    else:
        op.execute(
            "UPDATE claim SET article_published_at = article.published_at FROM article "
            "WHERE article.id = claim.article_id AND article.published_at IS NOT NULL"
        )
    for name, columns in INDEXES:
        op.create_index(name, "claim", columns, unique=False)
    if dialect == "sqlite":
        _sqlite_triggers()
    elif dialect == "postgresql":
        _postgres_triggers()


def downgrade() -> None:
    """Drop the triggers, indexes and column."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("claim_date_ai", "claim_date_au", "article_date_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        _claim_fts_update_trigger("")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS article_date_au ON article")
        op.execute("DROP TRIGGER IF EXISTS claim_date_biu ON claim")
        op.execute("DROP FUNCTION IF EXISTS article_date_to_claims()")
        op.execute("DROP FUNCTION IF EXISTS claim_article_date()")
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="claim")
    if dialect == "sqlite":
        op.execute("ALTER TABLE claim DROP COLUMN article_published_at")
    else:
        op.drop_column("claim", "article_published_at")
