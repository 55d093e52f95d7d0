"""An index on article.processed_at: the newest processing time is the series cache's stamp.

Revision ID: 0011_article_processed_index
Revises: 0010_api_indexes
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_article_processed_index"
down_revision: str | None = "0010_api_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_article_processed_at", "article", ["processed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_article_processed_at", table_name="article")
