"""dossiers.paid_at: when the dossier system says the fee was paid

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26

The dossier feed's optional `paid_at` column (a fee paid at the counter or recorded by the
agency). Reconciliation reports a dossier marked paid in its window without a succeeded payment
(paid_without_payment), so the column is indexed for that range scan.
"""

import sqlalchemy as sa
from alembic import op

import payrecon.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paid_at", payrecon.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_dossiers_paid_at"), ["paid_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossiers_paid_at"))
        batch_op.drop_column("paid_at")
