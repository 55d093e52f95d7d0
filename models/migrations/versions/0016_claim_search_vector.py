"""PostgreSQL full text: stored tsvector columns instead of expression indexes (claims, articles).

Revision ID: 0016_claim_search_vector
Revises: 0015_claim_unit_inferred

PostgreSQL: `claim.search_vector` and `article.search_vector` are `GENERATED ALWAYS AS (<the
tsvector expression of 0005_claims_fts / 0010_api_indexes>) STORED`, so PostgreSQL fills them
for the rows already stored (each ALTER rewrites its table) and for every row written after; a
GIN index on each replaces the expression index (`ix_claim_fts`, `ix_article_fts`). A plan that
walks rows newest first and tests each against the query (a common word, a phrase) now reads the
stored vector instead of computing `to_tsvector` per row, and ranking reads it too. Queries use
`CLAIM_VECTOR` (api/services/claims_search.py) and `ARTICLE_VECTOR` (api/http/queries.py); the
SQLModel tables do not map the columns, so ORM writes leave them to PostgreSQL. SQLite: nothing
to do (the FTS5 tables claim_fts and article_fts).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_claim_search_vector"
down_revision: str | None = "0015_claim_unit_inferred"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The expressions of 0005_claims_fts and 0010_api_indexes, unchanged: same matches, same ranks.
CLAIM_EXPRESSION = (
    "to_tsvector('english', coalesce(sentence_text, '') || ' ' || coalesce(subject, '') || ' ' "
    "|| coalesce(metric, '') || ' ' || coalesce(attributed_to, ''))"
)
ARTICLE_EXPRESSION = (
    "to_tsvector('english', coalesce(title, '') || ' ' || left(coalesce(text, ''), 200000))"
)
# table, its expression, the expression index it had
TABLES = [
    ("claim", CLAIM_EXPRESSION, "ix_claim_fts"),
    ("article", ARTICLE_EXPRESSION, "ix_article_fts"),
]


def upgrade() -> None:
    """Add each stored column and its GIN index, drop the expression index."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, expression, old_index in TABLES:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING GIN (search_vector)")
        op.execute(f"DROP INDEX IF EXISTS {old_index}")


def downgrade() -> None:
    """The expression indexes of 0005 and 0010 again, without the columns."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, expression, old_index in reversed(TABLES):
        op.execute(f"CREATE INDEX {old_index} ON {table} USING GIN ({expression})")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
