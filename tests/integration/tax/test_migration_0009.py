"""Migration 0009 on a database that already has invoices: facts filled from XML, changes
positioned, and back down again."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.db import alembic_config, make_engine, upgrade_to_head
from payrecon.invoices import service
from payrecon.invoices.models import Invoice, InvoiceChange
from tests.conftest import create_scratch_postgres, drop_scratch_postgres, postgres_base_url
from tests.factories import make_dossier, make_procedure
from tests.integration.invoices.helpers import pay
from tests.integration.tax.helpers import ISSUED

FACTS = (
    Invoice.id,
    Invoice.seller_tax_code,
    Invoice.buyer_tax_code,
    Invoice.buyer_id_number,
    Invoice.total_before_tax_vnd,
    Invoice.total_tax_vnd,
)


@pytest.fixture
def scratch_url(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    base = postgres_base_url()
    url = create_scratch_postgres(base)
    yield url
    drop_scratch_postgres(base, url)


def test_upgrading_over_existing_invoices_fills_their_facts_and_positions(
    scratch_url, signing_keys
):
    engine = make_engine(scratch_url)
    try:
        upgrade_to_head(engine)
        with Session(engine) as session:
            taxed = make_procedure(session, fee_vnd=523_056, vat_rate="10%", fee_kind="charge")
            seller_tax_code = taxed.agency.tax_code
            pay(session, make_dossier(session, taxed, applicant_tax_code="0101234567"))
            pay(session, make_dossier(session))
            service.issue_pending_invoices(session, keys=signing_keys, now=ISSUED)
            first = session.scalars(select(Invoice).order_by(Invoice.id)).first()
            service.cancel_invoice(session, first.id, reason="thử", actor="test")
            facts = session.execute(select(*FACTS).order_by(Invoice.id)).all()
        assert facts[0][1:] == (
            seller_tax_code,
            "0101234567",
            "022090001234",
            475_505,
            47_551,
        )

        config = alembic_config(engine)
        before_0009 = ScriptDirectory.from_config(config).get_revision("0009").down_revision
        command.downgrade(config, before_0009)
        upgrade_to_head(engine)

        with Session(engine) as session:
            assert session.execute(select(*FACTS).order_by(Invoice.id)).all() == facts
            changes = session.execute(
                select(InvoiceChange.kind, InvoiceChange.position).order_by(InvoiceChange.id)
            ).all()
        assert changes == [("issue", 1), ("issue", 2), ("cancellation", 3)]
    finally:
        engine.dispose()
