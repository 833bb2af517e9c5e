"""paid_at through the import: stored, audited when it changes, kept by files without it."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from payrecon import audit
from payrecon.catalog import service as catalog_service
from payrecon.dossiers import service
from payrecon.dossiers.models import Dossier
from payrecon.errors import ImportRejected

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds"
GOOD = (FEEDS / "dossiers_good.csv").read_bytes().decode()
FIRST = "000.00.261120.H40-000001"


@pytest.fixture
def catalog(db_session):
    catalog_service.import_catalog(
        db_session, (FEEDS / "catalog_good.csv").read_bytes(), filename="c.csv", actor="t"
    )


def with_paid_at(first: str) -> bytes:
    header, *lines = GOOD.strip().splitlines()
    rows = [lines[0] + f",{first}", *(line + "," for line in lines[1:])]
    return ("\n".join([header + ",paid_at", *rows]) + "\n").encode()


def first_dossier(session) -> Dossier:
    session.expire_all()
    return session.scalars(select(Dossier).where(Dossier.code == FIRST)).one()


def test_paid_at_is_stored_kept_by_an_old_style_file_and_cleared_by_an_empty_value(
    db_session, catalog
):
    service.import_dossiers(
        db_session, with_paid_at("2026-11-20T08:30:00+07:00"), filename="a.csv", actor="feed"
    )
    assert first_dossier(db_session).paid_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)

    old_style = service.import_dossiers(db_session, GOOD.encode(), filename="b.csv", actor="feed")
    assert (old_style.updated, old_style.unchanged) == (0, 3)
    assert first_dossier(db_session).paid_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)

    cleared = service.import_dossiers(db_session, with_paid_at(""), filename="c.csv", actor="feed")
    assert (cleared.updated, cleared.unchanged) == (1, 2)
    dossier = first_dossier(db_session)
    assert dossier.paid_at is None
    [entry] = audit.history(db_session, "dossiers", dossier.id)
    assert (entry.field, entry.new_value) == ("paid_at", None)


def test_a_bad_paid_at_changes_nothing(db_session, catalog):
    service.import_dossiers(db_session, GOOD.encode(), filename="a.csv", actor="feed")
    with pytest.raises(ImportRejected) as caught:
        service.import_dossiers(
            db_session, with_paid_at("hôm qua"), filename="bad.csv", actor="feed"
        )
    assert [p.where for p in caught.value.problems] == ["line 2, column paid_at"]
    assert first_dossier(db_session).paid_at is None
