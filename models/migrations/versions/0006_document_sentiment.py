"""Document sentiment on articles and market stance on claims.

Revision ID: 0006_document_sentiment
Revises: 0005_claims_fts
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_document_sentiment"
down_revision: str | None = "0005_claims_fts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sentiment_label", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("sentiment_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("sentiment_confidence", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("sentiment_mixed", sa.Boolean(), nullable=True))
        batch_op.create_index("ix_article_sentiment_label", ["sentiment_label"], unique=False)
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stance", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("stance")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index("ix_article_sentiment_label")
        batch_op.drop_column("sentiment_mixed")
        batch_op.drop_column("sentiment_confidence")
        batch_op.drop_column("sentiment_score")
        batch_op.drop_column("sentiment_label")
