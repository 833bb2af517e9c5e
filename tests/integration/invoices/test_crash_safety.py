"""Killing an issuer between taking a number and committing leaves no gap and loses no event."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from payrecon import outbox
from payrecon.invoices import queries, service
from payrecon.invoices.models import Invoice, InvoiceSeries
from tests.factories import make_dossier, make_procedure
from tests.integration.invoices.helpers import pay

REPO_ROOT = Path(__file__).parents[3]


def test_sigkill_between_numbering_and_commit_leaves_no_gap(
    db_session, database_url, signing_keys, key_files
):
    procedure = make_procedure(db_session)
    pay(db_session, make_dossier(db_session, procedure))
    service.issue_pending_invoices(db_session, keys=signing_keys)
    db_session.rollback()
    for _ in range(2):
        pay(db_session, make_dossier(db_session, procedure))

    issuer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.invoices.stalling_issuer",
            database_url,
            *key_files,
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = issuer.stdout.readline()
        assert line == "numbered 2\n"
    finally:
        issuer.send_signal(signal.SIGKILL)
        issuer.wait()
        issuer.stdout.close()
    assert issuer.returncode == -signal.SIGKILL

    summary = service.issue_pending_invoices(db_session, keys=signing_keys)
    db_session.rollback()
    assert (summary.issued, summary.issue_failures) == (2, 0)
    series = db_session.scalars(select(Invoice.series)).first()
    assert queries.numbers_in_series(db_session, "1", series) == [1, 2, 3]
    assert db_session.scalars(select(InvoiceSeries.last_number)).one() == 3
    assert outbox.pending_count(db_session, service.PAID_TOPIC) == 0
    assert len(db_session.scalars(select(Invoice.payment_id).distinct()).all()) == 3
