"""Entities the knowledge base does not know: a `curated` flag and a stored mention count.

Revision ID: 0013_uncurated_entities
Revises: 0012_article_queued

Names the linker derives ids for (`person:maria-lopez`) are stored as Entity rows with
`curated = false`; `mention_count` counts their stored mentions so the busiest ones can be
listed and promoted into the KB first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_uncurated_entities"
down_revision: str | None = "0012_article_queued"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two columns and an index on the flag."""
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("curated", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("mention_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_entity_curated", ["curated"], unique=False)


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.drop_index("ix_entity_curated")
        batch_op.drop_column("mention_count")
        batch_op.drop_column("curated")
