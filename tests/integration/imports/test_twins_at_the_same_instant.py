"""The same file imported twice at the same instant, in two real PostgreSQL transactions.

The first import is held in the middle (its progress callback waits), its file claimed and
its rows inserted but not committed; the twin starts and waits on the claim's unique key.
When the first commits, the twin answers "already imported" and changes nothing: no
unique-key error, no second copy of anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bench.statements import generate_camt053
from payrecon.catalog import service as catalog_service
from payrecon.dossiers import service as dossier_service
from payrecon.dossiers.models import Dossier
from payrecon.imports import ImportedFile
from payrecon.statements import service as statement_service
from payrecon.statements.models import StatementLine
from tests.integration.statements.helpers import add_account
from tests.processes import wait_until

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds"
HOLD_S = 60


@pytest.fixture
def postgres(engine, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: its twins queue, they cannot race")
    return engine


def waiting_on_a_lock(engine) -> int:
    """How many other sessions of this database wait for a lock right now."""
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
        ).scalar_one()


def race(engine, run_import: Callable[[Session, Callable[..., None]], object]) -> list:
    """Start an import and hold it mid-way, start its twin, wait until the twin waits on a
    lock, then let the first finish. Both results, first import's first."""
    holding, release = threading.Event(), threading.Event()

    def hold(*_progress) -> None:
        if not holding.is_set():
            holding.set()
            assert release.wait(HOLD_S)

    def first():
        with Session(engine) as session:
            return run_import(session, hold)

    def twin():
        with Session(engine) as session:
            return run_import(session, lambda *_progress: None)

    with ThreadPoolExecutor(2) as pool:
        first_done = pool.submit(first)
        assert holding.wait(HOLD_S)
        twin_done = pool.submit(twin)
        try:
            wait_until("the twin to wait on the first import", lambda: waiting_on_a_lock(engine))
        finally:
            release.set()
        return [first_done.result(timeout=HOLD_S), twin_done.result(timeout=HOLD_S)]


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.postgres_only
def test_a_statement_file_imported_twice_at_once_is_stored_once(postgres, db_session):
    add_account(db_session)
    data = generate_camt053(30)

    def run_import(session, progress):
        return statement_service.import_statement_file(
            session, data, filename="statement.xml", actor="test", progress=progress
        )

    first, twin = race(postgres, run_import)
    assert (first.already_imported, first.lines) == (False, 30)
    assert twin.already_imported is True
    assert count(db_session, StatementLine) == 30
    assert count(db_session, ImportedFile) == 1


@pytest.mark.postgres_only
def test_a_dossier_feed_imported_twice_at_once_is_stored_once(postgres, db_session):
    catalog_service.import_catalog(
        db_session, (FEEDS / "catalog_good.csv").read_bytes(), filename="c.csv", actor="t"
    )
    header, row = (FEEDS / "dossiers_good.csv").read_text().splitlines()[:2]
    code = row.split(",")[0]
    rows = [row.replace(code, f"{code[:-6]}{n:06d}", 1) for n in range(1, 501)]
    feed = "\n".join([header, *rows, ""]).encode()

    def run_import(session, progress):
        return dossier_service.import_dossiers(
            session, feed, filename="feed.csv", actor="test", progress=progress
        )

    first, twin = race(postgres, run_import)
    assert (first.already_imported, first.created) == (False, 500)
    assert twin.already_imported is True
    assert count(db_session, Dossier) == 500
    assert count(db_session, ImportedFile) == 2  # the catalog and the feed
