"""Market data: series and their points.

Revision ID: 0007_market_data
Revises: 0006_document_sentiment
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_market_data"
down_revision: str | None = "0006_document_sentiment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "marketseries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", _str(), nullable=False),
        sa.Column("kind", _str(), nullable=False),
        sa.Column("unit", _str(), nullable=False),
        sa.Column("interval", _str(), nullable=False),
        sa.Column("source", _str(), nullable=False),
        sa.Column("entity_id", _str(), nullable=True),
        sa.Column("day_close", _str(), nullable=True),
        sa.Column("description", _str(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("symbol", "source", name="uq_marketseries_symbol_source"),
    )
    with op.batch_alter_table("marketseries", schema=None) as batch_op:
        batch_op.create_index("ix_marketseries_symbol", ["symbol"], unique=False)
        batch_op.create_index("ix_marketseries_kind", ["kind"], unique=False)
        batch_op.create_index("ix_marketseries_entity_id", ["entity_id"], unique=False)
    op.create_table(
        "marketpoint",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=False), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("open", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("close", sa.Float(), nullable=True),
        sa.Column("volume", sa.Float(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["marketseries.id"]),
        sa.PrimaryKeyConstraint("series_id", "ts"),
    )
    with op.batch_alter_table("marketpoint", schema=None) as batch_op:
        batch_op.create_index("ix_marketpoint_day", ["day"], unique=False)


def downgrade() -> None:
    op.drop_table("marketpoint")
    op.drop_table("marketseries")
