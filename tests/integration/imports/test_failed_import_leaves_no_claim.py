"""An import that fails after claiming its file takes the claim with it.

The claim and the import's rows share a savepoint, so a caller that catches the error and
commits the session anyway (say, to keep other work of the same transaction) stores nothing
of the file: not its rows, not a record that it was imported, and the corrected re-import goes
ahead instead of answering "already imported".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrecon.catalog import service as catalog_service
from payrecon.catalog.models import Agency
from payrecon.errors import ImportRejected
from payrecon.imports import ImportedFile
from payrecon.statements import service as statement_service
from tests.integration.statements.helpers import (
    NOTHING,
    OUR_ACCOUNT,
    add_account,
    fixture,
    row_counts,
)

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds"


def imported_files(session) -> int:
    return session.scalar(select(func.count()).select_from(ImportedFile))


def test_a_statement_refused_after_its_claim_leaves_nothing_even_if_the_caller_commits(
    db_session,
):
    data = fixture("generic_vnd.csv")
    with pytest.raises(ImportRejected):  # the account is not registered yet
        statement_service.import_statement_file(
            db_session, data, filename="generic.csv", actor="test", account_number=OUR_ACCOUNT
        )
    db_session.commit()  # a careless caller: nothing of the file may be stored by this
    assert row_counts(db_session) == NOTHING

    add_account(db_session)
    result = statement_service.import_statement_file(
        db_session, data, filename="generic.csv", actor="test", account_number=OUR_ACCOUNT
    )
    assert not result.already_imported
    assert result.lines > 0
    assert imported_files(db_session) == 1


def test_a_failure_inside_the_claimed_block_rolls_back_only_the_import(db_session, monkeypatch):
    """The caller's own work from before the import survives its commit; the import's does not."""
    db_session.add(Agency(code="TTPV-KEPT", name="Trung tâm được giữ"))

    def broken(*_args, **_kwargs):
        raise RuntimeError("the disk went away mid-import")

    monkeypatch.setattr(catalog_service, "_apply_catalog", broken)
    data = (FEEDS / "catalog_good.csv").read_bytes()
    with pytest.raises(RuntimeError):
        catalog_service.import_catalog(db_session, data, filename="c.csv", actor="test")
    db_session.commit()
    assert imported_files(db_session) == 0
    assert db_session.scalar(select(Agency.name).where(Agency.code == "TTPV-KEPT"))

    monkeypatch.undo()
    result = catalog_service.import_catalog(db_session, data, filename="c.csv", actor="test")
    assert not result.already_imported
    assert imported_files(db_session) == 1
