"""examples/tax_feed_client.py, run as a user would, against the app served over real HTTP."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from payrecon.invoices import queries
from payrecon.invoices.authority import record_authority_decision
from tests.e2e.auth.helpers import issue_token
from tests.integration.tax.helpers import issue_invoices

ROOT = Path(__file__).parents[3]
CLIENT = ROOT / "examples" / "tax_feed_client.py"
CODE = "00A1B2C3D4E5F60718293A4B5C6D7E8F90"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def run_client(base_url: str, out: Path, token: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CLIENT), "--base-url", base_url, "--out", str(out)],
        env={**os.environ, "PAYRECON_TAX_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_example_client_saves_every_invoice_and_then_only_what_changed(
    live_server, db_session, signing_keys, tmp_path
):
    invoices = issue_invoices(db_session, signing_keys, 4)
    token = issue_token(db_session, "tax:read", name="example-client")
    out = tmp_path / "invoices"

    first = run_client(live_server, out, token)
    assert first.returncode == 0, first.stderr
    assert "4 changes read, 4 XML files written" in first.stdout
    for invoice in invoices:
        assert (out / f"{invoice.id}.xml").read_bytes() == invoice.xml

    again = run_client(live_server, out, token)
    assert "0 changes read, 0 XML files written" in again.stdout

    record_authority_decision(db_session, invoices[2].id, code=CODE, actor="test")
    coded, digest = queries.current_xml(db_session, invoices[2].id)
    db_session.rollback()
    after_code = run_client(live_server, out, token)
    assert "1 changes read, 1 XML files written" in after_code.stdout
    saved = (out / f"{invoices[2].id}.xml").read_bytes()
    assert saved == coded
    assert hashlib.sha256(saved).hexdigest() == digest
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".cursor", *(f"{invoice.id}.xml" for invoice in invoices)]
    )


def test_the_example_client_stops_with_a_message_on_a_refused_token(live_server, tmp_path):
    result = run_client(live_server, tmp_path, "prt_0123456789abcdef_" + "A" * 43)
    assert result.returncode != 0
    assert "HTTP 401" in result.stderr


def readme_client() -> str:
    """The Python block of the README's "Tax integrations" section."""
    section = (ROOT / "README.md").read_text().split("## Tax integrations", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL)[1]


def test_the_readme_client_pulls_the_whole_feed(live_server, db_session, signing_keys, tmp_path):
    invoices = issue_invoices(db_session, signing_keys, 3)
    token = issue_token(db_session, "tax:read", name="readme-client")
    script = tmp_path / "client.py"
    script.write_text(readme_client())
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(script)],
        env={
            **os.environ,
            "PAYRECON_TAX_TOKEN": token,
            "PAYRECON_URL": live_server,
            "OUT": str(out),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date; next time ask with after=" in result.stdout
    for invoice in invoices:
        assert (out / f"{invoice.id}.xml").read_bytes() == invoice.xml
