"""PostgreSQL claim full text: a stored tsvector column instead of an expression index.

Revision ID: 0016_claim_search_vector
Revises: 0015_claim_unit_inferred

PostgreSQL: `claim.search_vector` is `GENERATED ALWAYS AS (<the tsvector of 0005_claims_fts>)
STORED`, so PostgreSQL fills it for the rows already stored (the ALTER rewrites the table) and
for every row written after; a GIN index on it replaces the expression index `ix_claim_fts`.
A plan that walks claims newest first and tests each against the query (a common word) now reads
the stored vector instead of computing `to_tsvector` per claim. Queries use `CLAIM_VECTOR`
(api/services/claims_search.py); the SQLModel table does not map the column, so ORM writes leave
it to PostgreSQL. SQLite: nothing to do (claim_fts, FTS5, since 0005).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_claim_search_vector"
down_revision: str | None = "0015_claim_unit_inferred"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The expression of 0005_claims_fts (and of CLAIM_TSVECTOR), unchanged: same matches, same ranks.
PG_EXPRESSION = (
    "to_tsvector('english', coalesce(sentence_text, '') || ' ' || coalesce(subject, '') || ' ' "
    "|| coalesce(metric, '') || ' ' || coalesce(attributed_to, ''))"
)


def upgrade() -> None:
    """Add the stored column and its GIN index, drop the expression index."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE claim ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({PG_EXPRESSION}) STORED"
    )
    op.execute("CREATE INDEX ix_claim_search_vector ON claim USING GIN (search_vector)")
    op.execute("DROP INDEX IF EXISTS ix_claim_fts")


def downgrade() -> None:
    """The expression index of 0005 again, without the column."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_claim_fts ON claim USING GIN ({PG_EXPRESSION})")
    op.execute("DROP INDEX IF EXISTS ix_claim_search_vector")
    op.execute("ALTER TABLE claim DROP COLUMN IF EXISTS search_vector")
