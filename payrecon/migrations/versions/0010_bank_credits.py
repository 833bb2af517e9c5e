"""bank credits for VietQR payments and every signed credit notification

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

- bank_credits: one row per credit to a collection account, made by the first report of it
  (notification or statement line) and linked to by the other; unique per account and bank
  transaction id, and per statement line.
- bank_notifications: every signed notification as delivered, retries included.
"""

import sqlalchemy as sa
from alembic import op

import payrecon.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_credits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_number", sa.String(length=40), nullable=False),
        sa.Column("bank_transaction_id", sa.String(length=100), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("transaction_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=11), nullable=True),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("counted_vnd", sa.BigInteger(), nullable=False),
        sa.Column("surplus_vnd", sa.BigInteger(), nullable=False),
        sa.Column("first_source", sa.String(length=10), nullable=False),
        sa.Column("created_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "statement_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.CheckConstraint(
            "first_source IN ('webhook', 'statement')", name=op.f("ck_bank_credits_source_known")
        ),
        sa.CheckConstraint(
            "outcome IN ('settled', 'overpaid', 'underpaid', 'already_paid', 'refund_due', "
            "'unmatched')",
            name=op.f("ck_bank_credits_outcome_known"),
        ),
        sa.CheckConstraint("amount_vnd > 0", name=op.f("ck_bank_credits_amount_positive")),
        sa.CheckConstraint(
            "counted_vnd + surplus_vnd <= amount_vnd", name=op.f("ck_bank_credits_split_fits")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_bank_credits_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["statement_line_id"],
            ["statement_lines.id"],
            name=op.f("fk_bank_credits_statement_line_id_statement_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_credits")),
        sa.UniqueConstraint(
            "account_number",
            "bank_transaction_id",
            name=op.f("uq_bank_credits_account_number_bank_transaction_id"),
        ),
        sa.UniqueConstraint("statement_line_id", name=op.f("uq_bank_credits_statement_line_id")),
    )
    with op.batch_alter_table("bank_credits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_credits_payment_id"), ["payment_id"], unique=False
        )

    op.create_table(
        "bank_notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("received_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("signed_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "bank_credit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_credit_id"],
            ["bank_credits.id"],
            name=op.f("fk_bank_notifications_bank_credit_id_bank_credits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_notifications")),
    )
    with op.batch_alter_table("bank_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_notifications_bank_credit_id"), ["bank_credit_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bank_notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_notifications_bank_credit_id"))

    op.drop_table("bank_notifications")
    with op.batch_alter_table("bank_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_credits_payment_id"))

    op.drop_table("bank_credits")
