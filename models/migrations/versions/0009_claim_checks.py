"""Claim checks against market data and forecast resolutions.

Revision ID: 0009_claim_checks
Revises: 0008_narratives
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_claim_checks"
down_revision: str | None = "0008_narratives"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "claimcheck",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("verdict", _str(), nullable=False),
        sa.Column("reference_value", sa.Float(), nullable=True),
        sa.Column("reference_low", sa.Float(), nullable=True),
        sa.Column("reference_high", sa.Float(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("series_symbol", _str(), nullable=True),
        sa.Column("relative_error", sa.Float(), nullable=True),
        sa.Column("reason", _str(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    op.create_index("ix_claimcheck_verdict", "claimcheck", ["verdict"])
    op.create_index("ix_claimcheck_series_id", "claimcheck", ["series_id"])
    op.create_table(
        "forecastresolution",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("status", _str(), nullable=False),
        sa.Column("reason", _str(), nullable=True),
        sa.Column("level", sa.Float(), nullable=True),
        sa.Column("direction", _str(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("horizon_end", sa.Date(), nullable=True),
        sa.Column("hit_date", sa.Date(), nullable=True),
        sa.Column("days_to_hit", sa.Integer(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("series_symbol", _str(), nullable=True),
        sa.Column("move_7d", sa.Float(), nullable=True),
        sa.Column("move_30d", sa.Float(), nullable=True),
        sa.Column("move_90d", sa.Float(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    op.create_index("ix_forecastresolution_status", "forecastresolution", ["status"])
    op.create_index("ix_forecastresolution_series_id", "forecastresolution", ["series_id"])


def downgrade() -> None:
    op.drop_table("forecastresolution")
    op.drop_table("claimcheck")
