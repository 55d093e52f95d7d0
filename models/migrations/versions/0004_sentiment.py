"""Sentence sentiment columns and entity sentiment.

Revision ID: 0004_sentiment
Revises: 0003_claims
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_sentiment"
down_revision: str | None = "0003_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('entitysentiment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'entity_id')
    )
    with op.batch_alter_table('entitysentiment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entitysentiment_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entitysentiment_entity_id'), ['entity_id'], unique=False)
    with op.batch_alter_table('sentence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('probs', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sentence', schema=None) as batch_op:
        batch_op.drop_column('probs')
        batch_op.drop_column('score')
        batch_op.drop_column('label')
    op.drop_table('entitysentiment')
