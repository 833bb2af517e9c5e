"""reconciliation runs, matches, proposals, exceptions, their history and manual links

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import payrecon.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("match_count", sa.Integer(), nullable=False),
        sa.Column("proposal_count", sa.Integer(), nullable=False),
        sa.Column("exception_count", sa.Integer(), nullable=False),
        sa.Column("awaiting_count", sa.Integer(), nullable=False),
        sa.Column("self_closed_count", sa.Integer(), nullable=False),
        sa.Column("exception_counts", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_runs")),
    )
    with op.batch_alter_table("reconciliation_runs", schema=None) as batch_op:
        batch_op.create_index("ix_reconciliation_runs_date", ["business_date", "id"], unique=False)

    op.create_table(
        "reconciliation_exceptions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=500), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("line_id", sa.BigInteger(), nullable=True),
        sa.Column("agency_id", sa.BigInteger(), nullable=True),
        sa.Column("procedure_id", sa.BigInteger(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolution", sa.String(length=30), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("proposed_resolution", sa.String(length=30), nullable=True),
        sa.Column("proposed_by", sa.String(length=200), nullable=True),
        sa.Column("proposed_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("proposed_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconciliation_runs.id"],
            name=op.f("fk_reconciliation_exceptions_run_id_reconciliation_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_exceptions")),
        sa.UniqueConstraint(
            "run_id", "fingerprint", name=op.f("uq_reconciliation_exceptions_run_id_fingerprint")
        ),
    )
    with op.batch_alter_table("reconciliation_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reconciliation_exceptions_fingerprint", ["fingerprint"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reconciliation_exceptions_run_id"), ["run_id"], unique=False
        )

    op.create_table(
        "reconciliation_matches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("match_no", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("line_id", sa.BigInteger(), nullable=False),
        sa.Column("paired_line_id", sa.BigInteger(), nullable=True),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.Column("refund_id", sa.BigInteger(), nullable=True),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("fee_vnd", sa.BigInteger(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconciliation_runs.id"],
            name=op.f("fk_reconciliation_matches_run_id_reconciliation_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_matches")),
    )
    with op.batch_alter_table("reconciliation_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciliation_matches_run_id"), ["run_id"], unique=False
        )

    op.create_table(
        "reconciliation_proposals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_id", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("day_distance", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconciliation_runs.id"],
            name=op.f("fk_reconciliation_proposals_run_id_reconciliation_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_proposals")),
    )
    with op.batch_alter_table("reconciliation_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciliation_proposals_run_id"), ["run_id"], unique=False
        )

    op.create_table(
        "reconciliation_exception_actions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "exception_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("fingerprint", sa.String(length=500), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            ["reconciliation_exceptions.id"],
            name=op.f("fk_reconciliation_exception_actions_exception_id_reconciliation_exceptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_exception_actions")),
    )
    with op.batch_alter_table("reconciliation_exception_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciliation_exception_actions_exception_id"),
            ["exception_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_reconciliation_exception_actions_fingerprint"),
            ["fingerprint"],
            unique=False,
        )

    op.create_table(
        "reconciliation_manual_links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("linked_by", sa.String(length=200), nullable=False),
        sa.Column("linked_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["statement_lines.id"],
            name=op.f("fk_reconciliation_manual_links_line_id_statement_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_reconciliation_manual_links_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_manual_links")),
        sa.UniqueConstraint("line_id", name=op.f("uq_reconciliation_manual_links_line_id")),
    )
    with op.batch_alter_table("reconciliation_manual_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciliation_manual_links_payment_id"), ["payment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reconciliation_manual_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_manual_links_payment_id"))

    op.drop_table("reconciliation_manual_links")
    with op.batch_alter_table("reconciliation_exception_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_exception_actions_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_reconciliation_exception_actions_exception_id"))

    op.drop_table("reconciliation_exception_actions")
    with op.batch_alter_table("reconciliation_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_proposals_run_id"))

    op.drop_table("reconciliation_proposals")
    with op.batch_alter_table("reconciliation_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_matches_run_id"))

    op.drop_table("reconciliation_matches")
    with op.batch_alter_table("reconciliation_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_exceptions_run_id"))
        batch_op.drop_index("ix_reconciliation_exceptions_fingerprint")

    op.drop_table("reconciliation_exceptions")
    with op.batch_alter_table("reconciliation_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_reconciliation_runs_date")

    op.drop_table("reconciliation_runs")
