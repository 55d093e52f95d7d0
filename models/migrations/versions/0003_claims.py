"""Numeric claims.

Revision ID: 0003_claims
Revises: 0002_analysis
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_claims"
down_revision: str | None = "0002_analysis"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('claim',
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('metric', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('subject_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('claim_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('time_start', sa.Date(), nullable=True),
    sa.Column('time_end', sa.Date(), nullable=True),
    sa.Column('time_text', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('attributed_to', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('qualifier', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sentence_index', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('sentence_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_attributed_to'), ['attributed_to'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_claim_type'), ['claim_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_direction'), ['direction'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_metric'), ['metric'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_time_start'), ['time_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_unit'), ['unit'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_value'), ['value'], unique=False)


def downgrade() -> None:
    op.drop_table('claim')
