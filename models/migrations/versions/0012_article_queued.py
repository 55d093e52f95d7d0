"""Task queue: when an article was last put on the queue, so `--enqueue` sends it once.

Revision ID: 0012_article_queued
Revises: 0011_stream_indexes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_article_queued"
down_revision: str | None = "0011_stream_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy of the table would drop the full-text triggers (0010)
    op.add_column("article", sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("article", "queued_at")
