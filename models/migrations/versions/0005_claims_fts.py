"""Full-text search over claims: SQLite FTS5 external-content table, PostgreSQL GIN index.

Revision ID: 0005_claims_fts
Revises: 0004_sentiment

SQLite: `claim_fts` indexes claim.sentence_text, subject, metric and attributed_to with the
porter stemmer; triggers keep it in step with every insert, delete and update of `claim`.
PostgreSQL: a GIN index on the same columns as one english tsvector expression; queries must
use `CLAIM_TSVECTOR` (api/services/claims_search.py) verbatim so the planner can use the index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_claims_fts"
down_revision: str | None = "0004_sentiment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "sentence_text, subject, metric, attributed_to"
PG_EXPRESSION = (
    "to_tsvector('english', coalesce(sentence_text, '') || ' ' || coalesce(subject, '') || ' ' "
    "|| coalesce(metric, '') || ' ' || coalesce(attributed_to, ''))"
)


def _sqlite_upgrade() -> None:
    op.execute(
        f"CREATE VIRTUAL TABLE claim_fts USING fts5({COLUMNS}, content='claim', "
        "content_rowid='id', tokenize='porter unicode61')"
    )
    new_row = "new.id, new.sentence_text, new.subject, new.metric, new.attributed_to"
    old_row = "'delete', old.id, old.sentence_text, old.subject, old.metric, old.attributed_to"
    op.execute(
        "CREATE TRIGGER claim_fts_ai AFTER INSERT ON claim BEGIN "
        f"INSERT INTO claim_fts(rowid, {COLUMNS}) VALUES ({new_row}); END"
    )
    op.execute(
        "CREATE TRIGGER claim_fts_ad AFTER DELETE ON claim BEGIN "
        f"INSERT INTO claim_fts(claim_fts, rowid, {COLUMNS}) VALUES ({old_row}); END"
    )
    op.execute(
        "CREATE TRIGGER claim_fts_au AFTER UPDATE ON claim BEGIN "
        f"INSERT INTO claim_fts(claim_fts, rowid, {COLUMNS}) VALUES ({old_row}); "
        f"INSERT INTO claim_fts(rowid, {COLUMNS}) VALUES ({new_row}); END"
    )
    op.execute("INSERT INTO claim_fts(claim_fts) VALUES ('rebuild')")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_claim_fts ON claim USING GIN ({PG_EXPRESSION})")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("claim_fts_ai", "claim_fts_ad", "claim_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS claim_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_claim_fts")
