"""statements: bank statements and their lines, gateway settlement batches and their lines

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import payrecon.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settlement_batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_reference", sa.String(length=100), nullable=False),
        sa.Column("settlement_date", sa.Date(), nullable=False),
        sa.Column("gross_vnd", sa.BigInteger(), nullable=False),
        sa.Column("fee_vnd", sa.BigInteger(), nullable=False),
        sa.Column("net_vnd", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_filename", sa.String(length=500), nullable=False),
        sa.Column("imported_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_batches")),
        sa.UniqueConstraint("batch_reference", name=op.f("uq_settlement_batches_batch_reference")),
    )
    with op.batch_alter_table("settlement_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settlement_batches_settlement_date"), ["settlement_date"], unique=False
        )

    op.create_table(
        "settlement_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("gateway_transaction_no", sa.String(length=100), nullable=False),
        sa.Column("pay_date", sa.Date(), nullable=False),
        sa.Column("gross_vnd", sa.BigInteger(), nullable=False),
        sa.Column("fee_vnd", sa.BigInteger(), nullable=False),
        sa.Column("net_vnd", sa.BigInteger(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "net_vnd = gross_vnd - fee_vnd", name=op.f("ck_settlement_lines_net_is_gross_minus_fee")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["settlement_batches.id"],
            name=op.f("fk_settlement_lines_batch_id_settlement_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_lines")),
        sa.UniqueConstraint(
            "gateway_transaction_no", name=op.f("uq_settlement_lines_gateway_transaction_no")
        ),
    )
    with op.batch_alter_table("settlement_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settlement_lines_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_settlement_lines_reference"), ["reference"], unique=False
        )

    op.create_table(
        "bank_statements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("statement_ref", sa.Text(), nullable=True),
        sa.Column("sequence", sa.String(length=40), nullable=True),
        sa.Column("electronic_sequence", sa.String(length=40), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("opening_balance_vnd", sa.BigInteger(), nullable=True),
        sa.Column("closing_balance_vnd", sa.BigInteger(), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_filename", sa.String(length=500), nullable=False),
        sa.Column("position_in_file", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("lines_stored", sa.Integer(), nullable=False),
        sa.Column("duplicates_skipped", sa.Integer(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("imported_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["collection_accounts.id"],
            name=op.f("fk_bank_statements_account_id_collection_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
    )
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bank_statements_account_period", ["account_id", "period_end"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bank_statements_source_sha256"), ["source_sha256"], unique=False
        )

    op.create_table(
        "statement_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "statement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column(
            "parent_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("booking_date", sa.Date(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=True),
        sa.Column("direction", sa.String(length=1), nullable=False),
        sa.Column("is_reversal", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=True),
        sa.Column("bank_reference", sa.Text(), nullable=True),
        sa.Column("entry_reference", sa.Text(), nullable=True),
        sa.Column("end_to_end_id", sa.Text(), nullable=True),
        sa.Column("remittance_text", sa.Text(), nullable=True),
        sa.Column("creditor_reference", sa.Text(), nullable=True),
        sa.Column("additional_info", sa.Text(), nullable=True),
        sa.Column("counterparty_name", sa.Text(), nullable=True),
        sa.Column("counterparty_account", sa.Text(), nullable=True),
        sa.Column("transaction_code", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.Text(), nullable=True),
        sa.Column("batch_size", sa.Integer(), nullable=True),
        sa.Column("line_number", sa.Integer(), nullable=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "direction IN ('C', 'D')", name=op.f("ck_statement_lines_direction_known")
        ),
        sa.CheckConstraint(
            "kind = 'detail' OR amount_vnd IS NOT NULL",
            name=op.f("ck_statement_lines_money_rows_have_amount"),
        ),
        sa.CheckConstraint(
            "kind IN ('entry', 'batch', 'detail')", name=op.f("ck_statement_lines_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["collection_accounts.id"],
            name=op.f("fk_statement_lines_account_id_collection_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_line_id"],
            ["statement_lines.id"],
            name=op.f("fk_statement_lines_parent_line_id_statement_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name=op.f("fk_statement_lines_statement_id_bank_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_lines")),
        sa.UniqueConstraint(
            "statement_id", "position", name=op.f("uq_statement_lines_statement_id_position")
        ),
    )
    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_statement_lines_account_booking", ["account_id", "booking_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_statement_lines_parent_line_id"), ["parent_line_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_lines_parent_line_id"))
        batch_op.drop_index("ix_statement_lines_account_booking")

    op.drop_table("statement_lines")
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_statements_source_sha256"))
        batch_op.drop_index("ix_bank_statements_account_period")

    op.drop_table("bank_statements")
    with op.batch_alter_table("settlement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_lines_reference"))
        batch_op.drop_index(batch_op.f("ix_settlement_lines_batch_id"))

    op.drop_table("settlement_lines")
    with op.batch_alter_table("settlement_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_batches_settlement_date"))

    op.drop_table("settlement_batches")
