"""reconciliation_exceptions.is_current: the row the queue shows for its fingerprint

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26

An exception found again by a later run (or a re-run) gets a new row; the officer queue shows
the newest row of each fingerprint among finished runs. Reading that as "max(id) group by
fingerprint" scanned every exception row ever written. The flag is kept by the run that writes
the newer row (reconciliation.current.mark_current) and a partial index holds only current rows.

Backfill: a row is current when it is the newest of its fingerprint among finished runs.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CURRENT = sa.text("is_current")


def upgrade() -> None:
    with op.batch_alter_table("reconciliation_exceptions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_current", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute(
        """
        UPDATE reconciliation_exceptions SET is_current = false
        WHERE id NOT IN (
            SELECT max(e.id) FROM reconciliation_exceptions e
            JOIN reconciliation_runs r ON r.id = e.run_id
            WHERE r.status = 'finished'
            GROUP BY e.fingerprint
        )
        """
    )
    op.create_index(
        "ix_reconciliation_exceptions_current",
        "reconciliation_exceptions",
        ["kind", "fingerprint"],
        unique=False,
        postgresql_where=CURRENT,
        sqlite_where=CURRENT,
    )


def downgrade() -> None:
    op.drop_index("ix_reconciliation_exceptions_current", table_name="reconciliation_exceptions")
    with op.batch_alter_table("reconciliation_exceptions", schema=None) as batch_op:
        batch_op.drop_column("is_current")
