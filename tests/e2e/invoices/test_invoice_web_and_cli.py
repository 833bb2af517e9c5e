"""The invoice page, the JSON and XML endpoints, and the `invoices`/`keys` commands."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from payrecon.cli import cli
from payrecon.invoices import service
from payrecon.invoices.models import Invoice
from payrecon.invoices.xsd import SCHEMA_ROOT, SCHEMA_VERSION
from tests.e2e.auth.helpers import bearer_for
from tests.factories import make_dossier
from tests.integration.invoices.helpers import pay

INVALID = SCHEMA_ROOT / "einvoice" / SCHEMA_VERSION / "examples" / "invalid"


@pytest.fixture
def issued(app, db_session, signing_keys) -> Invoice:
    pay(db_session, make_dossier(db_session, applicant_name="Lê Thị Hoa"))
    service.issue_pending_invoices(db_session, keys=signing_keys)
    db_session.rollback()
    return db_session.scalars(select(Invoice)).one()


def test_the_lookup_code_opens_a_printable_vietnamese_invoice(client, issued):
    response = client.get(f"/invoices/{issued.lookup_code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Hóa đơn giá trị gia tăng" in page
    assert f"{issued.series}</strong>" in page
    assert "Lê Thị Hoa" in page
    assert "Hai trăm nghìn đồng" in page
    assert "200.000" in page
    assert "<svg" in page
    assert issued.lookup_code in page


def test_the_page_says_when_an_invoice_is_cancelled(client, db_session, issued):
    service.cancel_invoice(db_session, issued.id, reason="lập nhầm", actor="test")
    page = client.get(f"/invoices/{issued.lookup_code}").get_data(as_text=True)
    assert "HÓA ĐƠN ĐÃ BỊ HỦY: lập nhầm" in page


def test_an_unknown_lookup_code_is_a_404_problem(client, issued):
    response = client.get("/invoices/AAAAAAAAAAAA")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_the_citizen_download_is_the_stored_bytes(client, issued):
    response = client.get(f"/invoices/{issued.lookup_code}/xml")
    assert response.status_code == 200
    assert response.data == issued.xml
    assert "attachment" in response.headers["Content-Disposition"]


def test_api_metadata_and_xml(client, db_session, signing_keys, issued):
    adjustment = service.adjust_invoice(
        db_session, issued.id, amount_vnd=-10_000, reason="thu thừa", actor="t", keys=signing_keys
    )
    headers = bearer_for(db_session, "invoices:read")
    assert client.get(f"/api/v1/invoices/{issued.id}").status_code == 401
    body = client.get(f"/api/v1/invoices/{issued.id}", headers=headers).get_json()
    assert body["series"] == issued.series
    assert (body["number"], body["kind"], body["status"]) == (1, "original", "adjusted")
    assert (body["total_vnd"], body["currency"]) == (200_000, "VND")
    assert body["xml_sha256"] == hashlib.sha256(issued.xml).hexdigest()
    assert body["related_invoice"] is None
    assert [c["id"] for c in body["corrections"]] == [adjustment.id]
    related = client.get(f"/api/v1/invoices/{adjustment.id}", headers=headers).get_json()
    assert related["related_invoice"]["id"] == issued.id

    response = client.get(f"/api/v1/invoices/{issued.id}/xml", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.data == issued.xml


@pytest.mark.parametrize("path", ["/api/v1/invoices/999999", "/api/v1/invoices/abc/xml"])
def test_api_unknown_invoices_are_404_problems(client, db_session, path):
    response = client.get(path, headers=bearer_for(db_session, "invoices:read"))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_validate_passes_a_signed_invoice_stage_by_stage(runner, issued, tmp_path, key_files):
    path = tmp_path / "invoice.xml"
    path.write_bytes(issued.xml)
    result = runner.invoke(cli, ["invoices", "validate", str(path), "--cert", key_files[1]])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"schema ({SCHEMA_VERSION}): ok"
    assert lines[1] == "business rules: ok"
    assert lines[2].startswith("signature: ok (signed by C=VN,O=payrecon demo")
    assert "CN=PVHCC test" in lines[2]
    assert "by the trusted certificate" in lines[2]


def test_validate_reports_a_tampered_total_in_rules_and_signature(runner, issued, tmp_path):
    tampered = issued.xml.replace(b"<TgTTTBSo>200000<", b"<TgTTTBSo>20000<")
    assert tampered != issued.xml
    path = tmp_path / "invoice.xml"
    path.write_bytes(tampered)
    result = runner.invoke(cli, ["invoices", "validate", str(path)])
    assert result.exit_code == 1
    assert f"schema ({SCHEMA_VERSION}): ok" in result.output
    assert "business rules: FAILED (2 problems)" in result.output
    assert "/HDon/DLHDon/NDHDon/TToan/TgTTTBSo: TgTTTBSo is 20000 VND" in result.output
    assert "signature: FAILED (1 problem)" in result.output


def test_validate_lists_schema_violations_with_lines(runner):
    result = runner.invoke(
        cli, ["invoices", "validate", str(INVALID / "invoice_number_nine_digits.xml")]
    )
    assert result.exit_code == 1
    assert f"schema ({SCHEMA_VERSION}): FAILED (1 problem)" in result.output
    assert "  line " in result.output
    assert "/HDon/DLHDon/TTChung/SHDon" in result.output


def test_validate_a_file_that_is_not_xml(runner, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<HDon><DLHDon>")
    result = runner.invoke(cli, ["invoices", "validate", str(path)])
    assert result.exit_code == 1
    assert "not well-formed XML" in result.output
    assert "signature: skipped" in result.output


def test_keys_generate_then_issue_pending_with_them(app, runner, db_session, tmp_path):
    result = runner.invoke(cli, ["keys", "generate", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    assert "NOT FOR PRODUCTION" in result.output
    key_path, cert_path = (
        tmp_path / "keys" / "signing-key.pem",
        tmp_path / "keys" / "signing-cert.pem",
    )
    assert key_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"
    again = runner.invoke(cli, ["keys", "generate", "--out", str(tmp_path / "keys")])
    assert again.exit_code == 1
    assert "already exists" in again.output

    pay(db_session, make_dossier(db_session))
    missing = runner.invoke(cli, ["invoices", "issue-pending"])
    assert missing.exit_code == 1
    assert "PAYRECON_SIGNING_KEY" in missing.output
    app.config.update(SIGNING_KEY=str(key_path), SIGNING_CERT=str(cert_path))
    issued = runner.invoke(cli, ["invoices", "issue-pending"])
    assert issued.exit_code == 0, issued.output
    assert issued.output.startswith("1 invoices issued (0 failed)")
    invoice_id = str(db_session.scalars(select(Invoice.id)).one())
    db_session.rollback()
    cancelled = runner.invoke(cli, ["invoices", "cancel", invoice_id, "--reason", "lập nhầm"])
    assert cancelled.exit_code == 0, cancelled.output
    assert "is cancelled" in cancelled.output


def test_help_lists_the_invoice_commands(runner):
    result = runner.invoke(cli, ["invoices", "--help"])
    for command in ("validate", "issue-pending", "cancel", "adjust", "replace"):
        assert f"  {command} " in result.output
