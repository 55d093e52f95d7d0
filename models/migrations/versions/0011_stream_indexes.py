"""Indexes behind the live stream (articles by processing time) and the articles' narrative filter.

Revision ID: 0011_stream_indexes
Revises: 0010_api_indexes
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_stream_indexes"
down_revision: str | None = "0010_api_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_article_processed_id", "article", ["processed_at", "id"]),
    ("ix_narrativeassignment_narrative_article", "narrativeassignment",
     ["narrative_id", "article_id"]),
]  # fmt: skip


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
