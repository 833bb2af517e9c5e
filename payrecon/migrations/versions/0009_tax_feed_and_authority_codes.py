"""tax feed positions, invoice facts for the feed, tax-authority decisions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

- invoice_changes.position: the feed order, stamped after commit (invoices/sequence.py);
  existing changes are stamped here in id order (before this revision nothing read the feed).
- invoice_changes.kind also allows authority_code and authority_rejection.
- invoices: seller and buyer tax codes, buyer id number, totals before tax and of tax, filled
  for existing invoices from their signed XML.
- invoice_authority_decisions: the tax authority's code (with the coded XML) or rejection.
"""

import sqlalchemy as sa
from alembic import op
from lxml import etree

import payrecon.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('issue', 'cancellation', 'replacement', 'adjustment')"
NEW_KINDS = (
    "kind IN ('issue', 'cancellation', 'replacement', 'adjustment', "
    "'authority_code', 'authority_rejection')"
)


def _replace_kind_check(condition: str) -> None:
    # SQLite cannot alter a CHECK: batch mode copies the table with the new one.
    with op.batch_alter_table("invoice_changes", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_invoice_changes_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_invoice_changes_kind_known"), condition)


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text not in (None, "") else None


def _fill_invoice_facts() -> None:
    invoices = sa.table(
        "invoices",
        sa.column("id", sa.BigInteger()),
        sa.column("xml", sa.LargeBinary()),
        sa.column("seller_tax_code", sa.String()),
        sa.column("buyer_tax_code", sa.String()),
        sa.column("buyer_id_number", sa.String()),
        sa.column("total_before_tax_vnd", sa.BigInteger()),
        sa.column("total_tax_vnd", sa.BigInteger()),
    )
    connection = op.get_bind()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for invoice_id, xml in connection.execute(sa.select(invoices.c.id, invoices.c.xml)).all():
        content = etree.fromstring(xml, parser).find("DLHDon/NDHDon")
        buyer_code = content.findtext("NMua/MST")
        id_number = content.findtext("NMua/TTKhac/TTin/DLieu")
        # xml_build writes NMua/MST = tax code, or the id number when there is no tax code
        is_tax_code = buyer_code is not None and len(buyer_code) in (10, 14)
        connection.execute(
            invoices.update()
            .where(invoices.c.id == invoice_id)
            .values(
                seller_tax_code=content.findtext("NBan/MST"),
                buyer_tax_code=buyer_code if is_tax_code else None,
                buyer_id_number=id_number if is_tax_code else buyer_code,
                total_before_tax_vnd=_int_or_none(content.findtext("TToan/TgTCThue")),
                total_tax_vnd=_int_or_none(content.findtext("TToan/TgTThue")),
            )
        )


def _stamp_existing_changes() -> None:
    changes = sa.table("invoice_changes", sa.column("id", sa.BigInteger()), sa.column("position"))
    connection = op.get_bind()
    ids = connection.execute(sa.select(changes.c.id).order_by(changes.c.id)).scalars().all()
    for position, change_id in enumerate(ids, start=1):
        connection.execute(
            changes.update().where(changes.c.id == change_id).values(position=position)
        )


def upgrade() -> None:
    op.create_table(
        "invoice_authority_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "invoice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=34), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("xml", sa.LargeBinary(), nullable=True),
        sa.Column("xml_sha256", sa.String(length=64), nullable=True),
        sa.Column("recorded_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(outcome = 'coded' AND code IS NOT NULL AND xml IS NOT NULL AND reason IS NULL)"
            " OR (outcome = 'rejected' AND code IS NULL AND xml IS NULL AND reason IS NOT NULL)",
            name=op.f("ck_invoice_authority_decisions_outcome_fields"),
        ),
        sa.CheckConstraint(
            "outcome IN ('coded', 'rejected')",
            name=op.f("ck_invoice_authority_decisions_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_authority_decisions_invoice_id_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_authority_decisions")),
        sa.UniqueConstraint("code", name=op.f("uq_invoice_authority_decisions_code")),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_invoice_authority_decisions_invoice_id")),
    )
    op.add_column("invoice_changes", sa.Column("position", sa.BigInteger(), nullable=True))
    _stamp_existing_changes()
    op.create_index(
        op.f("ix_invoice_changes_position"), "invoice_changes", ["position"], unique=True
    )
    _replace_kind_check(NEW_KINDS)

    op.add_column("invoices", sa.Column("seller_tax_code", sa.String(length=14), nullable=True))
    op.add_column("invoices", sa.Column("buyer_tax_code", sa.String(length=14), nullable=True))
    op.add_column("invoices", sa.Column("buyer_id_number", sa.String(length=20), nullable=True))
    op.add_column("invoices", sa.Column("total_before_tax_vnd", sa.BigInteger(), nullable=True))
    op.add_column("invoices", sa.Column("total_tax_vnd", sa.BigInteger(), nullable=True))
    _fill_invoice_facts()


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ has it): batch mode would copy and drop `invoices`,
    # which SQLite refuses while other tables' rows refer to it.
    for column in (
        "total_tax_vnd",
        "total_before_tax_vnd",
        "buyer_id_number",
        "buyer_tax_code",
        "seller_tax_code",
    ):
        op.execute(f"ALTER TABLE invoices DROP COLUMN {column}")
    op.execute(
        "DELETE FROM invoice_changes WHERE kind IN ('authority_code', 'authority_rejection')"
    )
    _replace_kind_check(OLD_KINDS)
    op.drop_index(op.f("ix_invoice_changes_position"), table_name="invoice_changes")
    op.execute("ALTER TABLE invoice_changes DROP COLUMN position")
    op.drop_table("invoice_authority_decisions")
