"""Narratives taxonomy and sentence-level narrative assignments.

Revision ID: 0008_narratives
Revises: 0007_market_data
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_narratives"
down_revision: str | None = "0007_market_data"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "narrative",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=True),
        sa.Column("seeds", sa.JSON(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_narrative_kind", "narrative", ["kind"], unique=False)
    op.create_table(
        "narrativeassignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("sentence_index", sa.Integer(), nullable=False),
        sa.Column("narrative_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "sentence_index", "narrative_id"),
    )
    op.create_index(
        "ix_narrativeassignment_article_id", "narrativeassignment", ["article_id"], unique=False
    )
    op.create_index(
        "ix_narrativeassignment_narrative_id",
        "narrativeassignment",
        ["narrative_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_narrativeassignment_narrative_id", table_name="narrativeassignment")
    op.drop_index("ix_narrativeassignment_article_id", table_name="narrativeassignment")
    op.drop_table("narrativeassignment")
    op.drop_index("ix_narrative_kind", table_name="narrative")
    op.drop_table("narrative")
