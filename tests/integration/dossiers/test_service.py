from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrecon import audit
from payrecon.catalog import service as catalog_service
from payrecon.dossiers import service
from payrecon.dossiers.models import Dossier
from payrecon.errors import ImportRejected, InvalidInput

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds"


@pytest.fixture
def catalog(db_session):
    catalog_service.import_catalog(
        db_session, (FEEDS / "catalog_good.csv").read_bytes(), filename="c.csv", actor="t"
    )


def dossier_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Dossier))


def test_bad_feed_writes_nothing_fixed_feed_imports_and_reimport_is_recognised(db_session, catalog):
    with pytest.raises(ImportRejected) as caught:
        service.import_dossiers(
            db_session, (FEEDS / "dossiers_bad.csv").read_bytes(), filename="bad.csv", actor="t"
        )
    assert len(caught.value.problems) == 3
    assert dossier_count(db_session) == 0

    good = (FEEDS / "dossiers_good.csv").read_bytes()
    result = service.import_dossiers(db_session, good, filename="good.csv", actor="t")
    assert (result.created, result.updated) == (3, 0)
    assert service.import_dossiers(
        db_session, good, filename="good.csv", actor="t"
    ).already_imported
    assert dossier_count(db_session) == 3


def test_a_changed_dossier_is_updated_and_the_change_audited(db_session, catalog):
    good = (FEEDS / "dossiers_good.csv").read_bytes()
    service.import_dossiers(db_session, good, filename="good.csv", actor="t")
    changed = good.replace(b",received,200000", b",cancelled,200000")
    result = service.import_dossiers(db_session, changed, filename="changed.csv", actor="feed")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    dossier = db_session.scalars(
        select(Dossier).where(Dossier.code == "000.00.261120.H40-000001")
    ).one()
    db_session.refresh(dossier)
    assert dossier.status == "cancelled"
    [entry] = audit.history(db_session, "dossiers", dossier.id)
    assert (entry.field, entry.old_value, entry.new_value) == ("status", "received", "cancelled")
    assert audit.verify_chain(db_session) is None


def test_upsert_creates_then_updates(db_session, catalog):
    values = {
        "procedure_code": "1.001001",
        "applicant_name": "Phạm Thu Hà",
        "applicant_id": "022190004321",
        "received_at": "2026-11-22T10:00:00+07:00",
        "status": "received",
        "fee_due_vnd": 200_000,
    }
    dossier, created = service.upsert_dossier(db_session, code="HS-9", values=values, actor="t")
    assert created
    assert dossier.fee_due_vnd == 200_000
    dossier, created = service.upsert_dossier(
        db_session, code="HS-9", values=values | {"status": "processing"}, actor="t"
    )
    assert not created
    assert dossier.status == "processing"
    with pytest.raises(InvalidInput) as caught:
        service.upsert_dossier(
            db_session, code="HS-9", values=values | {"procedure_code": "X"}, actor="t"
        )
    assert caught.value.where == "body.procedure_code"
