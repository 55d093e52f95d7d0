"""Claims whose unit the text leaves out: a `unit_inferred` flag.

Revision ID: 0015_claim_unit_inferred
Revises: 0014_claims_article_date

"Longs lost 1.3 billion" is stored as 1.3e9 USD with `unit_inferred = true` (nlp/claims/units.py),
so search can tell a unit the text wrote from one the context implied. Existing rows read false
until `process --reprocess-stale` redoes them under the new claims version.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_claim_unit_inferred"
down_revision: str | None = "0014_claims_article_date"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: on SQLite a batch rebuilds the claim table and loses the
# full-text triggers of 0005_claims_fts (ADD / DROP COLUMN need SQLite 3.35, shipped since 2021).


def upgrade() -> None:
    """Add the flag, false for the rows already stored."""
    op.add_column(
        "claim",
        sa.Column("unit_inferred", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    """Drop it again."""
    op.drop_column("claim", "unit_inferred")
