"""invoices: series counters, signed invoices, the change sequence

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import payrecon.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_series",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "agency_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("template_code", sa.String(length=1), nullable=False),
        sa.Column("series", sa.String(length=6), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("created_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "last_number >= 0 AND last_number <= 99999999",
            name=op.f("ck_invoice_series_number_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_invoice_series_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_series")),
        sa.UniqueConstraint(
            "agency_id",
            "template_code",
            "series",
            name=op.f("uq_invoice_series_agency_id_template_code_series"),
        ),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "series_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("template_code", sa.String(length=1), nullable=False),
        sa.Column("series", sa.String(length=6), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "related_invoice_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "agency_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "dossier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column("refund_id", sa.BigInteger(), nullable=True),
        sa.Column("issued_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("buyer_name", sa.String(length=400), nullable=False),
        sa.Column("payment_method", sa.String(length=20), nullable=True),
        sa.Column("total_vnd", sa.BigInteger(), nullable=False),
        sa.Column("lookup_code", sa.String(length=16), nullable=False),
        sa.Column("xml", sa.LargeBinary(), nullable=False),
        sa.Column("xml_sha256", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("cancelled_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('original', 'replacement', 'adjustment')", name=op.f("ck_invoices_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('issued', 'cancelled', 'replaced', 'adjusted')",
            name=op.f("ck_invoices_status_known"),
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_invoices_number_positive")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_invoices_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_invoices_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["related_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoices_related_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["invoice_series.id"], name=op.f("fk_invoices_series_id_invoice_series")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("lookup_code", name=op.f("uq_invoices_lookup_code")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_invoices_refund_id")),
        sa.UniqueConstraint("series_id", "number", name=op.f("uq_invoices_series_id_number")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_issued_at"), ["issued_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_payment_id"), ["payment_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoices_related_invoice_id"), ["related_invoice_id"], unique=False
        )
        batch_op.create_index(
            "uq_invoices_original_payment_id",
            ["payment_id"],
            unique=True,
            postgresql_where=sa.text("kind = 'original'"),
            sqlite_where=sa.text("kind = 'original'"),
        )

    op.create_table(
        "invoice_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "invoice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('issue', 'cancellation', 'replacement', 'adjustment')",
            name=op.f("ck_invoice_changes_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_changes_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_changes")),
    )
    with op.batch_alter_table("invoice_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_changes_invoice_id"), ["invoice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_changes_invoice_id"))

    op.drop_table("invoice_changes")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_invoices_original_payment_id",
            postgresql_where=sa.text("kind = 'original'"),
            sqlite_where=sa.text("kind = 'original'"),
        )
        batch_op.drop_index(batch_op.f("ix_invoices_related_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_payment_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_issued_at"))
        batch_op.drop_index(batch_op.f("ix_invoices_dossier_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_agency_id"))

    op.drop_table("invoices")
    op.drop_table("invoice_series")
