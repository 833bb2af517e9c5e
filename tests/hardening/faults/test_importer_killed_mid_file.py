"""kill -9 of `payrecon statements import BIG_FILE` mid-file, then the same command again.

The importer dies at the `statement_import_mid_file` fault point, with the first chunk of the
statement's lines inserted and the rest of the file not yet: nothing of the file is stored.
The re-run imports it whole, once; a third run says it was imported already.
"""

from __future__ import annotations

import signal

import pytest

from bench.statements import generate_camt053
from payrecon.statements.store import INSERT_CHUNK
from tests.hardening.faults.helpers import armed_fault, fired
from tests.integration.statements.helpers import NOTHING, add_account, row_counts
from tests.processes import payrecon_env, run_payrecon

pytestmark = pytest.mark.slow

LINES = INSERT_CHUNK + 500  # two chunks: the fault point fires after the first


def test_an_importer_killed_mid_file_stores_nothing_and_the_rerun_imports_it_once(
    db_session, database_url, tmp_path
):
    add_account(db_session)
    big_file = tmp_path / "statement-big.xml"
    big_file.write_bytes(generate_camt053(LINES))
    fault = armed_fault("statement_import_mid_file", tmp_path)
    env = payrecon_env(database_url, **fault)

    killed = run_payrecon(env, "statements", "import", str(big_file))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert fired(fault)
    assert row_counts(db_session) == NOTHING

    rerun = run_payrecon(env, "statements", "import", str(big_file))
    assert rerun.returncode == 0, rerun.stderr
    assert f"1 statement(s), {LINES} line(s) stored" in rerun.stdout
    assert row_counts(db_session) == NOTHING | {
        "bank_statements": 1,
        "statement_lines": LINES,
        "imported_files": 1,
    }

    again = run_payrecon(env, "statements", "import", str(big_file))
    assert again.returncode == 0, again.stderr
    assert "already imported" in again.stdout
    assert row_counts(db_session)["statement_lines"] == LINES
