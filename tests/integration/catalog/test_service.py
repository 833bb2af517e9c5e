from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrecon.catalog import service
from payrecon.catalog.models import Agency, Procedure
from payrecon.errors import Conflict, ImportRejected, InvalidInput, NotFound

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_bad_catalog_imports_nothing_and_the_fixed_one_imports_once(db_session):
    with pytest.raises(ImportRejected) as caught:
        service.import_catalog(
            db_session, (FEEDS / "catalog_bad.csv").read_bytes(), filename="bad.csv", actor="t"
        )
    assert len(caught.value.problems) == 3
    assert count(db_session, Procedure) == 0

    good = (FEEDS / "catalog_good.csv").read_bytes()
    result = service.import_catalog(db_session, good, filename="good.csv", actor="t")
    assert (result.agencies_created, result.procedures_created) == (2, 3)
    fee = db_session.scalar(select(Procedure.fee_vnd).where(Procedure.code == "4.004010"))
    assert fee == 1_284_000

    again = service.import_catalog(db_session, good, filename="good.csv", actor="t")
    assert again.already_imported
    assert again.summary().startswith("already imported")
    assert count(db_session, Procedure) == 3


def test_a_changed_fee_is_updated_and_audited(db_session):
    good = (FEEDS / "catalog_good.csv").read_bytes()
    service.import_catalog(db_session, good, filename="good.csv", actor="t")
    changed = good.replace(b"200000", b"250000")
    result = service.import_catalog(db_session, changed, filename="changed.csv", actor="officer")
    assert (result.procedures_updated, result.unchanged) == (1, 2)
    from payrecon import audit

    procedure = db_session.scalars(select(Procedure).where(Procedure.code == "1.001001")).one()
    [entry] = audit.history(db_session, "procedures", procedure.id)
    assert (entry.field, entry.old_value, entry.new_value, entry.actor) == (
        "fee_vnd",
        "200000",
        "250000",
        "officer",
    )


def test_collection_accounts_are_checked_and_owned_by_one_agency(db_session):
    service.import_catalog(
        db_session, (FEEDS / "catalog_good.csv").read_bytes(), filename="g.csv", actor="t"
    )
    account = service.add_collection_account(
        db_session,
        agency_code="STP",
        bank_bin="970436",
        account_number="0141000836001",
        account_name="So Tu Phap",
        actor="t",
    )
    assert account.account_name == "SO TU PHAP"
    with pytest.raises(InvalidInput, match="6 digits"):
        service.add_collection_account(
            db_session,
            agency_code="STP",
            bank_bin="97043",
            account_number="1",
            account_name="x",
            actor="t",
        )
    with pytest.raises(NotFound):
        service.add_collection_account(
            db_session,
            agency_code="NOPE",
            bank_bin="970436",
            account_number="1",
            account_name="x",
            actor="t",
        )
    with pytest.raises(Conflict):
        service.add_collection_account(
            db_session,
            agency_code="SGTVT",
            bank_bin="970436",
            account_number="0141000836001",
            account_name="x",
            actor="t",
        )


def test_agency_tax_code_is_validated(db_session):
    service.import_catalog(
        db_session, (FEEDS / "catalog_good.csv").read_bytes(), filename="g.csv", actor="t"
    )
    with pytest.raises(InvalidInput, match="tax code"):
        service.update_agency(db_session, code="STP", tax_code="57-1", actor="t")
    agency = service.update_agency(db_session, code="STP", tax_code="5700100001-001", actor="t")
    assert agency.tax_code == "5700100001-001"
    assert count(db_session, Agency) == 2
