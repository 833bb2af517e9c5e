"""invoice payment foreign keys

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.alter_column(
            "payment_id",
            existing_type=sa.BIGINT(),
            type_=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "refund_id",
            existing_type=sa.BIGINT(),
            type_=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            existing_nullable=True,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_invoices_refund_id_refunds"), "refunds", ["refund_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_invoices_payment_id_payments"), "payments", ["payment_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_invoices_payment_id_payments"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_invoices_refund_id_refunds"), type_="foreignkey")
        batch_op.alter_column(
            "refund_id",
            existing_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            type_=sa.BIGINT(),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "payment_id",
            existing_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            type_=sa.BIGINT(),
            existing_nullable=False,
        )
