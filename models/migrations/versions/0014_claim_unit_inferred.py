"""Claims whose unit the text leaves out: a `unit_inferred` flag.

Revision ID: 0014_claim_unit_inferred
Revises: 0013_uncurated_entities

"Longs lost 1.3 billion" is stored as 1.3e9 USD with `unit_inferred = true` (nlp/claims/units.py),
so search can tell a unit the text wrote from one the context implied. Existing rows read false
until `process --reprocess-stale` redoes them under the new claims version.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_claim_unit_inferred"
down_revision: str | None = "0013_uncurated_entities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the flag, false for the rows already stored."""
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unit_inferred", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("unit_inferred")
